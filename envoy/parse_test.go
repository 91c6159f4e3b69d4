package envoy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "envoy", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parseFixture(t testing.TB, name string) *Dump {
	t.Helper()
	d, err := Parse(readFixture(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return d
}

// TestParsePublic asserts known facts about real dumps from public repositories.
func TestParsePublic(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		check func(t *testing.T, d *Dump)
	}{
		{"istio 1.22 sidecar", "public/slb-sidecar.json", func(t *testing.T, d *Dump) {
			wantNode(t, d, ProxySidecar, "default", "app1-0", "1.22.3")
			c := wantCluster(t, d, "outbound|3333|app1-0|app1.default.svc.cluster.local", "EDS")
			if c.Istio == nil || c.Istio.Subset != "app1-0" || c.Istio.Port != 3333 {
				t.Errorf("cluster %s Istio = %+v, want subset app1-0 port 3333", c.Name, c.Istio)
			}
			if c.Config == nil || c.Config.Kind != "destination-rule" || c.Config.Namespace != "default" || c.Config.Name != "app1-destination" {
				t.Errorf("cluster %s Config = %+v, want destination-rule default/app1-destination", c.Name, c.Config)
			}
			m := c.AutoMTLS()
			if m == nil || m.TLS == nil || !slices.Equal(m.TLS.CertificateSDS, []string{"default"}) || m.TLS.ValidationSDS != "ROOTCA" {
				t.Errorf("cluster %s AutoMTLS() = %+v, want tlsMode=istio with SDS default / ROOTCA", c.Name, m)
			}
			wantCluster(t, d, "PassthroughCluster", "ORIGINAL_DST")
			if l := d.Listener("virtualOutbound"); l == nil || l.Port != 15001 {
				t.Errorf("Listener(virtualOutbound) = %v, want port 15001", l)
			}
			wantSecret(t, d, "ROOTCA", StateActive, "validation_context")
			s := wantSecret(t, d, "default", StateActive, "tls_certificate")
			if len(s.Certificates) != 2 || len(s.Certificates[0].URIs) != 1 || !strings.HasPrefix(s.Certificates[0].URIs[0], "spiffe://cluster.local/ns/default/sa/") {
				t.Errorf("secret default certificates = %+v, want leaf with a spiffe URI and the root", s.Certificates)
			}
			wantUnknown(t, d, "type.googleapis.com/udpa.type.v1.TypedStruct", "type.googleapis.com/stats.PluginConfig")
		}},
		{"istio 1.22 ingress gateway", "public/slb-ingress-exp3.json", func(t *testing.T, d *Dump) {
			wantNode(t, d, ProxyRouter, "istio-system", "istio-ingressgateway-666cd48bd9-6v6cj", "1.22.3")
			if l := d.Listener("0.0.0.0_8080"); l == nil || l.FilterChains[0].HTTP() == nil {
				t.Fatalf("Listener(0.0.0.0_8080) = %v, want an HTTP chain", l)
			}
			rc := d.RouteConfigFor(d.Listener("0.0.0.0_8080").FilterChains[0].HTTP())
			if rc == nil || rc.Name != "http.8080" {
				t.Errorf("RouteConfigFor(0.0.0.0_8080) = %v, want http.8080", rc)
			}
		}},
		{"istio 1.6 sidecar with v2 resources", "public/istio1.6-productpage.json", func(t *testing.T, d *Dump) {
			wantNode(t, d, ProxySidecar, "default", "productpage-v1-c7765c886-v99jb", "")
			wantCluster(t, d, "outbound|9080|v1|reviews.default.svc.cluster.local", "EDS")
			wantLegacy(t, d, "type.googleapis.com/envoy.api.v2.Cluster", 18)
			if l := d.Listener("virtualOutbound"); l == nil || l.Port != 15001 || len(l.FilterChains) != 2 {
				t.Errorf("Listener(virtualOutbound) = %v, want port 15001 with 2 chains", l)
			}
			rc := d.RouteConfig("9080")
			if vh := rc.VirtualHostFor("reviews.default.svc.cluster.local", 9080); vh == nil || !strings.HasPrefix(vh.Name, "reviews.default.svc.cluster.local") {
				t.Errorf("RouteConfig(9080).VirtualHostFor(reviews..., 9080) = %v, want the reviews virtual host", vh)
			}
		}},
		{"istio 1.6 ingress gateway", "public/istio1.6-ingressgateway.json", func(t *testing.T, d *Dump) {
			wantNode(t, d, ProxyRouter, "istio-system", "istio-ingressgateway-5bf6c9887-vvvmj", "1.3.0")
			if len(d.Clusters) != 125 {
				t.Errorf("len(Clusters) = %d, want 125", len(d.Clusters))
			}
		}},
		{"EDS dump", "public/istioctl-endpoint.json", func(t *testing.T, d *Dump) {
			e := d.EndpointsFor("outbound|9080||reviews.default.svc.cluster.local")
			if e == nil || len(e.Endpoints) != 3 {
				t.Fatalf("EndpointsFor(reviews) = %v, want 3 endpoints", e)
			}
			if e.Endpoints[0].Address != "10.244.0.192:9080" || e.Endpoints[0].Health != "HEALTHY" {
				t.Errorf("first reviews endpoint = %+v, want 10.244.0.192:9080 HEALTHY", e.Endpoints[0])
			}
		}},
		{"secrets with a warming one", "public/istioctl-secret-istio.json", func(t *testing.T, d *Dump) {
			wantSecret(t, d, "configmap://some/thing", StateWarming, "")
			s := wantSecret(t, d, "default", StateActive, "tls_certificate")
			if got := s.Certificates[0].URIs; !slices.Equal(got, []string{"spiffe://cluster.local/ns/ambient/sa/namespace-istio-waypoint"}) {
				t.Errorf("secret default leaf URIs = %q", got)
			}
			if s.Certificates[0].Serial != "6fbee254c22900615cb1f74e3d2f1713" {
				t.Errorf("secret default leaf serial = %s", s.Certificates[0].Serial)
			}
		}},
		{"waypoint", "public/istioctl-proxyconfig.json", func(t *testing.T, d *Dump) {
			wantNode(t, d, "waypoint", "default", "httpbin-istio-waypoint-58f646c5ff-dbfkz", "1.21.0-1226")
			if len(d.Endpoints) != 2 || len(d.Secrets) != 2 {
				t.Errorf("endpoints, secrets = %d, %d, want 2, 2", len(d.Endpoints), len(d.Secrets))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, parseFixture(t, tt.file)) })
	}
}

// TestParseNeverKeepsPrivateKeys feeds a real PEM private key and checks the
// model, rendered as JSON, holds no trace of it.
func TestParseNeverKeepsPrivateKeys(t *testing.T) {
	key := "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETSECRETSECRET\n-----END PRIVATE KEY-----\n"
	in := strings.Replace(string(readEditedSource(t)), `"inline_string": "[redacted]"`, `"inline_string": `+string(mustJSON(key)), 1)
	if !strings.Contains(in, "SECRETSECRET") {
		t.Fatal("fixture edit failed: no private_key to replace")
	}
	d, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out := string(mustJSON(d))
	for _, bad := range []string{"SECRETSECRET", "PRIVATE KEY", "redacted"} {
		if strings.Contains(out, bad) {
			t.Errorf("model JSON contains %q", bad)
		}
	}
}

func TestParseDeterministic(t *testing.T) {
	data := readFixture(t, "public/slb-sidecar.json")
	a, _ := Parse(data)
	b, _ := Parse(data)
	if string(mustJSON(a)) != string(mustJSON(b)) {
		t.Error("two parses of the same dump differ")
	}
	if !slices.IsSortedFunc(a.Clusters, func(x, y Cluster) int { return strings.Compare(x.Name, y.Name) }) {
		t.Error("clusters are not sorted by name")
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func wantNode(t *testing.T, d *Dump, typ ProxyType, ns, pod, version string) {
	t.Helper()
	n := d.Node
	if n.Type != typ || n.Namespace != ns || n.PodName != pod || (version != "" && n.IstioVersion != version) {
		t.Errorf("Node = %s %s/%s %s, want %s %s/%s %s", n.Type, n.Namespace, n.PodName, n.IstioVersion, typ, ns, pod, version)
	}
}

func wantCluster(t *testing.T, d *Dump, name, typ string) *Cluster {
	t.Helper()
	c := d.Cluster(name)
	if c == nil {
		t.Fatalf("Cluster(%q) = nil", name)
	}
	if c.Type != typ {
		t.Errorf("Cluster(%q).Type = %s, want %s", name, c.Type, typ)
	}
	return c
}

func wantSecret(t *testing.T, d *Dump, name string, state State, kind string) *Secret {
	t.Helper()
	s := d.Secret(name)
	if s == nil {
		t.Fatalf("Secret(%q) = nil", name)
	}
	if s.State != state || s.Kind != kind {
		t.Errorf("Secret(%q) = %s %q, want %s %q", name, s.State, s.Kind, state, kind)
	}
	return s
}

func wantUnknown(t *testing.T, d *Dump, urls ...string) {
	t.Helper()
	for _, u := range urls {
		if !slices.ContainsFunc(d.UnknownTypes, func(tc TypeCount) bool { return tc.TypeURL == u && tc.Count > 0 }) {
			t.Errorf("UnknownTypes = %v, want %s", d.UnknownTypes, u)
		}
	}
	if !slices.IsSortedFunc(d.UnknownTypes, func(a, b TypeCount) int { return strings.Compare(a.TypeURL, b.TypeURL) }) {
		t.Errorf("UnknownTypes not sorted: %v", d.UnknownTypes)
	}
}

func wantLegacy(t *testing.T, d *Dump, url string, n int) {
	t.Helper()
	if !slices.Contains(d.LegacyTypes, TypeCount{url, n}) {
		t.Errorf("LegacyTypes = %v, want %s x%d", d.LegacyTypes, url, n)
	}
}
