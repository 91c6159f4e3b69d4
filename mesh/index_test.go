package mesh

import (
	"fmt"
	"strings"
	"testing"

	networking "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
)

func newSE(ns, name string, hosts ...string) *networkingv1.ServiceEntry {
	se := &networkingv1.ServiceEntry{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	se.Spec.Hosts = hosts
	return se
}

func newDR(ns, name, host string) *networkingv1.DestinationRule {
	dr := &networkingv1.DestinationRule{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	dr.Spec.Host = host
	return dr
}

func newVS(ns, name string, hosts ...string) *networkingv1.VirtualService {
	vs := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	vs.Spec.Hosts = hosts
	return vs
}

func TestHostLookups(t *testing.T) {
	s := snapshotOf(t,
		newSE("default", "cnn", "edition.cnn.com", "www.cnn.com"),
		newSE("b", "wiki", "*.wikipedia.org"),
		newSE("a", "all", "*"),
		newSE("default", "short", "reviews"),
		newDR("istio-system", "egressgateway", "istio-egressgateway.istio-system.svc.cluster.local"),
		newDR("default", "wiki", "*.wikipedia.org"),
		newDR("default", "short", "reviews"),
		newVS("default", "cnn", "edition.cnn.com", "EXAMPLE.com"),
	)
	names := func(objs []string) string { return strings.Join(objs, " ") }
	tests := []struct {
		name string
		got  func() []string
		want string
	}{
		{"SE exact plus catch-all", func() []string { return seKeys(s.ServiceEntriesForHost("edition.cnn.com")) }, "a/all default/cnn"},
		{"SE wildcard any depth", func() []string { return seKeys(s.ServiceEntriesForHost("en.m.wikipedia.org")) }, "a/all b/wiki"},
		{"SE wildcard host itself", func() []string { return seKeys(s.ServiceEntriesForHost("*.wikipedia.org")) }, "a/all b/wiki"},
		{"SE bare domain not covered by *.domain", func() []string { return seKeys(s.ServiceEntriesForHost("wikipedia.org")) }, "a/all"},
		{"SE short name expanded", func() []string { return seKeys(s.ServiceEntriesForHost("reviews.default.svc.cluster.local")) }, "a/all default/short"},
		{"DR exact", func() []string {
			return drKeys(s.DestinationRulesForHost("istio-egressgateway.istio-system.svc.cluster.local"))
		}, "istio-system/egressgateway"},
		{"DR wildcard", func() []string { return drKeys(s.DestinationRulesForHost("de.wikipedia.org")) }, "default/wiki"},
		{"DR short name", func() []string { return drKeys(s.DestinationRulesForHost("reviews.default.svc.cluster.local")) }, "default/short"},
		{"VS case-insensitive", func() []string { return vsKeys(s.VirtualServicesForHost("example.COM")) }, "default/cnn"},
		{"VS none", func() []string { return vsKeys(s.VirtualServicesForHost("www.cnn.com")) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(tt.got()); got != tt.want {
				t.Errorf("lookup = %q, want %q", got, tt.want)
			}
		})
	}
}

// withPort adds a port to se.
func withPort(se *networkingv1.ServiceEntry, number uint32, protocol string) *networkingv1.ServiceEntry {
	se.Spec.Ports = append(se.Spec.Ports, &networking.ServicePort{Number: number, Protocol: protocol})
	return se
}

func TestServiceEntriesOnPort(t *testing.T) {
	s := snapshotOf(t,
		withPort(withPort(newSE("b", "web", "web.example.com"), 80, "HTTP"), 443, "TLS"),
		withPort(newSE("a", "raw", "raw.example.com"), 443, "tcp"),
		withPort(withPort(newSE("a", "twice", "twice.example.com"), 443, "HTTP"), 443, "HTTP2"),
		newSE("a", "noports", "none.example.com"),
	)
	tests := []struct {
		name      string
		port      int
		protocols []string
		want      string
	}{
		{"any protocol", 443, nil, "a/raw a/twice b/web"},
		{"protocol case-insensitive", 443, []string{"TCP"}, "a/raw"},
		{"one of several protocols, each SE once", 443, []string{"http", "HTTP2", "GRPC"}, "a/twice"},
		{"other port", 80, nil, "b/web"},
		{"protocol not on port", 80, []string{"TLS"}, ""},
		{"port nobody declares", 8443, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(seKeys(s.ServiceEntriesOnPort(tt.port, tt.protocols...)), " "); got != tt.want {
				t.Errorf("ServiceEntriesOnPort(%d, %q) = %q, want %q", tt.port, tt.protocols, got, tt.want)
			}
		})
	}
}

func TestPodsMatchingAnyNamespace(t *testing.T) {
	s := snapshotOf(t,
		newPod("gw-1", inNS("istio-system"), withLabels("istio", "egressgateway", "app", "gw")),
		newPod("gw-2", inNS("egress"), withLabels("istio", "egressgateway")),
		newPod("gw-3", inNS("egress-b"), withLabels("istio", "egressgateway")),
		newPod("sleep", withLabels("app", "sleep")),
	)
	tests := []struct {
		name string
		sel  labels.Selector
		want string
	}{
		{"label across namespaces, by namespace/name", labels.SelectorFromSet(labels.Set{"istio": "egressgateway"}), "egress-b/gw-3 egress/gw-2 istio-system/gw-1"},
		{"all labels required", labels.SelectorFromSet(labels.Set{"istio": "egressgateway", "app": "gw"}), "istio-system/gw-1"},
		{"no match", labels.SelectorFromSet(labels.Set{"istio": "ingressgateway"}), ""},
		{"no equality requirement scans every namespace", labels.Everything(), "default/sleep egress-b/gw-3 egress/gw-2 istio-system/gw-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(podKeyList(s.PodsMatchingAnyNamespace(tt.sel)), " "); got != tt.want {
				t.Errorf("PodsMatchingAnyNamespace(%q) = %q, want %q", tt.sel, got, tt.want)
			}
		})
	}
}

