package secrets

import (
	"slices"
	"strings"
	"testing"

	networking "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

func routingVS(ns, name, gateway string, dests ...string) *networkingv1.VirtualService {
	vs := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	vs.Spec.Gateways = []string{gateway}
	for _, d := range dests {
		vs.Spec.Tls = append(vs.Spec.Tls, &networking.TLSRoute{Route: []*networking.RouteDestination{
			{Destination: &networking.Destination{Host: d}}}})
	}
	return vs
}

// TestGatewaysRoutingTo checks the route index against hostMatches applied to every
// VirtualService, the definition it replaces.
func TestGatewaysRoutingTo(t *testing.T) {
	s := mesh.NewSnapshot("")
	for _, gw := range []string{"a/exact", "a/wild", "a/all", "b/short", "a/unused"} {
		ns, name, _ := strings.Cut(gw, "/")
		if err := s.Add(&networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	vss := []*networkingv1.VirtualService{
		routingVS("a", "exact", "exact", "Edition.CNN.com"),
		routingVS("a", "wild", "a/wild", "*.wikipedia.org"),
		routingVS("a", "all", "all", "*"),
		routingVS("b", "short", "short", "reviews"),
		routingVS("a", "mesh", "mesh", "edition.cnn.com"),
	}
	for _, vs := range vss {
		if err := s.Add(vs, "test"); err != nil {
			t.Fatal(err)
		}
	}
	hosts := []string{"edition.cnn.com", "de.wikipedia.org", "wikipedia.org", "*.wikipedia.org", "*.org", "*",
		"reviews.b.svc.cluster.local", "reviews.a.svc.cluster.local", "", "*.cnn.com"}
	for _, host := range hosts {
		var want []string
		for _, vs := range vss {
			if slices.ContainsFunc(routeHosts(vs), func(h string) bool { return hostMatches(host, mesh.FQDN(h, vs.Namespace)) }) {
				want = append(want, boundGateways(s, vs)...)
			}
		}
		slices.Sort(want)
		ix := gatewayIndex{snap: s}
		if got := ix.gatewaysRoutingTo(host); !slices.Equal(got, want) {
			t.Errorf("gatewaysRoutingTo(%q) = %q, want %q", host, got, want)
		}
	}
}
