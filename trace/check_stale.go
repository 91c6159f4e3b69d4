package trace

import (
	"fmt"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

var checkStale = check{
	code: "EGR0603", level: LevelWarning, class: "F32",
	title: "Proxy config differs from the Istio objects",
	doc: "What the Istio objects say the sidecar should do (the mesh VirtualService's destination, the " +
		"ServiceEntry's cluster) is not what its dump does. The proxy may be stale (not in sync with istiod, " +
		"rejected pushes), or another object wins (conflicting VirtualServices, Sidecar scope).",
	run: runStale,
}

func runStale(a *analysis) []issue {
	if a.side.dump == nil || a.side.clusterName == "" {
		return nil
	}
	in := a.intent
	if in.MeshDest != nil {
		host := mesh.FQDN(in.MeshDest.GetHost(), in.MeshVS.Namespace)
		if !strings.HasSuffix(a.side.clusterName, "|"+in.MeshDest.GetSubset()+"|"+host) && !strings.Contains(host, "*") {
			return one(issue{object: vsName(in.MeshVS), proxy: a.in.Client, hop: a.side.routeHop,
				message: fmt.Sprintf("%s routes %s to %s (subset %q), but the sidecar sends it to %s", vsName(in.MeshVS), a.target.Host, host, in.MeshDest.GetSubset(), a.side.clusterName),
				fix:     "istioctl proxy-status " + a.in.Client + "; look for conflicting VirtualServices for the host"})
		}
		return nil
	}
	if in.SEPort != nil && a.clientSidecar() == nil && !strings.Contains(a.target.Host, "*") {
		want := clusterName(a.target.Port, "", a.target.Host)
		if a.side.dump.Cluster(want) == nil {
			return one(issue{object: seName(in.SE), proxy: a.in.Client, hop: a.side.clusterHop,
				message: fmt.Sprintf("%s declares %s:%d but the sidecar has no cluster %s", seName(in.SE), a.target.Host, a.target.Port, want),
				fix:     "istioctl proxy-status " + a.in.Client + " (is the proxy in sync?)"})
		}
	}
	return nil
}
