package envoy

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestParseEgressGateway covers the states and TLS details public dumps lack,
// on a hand-written egress gateway dump (testdata/envoy/egress-gateway.json).
func TestParseEgressGateway(t *testing.T) {
	d := parseFixture(t, "egress-gateway.json")
	wantNode(t, d, ProxyRouter, "istio-system", "istio-egressgateway-5d8f6c9d4-x2x7q", "1.26.0")
	if !d.Node.DNSCapture || d.Node.Labels["istio"] != "egressgateway" || d.Node.ClusterID != "Kubernetes" {
		t.Errorf("Node = %+v, want DNS capture, label istio=egressgateway, cluster id Kubernetes", d.Node)
	}
	t.Run("listeners", func(t *testing.T) {
		l := d.Listener("0.0.0.0_8443")
		if l == nil || len(l.FilterChains) != 3 {
			t.Fatalf("Listener(0.0.0.0_8443) = %v, want 3 chains", l)
		}
		if fc := l.FilterChainForSNI("en.wikipedia.org"); fc == nil || fc.TCP() == nil || fc.TCP().Cluster != "outbound|443||www.wikipedia.org" {
			t.Errorf("FilterChainForSNI(en.wikipedia.org) = %+v, want tcp_proxy to outbound|443||www.wikipedia.org", fc)
		}
		fc := l.FilterChainForSNI("edition.cnn.com")
		if fc == nil || fc.HTTP() == nil || fc.HTTP().RDSRouteConfig != "https.443.https-egress.istio-egressgateway.istio-system" {
			t.Fatalf("FilterChainForSNI(edition.cnn.com) = %+v, want HCM with RDS https.443...", fc)
		}
		if fc.TLS == nil || !fc.TLS.RequireClientCertificate || fc.TLS.ValidationSDS != "ROOTCA" || fc.Match.TransportProtocol != "tls" {
			t.Errorf("edition.cnn.com chain TLS = %+v, match %+v, want mTLS with ROOTCA", fc.TLS, fc.Match)
		}
		if got := l.FilterChains[2].Match; got.DestinationPort != 8443 || !slices.Equal(got.PrefixRanges, []string{"10.0.0.0/8"}) {
			t.Errorf("catchall match = %+v", got)
		}
		if got := d.ListenersOnPort(8080); len(got) != 2 || got[0].State != StateActive || got[1].State != StateWarming {
			t.Errorf("ListenersOnPort(8080) = %v, want active then warming", got)
		}
		bad := d.Listener("0.0.0.0_9443")
		if bad == nil || bad.State != StateRejected || bad.Error == nil || !strings.Contains(bad.Error.Details, "multiple filter chains") {
			t.Errorf("Listener(0.0.0.0_9443) = %+v, want rejected with error details", bad)
		}
	})
	t.Run("routes", func(t *testing.T) {
		rc := d.RouteConfig("http.8080")
		vh := rc.VirtualHostFor("edition.cnn.com", 80)
		if vh == nil || vh.Routes[0].Cluster != "outbound|443|cnn|istio-egressgateway.istio-system.svc.cluster.local" || vh.Routes[0].Timeout != Duration(15*time.Second) {
			t.Fatalf("VirtualHostFor(edition.cnn.com, 80) = %+v", vh)
		}
		if ref := vh.Routes[0].Config; ref == nil || ref.Kind != "virtual-service" || ref.Name != "direct-cnn-through-egress-gateway" {
			t.Errorf("route config ref = %+v", ref)
		}
		wiki := rc.VirtualHostFor("de.wikipedia.org", 80)
		if wiki == nil || wiki.Routes[0].DirectResponse.Status != 403 || wiki.Routes[1].Redirect.Scheme != "https" || len(wiki.Routes[2].WeightedClusters) != 2 {
			t.Errorf("VirtualHostFor(de.wikipedia.org) = %+v", wiki)
		}
		if vh := rc.VirtualHostFor("example.net", 80); vh == nil || vh.Name != "block_all" || vh.Routes[0].DirectResponse.Status != 502 {
			t.Errorf("VirtualHostFor(example.net) = %+v, want block_all 502", vh)
		}
	})
	t.Run("clusters", func(t *testing.T) {
		c := wantCluster(t, d, "outbound|443||edition.cnn.com", "STRICT_DNS")
		if !slices.Equal(c.Hosts, []string{"edition.cnn.com:443"}) || c.TLS == nil || c.TLS.SNI != "edition.cnn.com" {
			t.Fatalf("cluster %s = %+v", c.Name, c)
		}
		want := TLSContext{ALPN: []string{"h2", "http/1.1"}, CertificateSDS: []string{"kubernetes://client-credential"},
			ValidationSDS: "kubernetes://client-credential-cacert", SANMatchers: []string{"exact:edition.cnn.com"}}
		if got, _ := json.Marshal(c.TLS.TLSContext); string(got) != string(mustJSON(want)) {
			t.Errorf("cluster TLS = %s, want %s", got, mustJSON(want))
		}
		if c.Config == nil || c.Config.Namespace != "istio-system" || c.Config.Name != "originate-mtls-for-cnn" {
			t.Errorf("cluster Config = %+v", c.Config)
		}
		if w := d.Cluster("outbound|80||httpbin.org"); w == nil || w.State != StateWarming || w.Type != "LOGICAL_DNS" {
			t.Errorf("Cluster(httpbin.org) = %+v, want warming LOGICAL_DNS", w)
		}
		if r := d.Cluster("outbound|443||bad.example.com"); r == nil || r.State != StateRejected || r.Error == nil {
			t.Errorf("Cluster(bad.example.com) = %+v, want rejected with error", r)
		}
		if got := d.ClustersForHost("edition.cnn.com", 443); len(got) != 1 || got[0].Name != "outbound|443||edition.cnn.com" {
			t.Errorf("ClustersForHost(edition.cnn.com, 443) = %v", got)
		}
		if got := d.ClustersForHost("edition.cnn.com", 80); len(got) != 0 {
			t.Errorf("ClustersForHost(edition.cnn.com, 80) = %v, want none", got)
		}
		if s := d.Cluster("xds-grpc"); s == nil || !s.Static {
			t.Errorf("Cluster(xds-grpc) = %+v, want static", s)
		}
	})
	t.Run("secrets and endpoints", func(t *testing.T) {
		s := wantSecret(t, d, "default", StateActive, "tls_certificate")
		if len(s.Certificates) != 2 || s.Certificates[0].Serial != "c0ffee" || s.Certificates[1].Serial != "1a2b" || !s.Certificates[1].IsCA {
			t.Errorf("secret default certificates = %+v", s.Certificates)
		}
		if fp := s.Certificates[1].SHA256; fp != "0b6ae04f081a7d439b62e01a8e03adf02fdc1f25a1ff32cf58772c912e380dc7" {
			t.Errorf("CA fingerprint = %s", fp)
		}
		wantSecret(t, d, "kubernetes://client-credential", StateWarming, "")
		if f := wantSecret(t, d, "file-root:system", StateActive, "validation_context"); f.File != "/etc/ssl/certs/ca-certificates.crt" || !f.Static {
			t.Errorf("secret file-root:system = %+v", f)
		}
		e := d.EndpointsFor("outbound|15012||istiod.istio-system.svc.cluster.local")
		if e == nil || len(e.Endpoints) != 2 || e.Endpoints[0].Address != "10.244.0.5:15012" || e.Endpoints[0].Health != "UNHEALTHY" || e.Endpoints[0].Locality != "eu/eu-1a/" {
			t.Errorf("EndpointsFor(istiod) = %+v", e)
		}
	})
	wantUnknown(t, d, "type.googleapis.com/stats.PluginConfig", "type.googleapis.com/udpa.type.v1.TypedStruct")
	if !slices.Contains(d.Sections, "type.googleapis.com/envoy.admin.v3.ScopedRoutesConfigDump") {
		t.Errorf("Sections = %q, want the scoped routes entry listed", d.Sections)
	}
}
