package trace

import (
	"fmt"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

var checkRejected = check{
	code: "EGR0601", level: LevelError, class: "F32",
	title: "Proxy rejected config on the path (error_state)",
	doc: "Envoy rejected the last update of a listener, route config or cluster on the path and reports it in " +
		"`error_state` (istioctl hides it). The proxy keeps serving the previous version, or nothing when the " +
		"resource was new, so it does not do what the Istio objects say.",
	run: runRejected,
}

func runRejected(a *analysis) []issue {
	var out []issue
	for _, lg := range a.legs() {
		add := func(kind, name string, m envoy.Meta, hop int) {
			if m.Error == nil {
				return
			}
			out = append(out, issue{object: podName(lg.proxy), proxy: lg.proxy, hop: hop,
				message: fmt.Sprintf("%s rejected %s %s (state %s): %s", lg.proxy, kind, name, m.State, m.Error.Details),
				fix:     "fix the Istio object that produced it (istioctl analyze; istiod logs for the push error)"})
		}
		if lg.listener != nil {
			add("listener", lg.listener.Name, lg.listener.Meta, lg.listenerHop)
		}
		if lg.routeConfig != nil {
			add("route config", lg.routeConfig.Name, lg.routeConfig.Meta, lg.routeHop)
		}
		if lg.cluster != nil {
			add("cluster", lg.cluster.Name, lg.cluster.Meta, lg.clusterHop)
		}
	}
	return out
}
