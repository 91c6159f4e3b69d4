package trace

import (
	"sort"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	apiv1alpha3 "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
)

// ProxiesNeeded returns the proxies ("namespace/pod") whose config dumps a trace of host
// (on port; 0 for any port) from client needs: the client first, then the egress gateway
// pods the host's VirtualServices route to, sorted.
func ProxiesNeeded(s *mesh.Snapshot, host string, port int, client string) []string {
	if s == nil {
		return []string{client}
	}
	a := newAnalysis(Input{Snapshot: s, Host: host, Port: port, Client: client})
	gws := a.boundGateways()
	seen := map[string]bool{}
	for _, vs := range s.VirtualServicesForHost(a.target.Host) {
		for _, svc := range a.gatewayServicesOf(vs, port) {
			for _, p := range a.gatewayPods(svc, gws) {
				seen[mesh.Key(p.Namespace, p.Name)] = true
			}
		}
	}
	for _, p := range a.aliasGatewayPods() {
		seen[mesh.Key(p.Namespace, p.Name)] = true
	}
	delete(seen, client)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return append([]string{client}, out...)
}

// gatewayServicesOf lists the gateway Services a VirtualService's rules for port route to.
func (a *analysis) gatewayServicesOf(vs *networkingv1.VirtualService, port int) []*corev1.Service {
	var dests []*apiv1alpha3.Destination
	for _, r := range vs.Spec.GetHttp() {
		if port == 0 || httpRuleApplies(vs, r, "mesh", port) {
			for _, d := range r.GetRoute() {
				dests = append(dests, d.GetDestination())
			}
		}
	}
	for _, r := range vs.Spec.GetTls() {
		if port == 0 || a.tlsRuleApplies(vs, r, "mesh", port) {
			for _, d := range r.GetRoute() {
				dests = append(dests, d.GetDestination())
			}
		}
	}
	for _, r := range vs.Spec.GetTcp() {
		if port == 0 || tcpRuleApplies(vs, r, "mesh", port) {
			for _, d := range r.GetRoute() {
				dests = append(dests, d.GetDestination())
			}
		}
	}
	var out []*corev1.Service
	for _, d := range dests {
		if svc := serviceForHost(a.snap, mesh.FQDN(d.GetHost(), vs.Namespace)); svc != nil && isGatewayService(a.snap, svc) {
			out = append(out, svc)
		}
	}
	return out
}
