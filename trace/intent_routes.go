package trace

import (
	"slices"

	apiv1alpha3 "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// routeFor returns the first VirtualService visible to ns, bound to gateway ("mesh" or a
// Gateway key), whose rules send the target's traffic on port somewhere, and that
// destination. The rule kind follows the protocol: http for http, tls (SNI) for TLS.
func (a *analysis) routeFor(ns, gateway string, port int) (*networkingv1.VirtualService, *apiv1alpha3.Destination) {
	return a.routeForProto(ns, gateway, port, a.target.Protocol)
}

// routeForProto is routeFor for a given client protocol.
func (a *analysis) routeForProto(ns, gateway string, port int, proto string) (*networkingv1.VirtualService, *apiv1alpha3.Destination) {
	for _, vs := range a.snap.VirtualServicesForHost(a.target.Host) {
		if !exportedTo(vs.Spec.GetExportTo(), vs.Namespace, ns) || !bindsTo(vs, gateway) {
			continue
		}
		if d := a.vsDestination(vs, gateway, port, proto); d != nil {
			return vs, d
		}
	}
	return nil, nil
}

// bindsTo reports whether vs applies to gateway ("mesh" or "ns/name").
func bindsTo(vs *networkingv1.VirtualService, gateway string) bool {
	return slices.ContainsFunc(vsGateways(vs), func(g string) bool { return gatewayMatch(g, vs.Namespace, gateway) })
}

func gatewayMatch(g, vsNS, gateway string) bool {
	if gateway == "mesh" || g == "mesh" {
		return g == gateway
	}
	return gatewayRef(g, vsNS) == gateway
}

// matchApplies reports whether a rule's match (port and gateways) selects the traffic.
func matchApplies(vs *networkingv1.VirtualService, mPort uint32, mGateways []string, gateway string, port int) bool {
	if mPort != 0 && int(mPort) != port {
		return false
	}
	if len(mGateways) == 0 {
		return true
	}
	return slices.ContainsFunc(mGateways, func(g string) bool { return gatewayMatch(g, vs.Namespace, gateway) })
}

func (a *analysis) vsDestination(vs *networkingv1.VirtualService, gateway string, port int, proto string) *apiv1alpha3.Destination {
	if proto == "http" {
		for _, r := range vs.Spec.GetHttp() {
			if httpRuleApplies(vs, r, gateway, port) && len(r.GetRoute()) > 0 {
				return heaviest(r.GetRoute())
			}
		}
		return nil
	}
	for _, r := range vs.Spec.GetTls() {
		if a.tlsRuleApplies(vs, r, gateway, port) && len(r.GetRoute()) > 0 {
			return heaviestL4(r.GetRoute())
		}
	}
	for _, r := range vs.Spec.GetTcp() {
		if tcpRuleApplies(vs, r, gateway, port) && len(r.GetRoute()) > 0 {
			return heaviestL4(r.GetRoute())
		}
	}
	return nil
}

func httpRuleApplies(vs *networkingv1.VirtualService, r *apiv1alpha3.HTTPRoute, gateway string, port int) bool {
	if len(r.GetMatch()) == 0 {
		return true
	}
	return slices.ContainsFunc(r.GetMatch(), func(m *apiv1alpha3.HTTPMatchRequest) bool {
		return matchApplies(vs, m.GetPort(), m.GetGateways(), gateway, port)
	})
}

func (a *analysis) tlsRuleApplies(vs *networkingv1.VirtualService, r *apiv1alpha3.TLSRoute, gateway string, port int) bool {
	return slices.ContainsFunc(r.GetMatch(), func(m *apiv1alpha3.TLSMatchAttributes) bool {
		return matchApplies(vs, m.GetPort(), m.GetGateways(), gateway, port) &&
			(len(m.GetSniHosts()) == 0 || anyHostMatches(m.GetSniHosts(), vs.Namespace, a.target.Host))
	})
}

func tcpRuleApplies(vs *networkingv1.VirtualService, r *apiv1alpha3.TCPRoute, gateway string, port int) bool {
	if len(r.GetMatch()) == 0 {
		return true
	}
	return slices.ContainsFunc(r.GetMatch(), func(m *apiv1alpha3.L4MatchAttributes) bool {
		return matchApplies(vs, m.GetPort(), m.GetGateways(), gateway, port)
	})
}

func heaviest(routes []*apiv1alpha3.HTTPRouteDestination) *apiv1alpha3.Destination {
	best := routes[0]
	for _, r := range routes[1:] {
		if r.GetWeight() > best.GetWeight() {
			best = r
		}
	}
	return best.GetDestination()
}

func heaviestL4(routes []*apiv1alpha3.RouteDestination) *apiv1alpha3.Destination {
	best := routes[0]
	for _, r := range routes[1:] {
		if r.GetWeight() > best.GetWeight() {
			best = r
		}
	}
	return best.GetDestination()
}

// drFor returns the DestinationRule a proxy in ns with podLabels uses for host, following
// Istio's lookup path: the proxy's namespace, the host's namespace, the root namespace.
// A DR with a workloadSelector applies only to the pods it selects.
func (a *analysis) drFor(ns string, podLabels map[string]string, host, hostNS string) *networkingv1.DestinationRule {
	drs := a.snap.DestinationRulesForHost(host)
	for _, look := range []string{ns, hostNS, a.snap.Mesh.RootNamespace} {
		for _, dr := range drs {
			if dr.Namespace != look || !exportedTo(dr.Spec.GetExportTo(), dr.Namespace, ns) {
				continue
			}
			if sel := dr.Spec.GetWorkloadSelector().GetMatchLabels(); len(sel) > 0 && !labels.SelectorFromSet(sel).Matches(labels.Set(podLabels)) {
				continue
			}
			return dr
		}
	}
	return nil
}

// subsetDR returns the DestinationRule for host visible to the client that defines subset.
func (a *analysis) subsetDR(host, subset string) *networkingv1.DestinationRule {
	for _, dr := range a.snap.DestinationRulesForHost(host) {
		if hasSubset(dr, subset) && exportedTo(dr.Spec.GetExportTo(), dr.Namespace, a.clientNS) {
			return dr
		}
	}
	return nil
}

// hostNamespace is the namespace Istio files a host under for DR lookup: the Service's,
// else the first ServiceEntry's.
func (a *analysis) hostNamespace(host string) string {
	if svc := serviceForHost(a.snap, host); svc != nil {
		return svc.Namespace
	}
	for _, se := range a.snap.ServiceEntriesForHost(host) {
		return se.Namespace
	}
	return ""
}

// podLabels returns the labels of pod key "ns/name", or nil.
func (a *analysis) podLabels(key string) map[string]string {
	if p := a.snap.Pods[key]; p != nil {
		return p.Labels
	}
	return nil
}
