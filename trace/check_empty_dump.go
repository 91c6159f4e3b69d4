package trace

import (
	"fmt"
	"slices"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

var checkEmptyDump = check{
	code: "EGR0612", level: LevelError, class: "F32",
	title: "Proxy's config dump holds no configuration from istiod",
	doc: "The config dump of a proxy on the path has no dynamic listener and no dynamic cluster (`configs: []`, " +
		"or a bootstrap only): the proxy has received nothing from istiod, so it cannot route anything. It is " +
		"not connected to istiod (network, certificates, a revision that does not exist), or the dump was taken " +
		"before the first push. `istioctl proxy-status` shows whether istiod knows the proxy.",
	run: runEmptyDump,
}

func runEmptyDump(a *analysis) []issue {
	var out []issue
	for _, lg := range a.legs() {
		if hasDynamic(lg.dump) {
			continue
		}
		hop := slices.IndexFunc(a.rep.Hops, func(h Hop) bool { return h.Proxy == lg.proxy })
		out = append(out, issue{object: "Pod " + lg.proxy, proxy: lg.proxy, hop: hop,
			message: fmt.Sprintf("the config dump of %s has no listener and no cluster from istiod (%d configs sections): the proxy has received no configuration", lg.proxy, len(lg.dump.Sections)),
			fix:     "check that the proxy is connected to istiod (istioctl proxy-status, the istio-proxy container's log), then take the dump again"})
	}
	return out
}

// hasDynamic reports whether the dump holds any listener or cluster that xDS delivered.
func hasDynamic(d *envoy.Dump) bool {
	return slices.ContainsFunc(d.Listeners, func(l envoy.Listener) bool { return !l.Static }) ||
		slices.ContainsFunc(d.Clusters, func(c envoy.Cluster) bool { return !c.Static })
}
