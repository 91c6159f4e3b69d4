package trace

import (
	"fmt"
	"strings"
)

var checkClusterNotFound = check{
	code: "EGR0305", level: LevelError, class: "C18",
	title: "Route names a cluster the proxy lacks",
	doc: "A route or tcp_proxy on the path names a cluster the proxy does not have, so Envoy answers " +
		"`503 NC cluster_not_found`. The usual causes are reported alongside: a DestinationRule subset that " +
		"does not exist or is not visible, exportTo hiding the host from that proxy, a Sidecar scope, or a stale proxy.",
	run: runClusterNotFound,
}

func runClusterNotFound(a *analysis) []issue {
	if !strings.HasPrefix(a.end.response, "503 NC cluster_not_found") || strings.Contains(a.end.response, "(cluster") {
		return nil
	}
	lg := &a.side
	if a.gw != nil && a.gw.clusterHop == a.end.hop {
		lg = a.gw
	}
	obj := ""
	if lg.route != nil {
		obj = configObject(lg.route.Config)
	}
	return one(issue{object: obj, proxy: lg.proxy, hop: a.end.hop,
		message: fmt.Sprintf("%s routes %s to cluster %s, which %s does not have (503 NC cluster_not_found)", routeName(lg), a.target.Host, lg.clusterName, lg.proxy),
		fix:     "istioctl proxy-config cluster " + lg.proxy + "; see the findings on subsets, exportTo and Sidecar scope"})
}

func routeName(lg *leg) string {
	if lg.routeConfig != nil {
		return "route " + lg.routeConfig.Name
	}
	if lg.listener != nil {
		return "listener " + lg.listener.Name
	}
	return "the route"
}
