package trace

import (
	"fmt"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

var checkMeshVSConflict = check{
	code: "EGR0210", level: LevelWarning, class: "B16",
	title: "Several mesh VirtualServices declare the host",
	doc: "istiod merges VirtualServices for one host only when they are bound to a gateway. For sidecars (`mesh`) " +
		"it keeps one VirtualService per host (the oldest) and drops the others' rules, so a rule sending the host " +
		"to the egress gateway may silently not apply. The route's `istio.config` back-link in the dump names the one in use.",
	run: runMeshVSConflict,
}

func runMeshVSConflict(a *analysis) []issue {
	groups := map[string][]*networkingv1.VirtualService{}
	for _, vs := range a.snap.VirtualServicesForHost(a.target.Host) {
		if !exportedTo(vs.Spec.GetExportTo(), vs.Namespace, a.clientNS) || !bindsTo(vs, "mesh") {
			continue
		}
		for _, h := range vs.Spec.GetHosts() {
			if fq := mesh.FQDN(h, vs.Namespace); hostMatches(fq, a.target.Host) {
				groups[fq] = append(groups[fq], vs)
				break
			}
		}
	}
	var out []issue
	for _, host := range mesh.SortedKeys(groups) {
		vss := groups[host]
		if len(vss) < 2 {
			continue
		}
		used, names := a.usedMeshVS(), make([]string, 0, len(vss))
		dropped := vss[len(vss)-1]
		for _, vs := range vss {
			names = append(names, vsName(vs))
			if used != "" && vsName(vs) != used {
				dropped = vs
			}
		}
		msg := fmt.Sprintf("%d VirtualServices bound to mesh declare host %s for namespace %s: %s; sidecars use only one", len(vss), host, a.clientNS, strings.Join(names, ", "))
		if used != "" {
			msg += " (the dump's route comes from " + used + ")"
		}
		out = append(out, issue{object: vsName(dropped), proxy: a.in.Client, hop: a.side.routeHop, message: msg,
			fix: "merge the rules into one VirtualService per host for mesh (keep separate ones only for gateways)"})
	}
	return out
}

// usedMeshVS is the VirtualService the sidecar's route was generated from, per the dump.
func (a *analysis) usedMeshVS() string {
	if a.side.route == nil {
		return ""
	}
	if o := configObject(a.side.route.Config); strings.HasPrefix(o, "VirtualService ") {
		return o
	}
	return ""
}
