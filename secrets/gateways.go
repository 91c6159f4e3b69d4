package secrets

import (
	"slices"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// gatewayIndex answers "which egress gateway pods use this DestinationRule" for every
// gateway rule of a run. Each part is built on first use and then reused, so a run
// visits every VirtualService and selects each Gateway's pods once, however many rules
// name a credential.
type gatewayIndex struct {
	snap *mesh.Snapshot
	// pods holds each Gateway's selected pods by Gateway key.
	pods map[string][]*corev1.Pod
	// byNS holds every gateway pod (selected by a Gateway or labelled
	// istio=egressgateway) by namespace.
	byNS map[string][]*corev1.Pod
	// routes maps a route destination host to the keys of the Gateways bound by the
	// VirtualServices routing there; wildcard destinations are keyed by the suffix after
	// "*" in wildRoutes ("*" itself under "").
	routes, wildRoutes map[string][]string
}

// podsFor returns the egress gateway pods that use dr for host, ordered by
// namespace/name: pods of Gateways bound by a VirtualService routing to host, where dr
// is visible, plus gateway pods in dr's own namespace.
func (ix *gatewayIndex) podsFor(dr *networkingv1.DestinationRule, host string) []*corev1.Pod {
	set := map[string]*corev1.Pod{}
	for _, gk := range ix.gatewaysRoutingTo(host) {
		for _, p := range ix.podsOf(gk) {
			if visible(dr, p.Namespace) {
				set[mesh.Key(p.Namespace, p.Name)] = p
			}
		}
	}
	for _, p := range ix.gatewayPodsIn(dr.Namespace) {
		set[mesh.Key(p.Namespace, p.Name)] = p
	}
	out := make([]*corev1.Pod, 0, len(set))
	for _, k := range mesh.SortedKeys(set) {
		out = append(out, set[k])
	}
	return out
}

// visible reports whether dr is exported to namespace ns (Istio's default exportTo is "*").
func visible(dr *networkingv1.DestinationRule, ns string) bool {
	exp := dr.Spec.GetExportTo()
	if len(exp) == 0 || dr.Namespace == ns || slices.Contains(exp, "*") || slices.Contains(exp, ns) {
		return true
	}
	return false
}

// podsOf returns the pods of every namespace selected by the Gateway gwKey.
func (ix *gatewayIndex) podsOf(gwKey string) []*corev1.Pod {
	if pods, ok := ix.pods[gwKey]; ok {
		return pods
	}
	if ix.pods == nil {
		ix.pods = map[string][]*corev1.Pod{}
	}
	pods := podsSelectedBy(ix.snap, ix.snap.Gateways[gwKey].Spec.GetSelector())
	ix.pods[gwKey] = pods
	return pods
}

// podsSelectedBy returns the pods of every namespace carrying all of sel's labels.
func podsSelectedBy(s *mesh.Snapshot, sel map[string]string) []*corev1.Pod {
	if len(sel) == 0 {
		return nil
	}
	return s.PodsMatchingAnyNamespace(labels.SelectorFromSet(sel))
}

// routerPods are the snapshot's pods that run Istio's proxy as a gateway, by key order.
func routerPods(s *mesh.Snapshot) []*corev1.Pod {
	var out []*corev1.Pod
	for _, k := range mesh.SortedKeys(s.Pods) {
		if mesh.IsRouter(s.Pods[k]) {
			out = append(out, s.Pods[k])
		}
	}
	return out
}

// gatewayPodsIn returns the gateway pods of namespace ns: pods selected by any Gateway,
// pods running Istio's proxy as a router (mesh.IsRouter: custom-labelled gateways, Gateway
// API deployments), and those carrying the chart's istio=egressgateway label.
func (ix *gatewayIndex) gatewayPodsIn(ns string) []*corev1.Pod {
	if ix.byNS == nil {
		seen := map[string]bool{}
		ix.byNS = map[string][]*corev1.Pod{}
		add := func(pods []*corev1.Pod) {
			for _, p := range pods {
				if k := mesh.Key(p.Namespace, p.Name); !seen[k] {
					seen[k] = true
					ix.byNS[p.Namespace] = append(ix.byNS[p.Namespace], p)
				}
			}
		}
		add(podsSelectedBy(ix.snap, egressGatewayLabel))
		add(routerPods(ix.snap))
		for _, k := range mesh.SortedKeys(ix.snap.Gateways) {
			add(ix.podsOf(k))
		}
	}
	return ix.byNS[ns]
}

// gatewaysRoutingTo returns the keys of the Gateways bound by a VirtualService with a
// route to host (a FQDN), in no particular order.
func (ix *gatewayIndex) gatewaysRoutingTo(host string) []string {
	if ix.routes == nil {
		ix.indexRoutes()
	}
	host = strings.ToLower(host)
	set := map[string]bool{}
	if strings.HasPrefix(host, "*") {
		// A wildcard host may cover any destination: compare with each.
		for dest, gws := range ix.routes {
			addAll(set, gws, hostMatches(host, dest))
		}
		for suffix, gws := range ix.wildRoutes {
			addAll(set, gws, hostMatches(host, "*"+suffix))
		}
	} else {
		addAll(set, ix.routes[host], true)
		for i := range len(host) + 1 {
			addAll(set, ix.wildRoutes[host[i:]], true)
		}
	}
	return mesh.SortedKeys(set)
}

func addAll(set map[string]bool, keys []string, ok bool) {
	if !ok {
		return
	}
	for _, k := range keys {
		set[k] = true
	}
}

// indexRoutes fills routes and wildRoutes from the VirtualServices bound to a Gateway.
func (ix *gatewayIndex) indexRoutes() {
	ix.routes, ix.wildRoutes = map[string][]string{}, map[string][]string{}
	for _, vs := range ix.snap.VirtualServices {
		gws := boundGateways(ix.snap, vs)
		if len(gws) == 0 {
			continue
		}
		for _, h := range routeHosts(vs) {
			dest := mesh.FQDN(h, vs.Namespace)
			if suffix, ok := strings.CutPrefix(dest, "*"); ok {
				ix.wildRoutes[suffix] = append(ix.wildRoutes[suffix], gws...)
			} else {
				ix.routes[dest] = append(ix.routes[dest], gws...)
			}
		}
	}
}

// boundGateways returns the keys of the existing Gateways vs names.
func boundGateways(s *mesh.Snapshot, vs *networkingv1.VirtualService) []string {
	var out []string
	for _, g := range vs.Spec.GetGateways() {
		k := g
		if !strings.Contains(g, "/") {
			k = mesh.Key(vs.Namespace, g)
		}
		if _, ok := s.Gateways[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

// routeHosts lists the destination hosts of vs's HTTP, TLS and TCP routes.
func routeHosts(vs *networkingv1.VirtualService) []string {
	var hosts []string
	for _, r := range vs.Spec.GetHttp() {
		for _, dst := range r.GetRoute() {
			hosts = append(hosts, dst.GetDestination().GetHost())
		}
	}
	for _, r := range vs.Spec.GetTls() {
		for _, dst := range r.GetRoute() {
			hosts = append(hosts, dst.GetDestination().GetHost())
		}
	}
	for _, r := range vs.Spec.GetTcp() {
		for _, dst := range r.GetRoute() {
			hosts = append(hosts, dst.GetDestination().GetHost())
		}
	}
	return hosts
}