func podKeyList(l []*corev1.Pod) (out []string) {
	for _, o := range l {
		out = append(out, Key(o.Namespace, o.Name))
	}
	return out
}

func seKeys(l []*networkingv1.ServiceEntry) (out []string) {
	for _, o := range l {
		out = append(out, Key(o.Namespace, o.Name))
	}
	return out
}

func drKeys(l []*networkingv1.DestinationRule) (out []string) {
	for _, o := range l {
		out = append(out, Key(o.Namespace, o.Name))
	}
	return out
}

func vsKeys(l []*networkingv1.VirtualService) (out []string) {
	for _, o := range l {
		out = append(out, Key(o.Namespace, o.Name))
	}
	return out
}

// BenchmarkLookups checks that lookups stay cheap on a 10k-object mesh.
func BenchmarkLookups(b *testing.B) {
	s := NewSnapshot("")
	for i := 0; i < 5000; i++ {
		objs := []runtime.Object{newSE("ns", fmt.Sprintf("se%d", i), fmt.Sprintf("h%d.example.com", i)),
			newPod(fmt.Sprintf("p%d", i), withLabels("app", fmt.Sprintf("a%d", i%100)))}
		for _, o := range objs {
			if err := s.Add(o, "bench"); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(s.ServiceEntriesForHost("h42.example.com")) != 1 {
			b.Fatal("lookup failed")
		}
		if _, err := s.ResolveWorkload("default", "app=a7"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestServiceKeyForHost(t *testing.T) {
	tests := []struct {
		host, ns, name string
		ok             bool
	}{
		{host: "my-nginx.mesh-external.svc.cluster.local", ns: "mesh-external", name: "my-nginx", ok: true},
		{host: "my-nginx.mesh-external.svc", ns: "mesh-external", name: "my-nginx", ok: true},
		{host: "my-nginx.mesh-external", ns: "mesh-external", name: "my-nginx", ok: true},
		{host: "edition.cnn.com"},
		{host: "api.example.com"},
		{host: "localhost"},
	}
	for _, tt := range tests {
		ns, name, ok := ServiceKeyForHost(tt.host)
		if ns != tt.ns || name != tt.name || ok != tt.ok {
			t.Errorf("ServiceKeyForHost(%q) = %q, %q, %v, want %q, %q, %v", tt.host, ns, name, ok, tt.ns, tt.name, tt.ok)
		}
	}
}
