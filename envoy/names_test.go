package envoy

import "testing"

func TestParseClusterName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want ClusterName
		ok   bool
	}{
		{"outbound service", "outbound|9080||reviews.default.svc.cluster.local", ClusterName{"outbound", 9080, "", "reviews.default.svc.cluster.local"}, true},
		{"outbound subset to egress gateway", "outbound|443|cnn|istio-egressgateway.istio-system.svc.cluster.local", ClusterName{"outbound", 443, "cnn", "istio-egressgateway.istio-system.svc.cluster.local"}, true},
		{"external host", "outbound|443||edition.cnn.com", ClusterName{"outbound", 443, "", "edition.cnn.com"}, true},
		{"inbound with port name", "inbound|9080|http|productpage.default.svc.cluster.local", ClusterName{"inbound", 9080, "http", "productpage.default.svc.cluster.local"}, true},
		{"inbound without host", "inbound|8080||", ClusterName{"inbound", 8080, "", ""}, true},
		{"passthrough", "PassthroughCluster", ClusterName{}, false},
		{"blackhole", "BlackHoleCluster", ClusterName{}, false},
		{"sni-dnat form", "outbound_.443_._.edition.cnn.com", ClusterName{}, false},
		{"bad port", "outbound|http||x.com", ClusterName{}, false},
		{"port out of range", "outbound|70000||x.com", ClusterName{}, false},
		{"outbound without host", "outbound|80||", ClusterName{}, false},
		{"too many parts", "outbound|80||x|y", ClusterName{}, false},
		{"empty", "", ClusterName{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseClusterName(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseClusterName(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
			if ok && got.String() != tt.in {
				t.Errorf("ParseClusterName(%q).String() = %q, want the input back", tt.in, got.String())
			}
		})
	}
}

func TestParseConfigRef(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want ConfigRef
		ok   bool
	}{
		{"destination rule v1", "/apis/networking.istio.io/v1/namespaces/istio-system/destination-rule/originate-mtls",
			ConfigRef{"networking.istio.io", "v1", "destination-rule", "istio-system", "originate-mtls", "/apis/networking.istio.io/v1/namespaces/istio-system/destination-rule/originate-mtls"}, true},
		{"virtual service v1alpha3", "/apis/networking.istio.io/v1alpha3/namespaces/default/virtual-service/reviews",
			ConfigRef{"networking.istio.io", "v1alpha3", "virtual-service", "default", "reviews", "/apis/networking.istio.io/v1alpha3/namespaces/default/virtual-service/reviews"}, true},
		{"cluster scoped", "/apis/networking.istio.io/v1/mesh/default", ConfigRef{"networking.istio.io", "v1", "mesh", "", "default", "/apis/networking.istio.io/v1/mesh/default"}, true},
		{"garbage", "reviews", ConfigRef{}, false},
		{"empty", "", ConfigRef{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseConfigRef(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseConfigRef(%q) = %+v, %v, want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseNodeID(t *testing.T) {
	tests := []struct {
		name                string
		in                  string
		typ                 ProxyType
		ip, pod, ns, domain string
		ok                  bool
	}{
		{"sidecar", "sidecar~10.1.1.1~sleep-7b9f8.default~default.svc.cluster.local", ProxySidecar, "10.1.1.1", "sleep-7b9f8", "default", "default.svc.cluster.local", true},
		{"router", "router~10.244.1.9~istio-egressgateway-5d8f.istio-system~istio-system.svc.cluster.local", ProxyRouter, "10.244.1.9", "istio-egressgateway-5d8f", "istio-system", "istio-system.svc.cluster.local", true},
		{"not istio", "envoy-front-proxy", "", "", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ok := ParseNodeID(tt.in)
			if ok != tt.ok || n.Type != tt.typ || n.IP != tt.ip || n.PodName != tt.pod || n.Namespace != tt.ns || n.DNSDomain != tt.domain {
				t.Errorf("ParseNodeID(%q) = %+v, %v, want %s %s %s %s %s, %v", tt.in, n, ok, tt.typ, tt.ip, tt.pod, tt.ns, tt.domain, tt.ok)
			}
		})
	}
}
