package trace

import (
	"fmt"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

var checkSubsetMissing = check{
	code: "EGR0206", level: LevelError, class: "C18",
	title: "Route names a gateway subset no DestinationRule defines",
	doc: "The mesh VirtualService routes to a subset of the egress gateway Service (`subset: cnn`), but no " +
		"DestinationRule for the gateway host defines it. istiod builds no `outbound|<port>|<subset>|<gateway>` " +
		"cluster and the sidecar answers `503 NC cluster_not_found`.",
	run: runSubsetMissing,
}

func runSubsetMissing(a *analysis) []issue {
	host, subset := a.gatewaySubset()
	if subset == "" {
		return nil
	}
	for _, dr := range a.snap.DestinationRulesForHost(host) {
		if hasSubset(dr, subset) {
			return nil
		}
	}
	obj := ""
	if a.intent.MeshVS != nil {
		obj = vsName(a.intent.MeshVS)
	}
	return one(issue{object: obj, proxy: a.in.Client, hop: a.side.clusterHop,
		message: fmt.Sprintf("the route sends %s to subset %q of %s, but no DestinationRule for %s defines that subset (503 NC)", a.target.Host, subset, host, host),
		fix:     fmt.Sprintf("create a DestinationRule with host %s and subsets [{name: %s}] visible to namespace %s", host, subset, a.clientNS)})
}

// gatewaySubset returns the gateway host and subset the sidecar's route names.
func (a *analysis) gatewaySubset() (string, string) {
	if n, ok := envoy.ParseClusterName(a.side.clusterName); ok && n.Subset != "" {
		if svc := serviceForHost(a.snap, n.Host); svc != nil && isGatewayService(a.snap, svc) {
			return n.Host, n.Subset
		}
	}
	if g := a.intent.Gateway; g != nil && g.Subset != "" {
		return serviceHost(g.Service), g.Subset
	}
	return "", ""
}
