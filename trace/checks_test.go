package trace

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const scenarioGateway = "istio-system/istio-egressgateway-6d8c4b7f9-xk2lp"

// checkCase runs one trace and asserts that check code fires (with the catalogue's level,
// on object and proxy when given) or, with absent, that it does not.
type checkCase struct {
	name string
	code string
	// unit traces from trace/testdata/unit/base.yaml plus these overlays, without dumps;
	// scenario traces a testdata/scenarios directory (generated dumps) plus extra overlays.
	unit     []string
	scenario string
	extra    []string
	host     string
	port     int
	protocol string
	// edit changes the parsed inputs for states the generated dumps do not hold.
	edit   func(t *testing.T, in *Input)
	object string
	proxy  string
	absent bool
}

func (tc checkCase) input(t *testing.T) Input {
	t.Helper()
	var in Input
	if tc.scenario != "" {
		var extra []string
		for _, e := range tc.extra {
			extra = append(extra, filepath.Join("testdata", "unit", e))
		}
		in = loadScenario(t, filepath.Join("..", "testdata", "scenarios", tc.scenario), extra...)
	} else {
		in = Input{Snapshot: unitSnapshot(t, tc.unit...), Client: "default/sleep", Source: "files"}
	}
	in.Host, in.Port, in.Protocol = tc.host, tc.port, tc.protocol
	if tc.edit != nil {
		tc.edit(t, &in)
	}
	return in
}

func runCheckCases(t *testing.T, cases []checkCase) {
	t.Helper()
	levels := map[string]Level{}
	for _, d := range Catalogue() {
		levels[d.Code] = d.Level
	}
	for _, tc := range cases {
		t.Run(tc.code+"/"+tc.name, func(t *testing.T) {
			r := Run(tc.input(t))
			var got []Finding
			for _, f := range r.Findings {
				if f.Code == tc.code {
					got = append(got, f)
				}
			}
			if tc.absent {
				if len(got) > 0 {
					t.Errorf("findings %s = %+v, want none", tc.code, got)
				}
				return
			}
			ok := slices.ContainsFunc(got, func(f Finding) bool {
				return f.Level == levels[tc.code] && (tc.object == "" || f.Object == tc.object) && (tc.proxy == "" || f.Proxy == tc.proxy)
			})
			if !ok {
				t.Errorf("no %s finding at level %s on object %q proxy %q; got %+v (all codes %v)", tc.code, levels[tc.code], tc.object, tc.proxy, got, codesOf(r))
			}
		})
	}
}

// dumpCluster returns the parsed cluster name of proxy's dump, failing the test if absent.
func dumpCluster(t *testing.T, in *Input, proxy, name string) *envoy.Cluster {
	t.Helper()
	d := in.Dumps[proxy]
	if d == nil || d.Cluster(name) == nil {
		t.Fatalf("dump of %s has no cluster %s", proxy, name)
	}
	return d.Cluster(name)
}

// clientKey sets the key of the gateway's kubernetes://client-credential leaf certificate.
func clientKey(key string) func(t *testing.T, in *Input) {
	return func(t *testing.T, in *Input) {
		t.Helper()
		d := in.Dumps[scenarioGateway]
		for i := range d.Secrets {
			if d.Secrets[i].Name == "kubernetes://client-credential" && len(d.Secrets[i].Certificates) > 0 {
				d.Secrets[i].Certificates[0].Key = key
				return
			}
		}
		t.Fatalf("dump of %s has no certificate in kubernetes://client-credential", scenarioGateway)
	}
}

// expiredRootInBundle adds to the gateway's trusted CA bundle a root that expired a day
// before Now; with keepValid false, the bundle's valid roots expire too.
func expiredRootInBundle(keepValid bool) func(t *testing.T, in *Input) {
	return func(t *testing.T, in *Input) {
		t.Helper()
		d := in.Dumps[scenarioGateway]
		for i := range d.Secrets {
			s := &d.Secrets[i]
			if s.Kind != "validation_context" || len(s.Certificates) == 0 {
				continue
			}
			old := s.Certificates[0]
			old.Subject, old.NotAfter = "CN=Expired Root", in.Now.AddDate(0, 0, -1)
			if !keepValid {
				for j := range s.Certificates {
					s.Certificates[j].NotAfter = in.Now.AddDate(0, 0, -1)
				}
			}
			s.Certificates = append(s.Certificates, old)
			return
		}
		t.Fatalf("dump of %s has no trusted CA bundle", scenarioGateway)
	}
}

func TestChecksFire(t *testing.T) {
	runCheckCases(t, []checkCase{
		// EGR0104: wildcard ServiceEntry resolution.
		{name: "wildcard with DNS", code: "EGR0104", unit: []string{"wildcard-dns.yaml"}, host: "en.wikipedia.org", port: 443, object: "ServiceEntry default/wikipedia"},
		{name: "wildcard NONE without gateway", code: "EGR0104", unit: []string{"wildcard-none.yaml"}, host: "en.wikipedia.org", port: 443, absent: true},
		{name: "wildcard NONE, gateway routes on", code: "EGR0104", scenario: "gateway-wildcard", host: "en.wikipedia.org", port: 443, absent: true},

		// EGR0105: no endpoints. The dumps hold no EDS (istiod does not produce it), so an empty
		// load assignment for the gateway subset cluster is added to the parsed sidecar dump:
		// the egress gateway has no ready pods.
		{name: "gateway subset without endpoints", code: "EGR0105", scenario: "gateway-http", host: "edition.cnn.com", port: 80,
			edit: func(t *testing.T, in *Input) {
				c := dumpCluster(t, in, scenarioClient, "outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local")
				in.Dumps[scenarioClient].Endpoints = append(in.Dumps[scenarioClient].Endpoints, envoy.ClusterEndpoints{Cluster: edsName(c), Meta: envoy.Meta{State: envoy.StateActive}})
			}, proxy: scenarioClient},
		{name: "endpoints present", code: "EGR0105", scenario: "gateway-http", host: "edition.cnn.com", port: 80,
			edit: func(t *testing.T, in *Input) {
				c := dumpCluster(t, in, scenarioClient, "outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local")
				in.Dumps[scenarioClient].Endpoints = append(in.Dumps[scenarioClient].Endpoints, envoy.ClusterEndpoints{Cluster: edsName(c), Meta: envoy.Meta{State: envoy.StateActive},
					Endpoints: []envoy.Endpoint{{Address: "10.244.0.20:8080", Health: "HEALTHY"}}})
			}, absent: true},
		{name: "DNS cluster with its host", code: "EGR0105", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443, absent: true},

		// EGR0106: duplicate ServiceEntries.
		{name: "second SE for host and port", code: "EGR0106", scenario: "registry-only-with-se", extra: []string{"se-duplicate-cnn.yaml"}, host: "edition.cnn.com", port: 443, object: "ServiceEntry default/cnn-tls"},
		{name: "one SE", code: "EGR0106", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443, absent: true},

		// EGR0107: TCP ServiceEntry without addresses catches the port.
		{name: "TCP SE without addresses", code: "EGR0107", unit: []string{"tcp-se-catchall.yaml"}, host: "api.unknown.com", port: 443, object: "ServiceEntry default/db"},
		{name: "TCP SE with addresses", code: "EGR0107", unit: []string{"tcp-se-addresses.yaml"}, host: "api.unknown.com", port: 443, absent: true},
		{name: "host with its own TLS SE", code: "EGR0107", unit: []string{"tcp-se-catchall.yaml"}, host: "edition.cnn.com", port: 443, absent: true},
		{name: "the TCP SE's own host", code: "EGR0107", unit: []string{"tcp-se-catchall.yaml"}, host: "db.example.com", port: 443, absent: true},

		// EGR0203: no gateway route. The gateway's parsed route config http.8080 loses its
		// virtual hosts, as istiod renders it when no VirtualService bound to the Gateway routes the host.
		{name: "gateway route config without the host", code: "EGR0203", scenario: "gateway-http", host: "edition.cnn.com", port: 80,
			edit: func(t *testing.T, in *Input) {
				rc := in.Dumps[scenarioGateway].RouteConfig("http.8080")
				if rc == nil {
					t.Fatal("gateway dump has no route config http.8080")
				}
				rc.VirtualHosts = nil
			}, object: "Gateway default/istio-egressgateway", proxy: scenarioGateway},
		{name: "gateway routes the host", code: "EGR0203", scenario: "gateway-http", host: "edition.cnn.com", port: 80, absent: true},
		{name: "gateway routes the host (objects)", code: "EGR0203", unit: []string{"gateway.yaml"}, host: "edition.cnn.com", port: 80, absent: true},

		// EGR0207: TLS mode between sidecar and gateway.
		{name: "gateway ISTIO_MUTUAL, subset plaintext", code: "EGR0207", unit: []string{"gateway-istio-mutual.yaml"}, host: "edition.cnn.com", port: 80, object: "Gateway default/istio-egressgateway"},
		{name: "gateway HTTP, subset plaintext", code: "EGR0207", unit: []string{"gateway.yaml"}, host: "edition.cnn.com", port: 80, absent: true},
		{name: "ISTIO_MUTUAL both sides", code: "EGR0207", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80, absent: true},

		// EGR0208: the Service maps port 80 to a targetPort the gateway does not listen on.
		{name: "targetPort without listener", code: "EGR0208", scenario: "gateway-http", host: "edition.cnn.com", port: 80,
			edit: func(t *testing.T, in *Input) {
				// The Service (a manifest, not a dump) now says 80 → 8081; the gateway listens on 8080.
				svc := in.Snapshot.Services["istio-system/istio-egressgateway"]
				svc.Spec.Ports[0].TargetPort = intstr.FromInt32(8081)
			}, object: "Service istio-system/istio-egressgateway", proxy: scenarioGateway},
		{name: "targetPort with listener", code: "EGR0208", scenario: "gateway-http", host: "edition.cnn.com", port: 80, absent: true},

		// EGR0209: rules under the wrong protocol section.
		{name: "http rules on an HTTPS port", code: "EGR0209", unit: []string{"gateway.yaml", "vs-http-on-tls-port.yaml"}, host: "api.example.org", port: 443, object: "VirtualService default/api-org"},
		{name: "tls rules on an HTTPS port", code: "EGR0209", unit: []string{"gateway.yaml", "vs-tls-on-tls-port.yaml"}, host: "api.example.org", port: 443, absent: true},
		{name: "http rules on an HTTP port", code: "EGR0209", scenario: "gateway-http", host: "edition.cnn.com", port: 80, absent: true},
		{name: "tls rules on a TLS port", code: "EGR0209", scenario: "gateway-wildcard", host: "en.wikipedia.org", port: 443, absent: true},

		// EGR0210: two mesh VirtualServices for one host.
		{name: "two mesh VSs", code: "EGR0210", scenario: "gateway-http", extra: []string{"vs-second-mesh.yaml"}, host: "edition.cnn.com", port: 80, object: "VirtualService default/cnn-timeout"},
		{name: "one mesh VS", code: "EGR0210", scenario: "gateway-http", host: "edition.cnn.com", port: 80, absent: true},

		// EGR0302: object hidden from the client.
		{name: "SE exported to its namespace only", code: "EGR0302", unit: []string{"se-hidden.yaml"}, host: "api.example.com", port: 443, object: "ServiceEntry istio-system/api"},
		{name: "SE exported to all", code: "EGR0302", unit: []string{"se-exported.yaml"}, host: "api.example.com", port: 443, absent: true},

		// EGR0303: Sidecar egress imports.
		{name: "Sidecar imports only the gateway namespace", code: "EGR0303", unit: []string{"gateway.yaml", "sidecar-gateway-only.yaml"}, host: "edition.cnn.com", port: 80, object: "Sidecar default/default"},
		{name: "Sidecar imports both", code: "EGR0303", unit: []string{"gateway.yaml", "sidecar-imports-all.yaml"}, host: "edition.cnn.com", port: 80, absent: true},

		// EGR0304: Sidecar outboundTrafficPolicy override.
		{name: "Sidecar REGISTRY_ONLY over ALLOW_ANY", code: "EGR0304", unit: []string{"sidecar-registry-only.yaml"}, host: "edition.cnn.com", port: 443, object: "Sidecar default/default"},
		{name: "Sidecar restates the mesh mode", code: "EGR0304", unit: []string{"sidecar-allow-any.yaml"}, host: "edition.cnn.com", port: 443, absent: true},

		// EGR0612: an empty dump ({"configs": []}): the proxy has received nothing.
		{name: "empty client dump", code: "EGR0612", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
			edit: func(t *testing.T, in *Input) { in.Dumps[scenarioClient] = &envoy.Dump{} }, object: "Pod default/sleep-7b4c9d8f6-abcde", proxy: scenarioClient},
		{name: "empty dump is explained, not an unexplained block", code: "EGR0611", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
			edit: func(t *testing.T, in *Input) { in.Dumps[scenarioClient] = &envoy.Dump{} }, absent: true},
		{name: "istiod's dump", code: "EGR0612", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443, absent: true},

		// EGR0611: a block no other Error explains. Plaintext HTTP to 443, which the ServiceEntry
		// declares TLS: no chain of 0.0.0.0_443 matches, Envoy's default chain is the black hole.
		{name: "plaintext to a TLS port takes the default chain", code: "EGR0611", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443, protocol: "http",
			object: "Pod default/sleep-7b4c9d8f6-abcde", proxy: scenarioClient},
		{name: "a block another Error explains", code: "EGR0611", scenario: "broken-registry-only-no-se", host: "edition.cnn.com", port: 80, absent: true},
		{name: "TLS to the TLS port", code: "EGR0611", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443, protocol: "tls", absent: true},

		// EGR0405: certificate validity, judged at Input.Now.
		{name: "client certificate expired at Now", code: "EGR0405", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80,
			edit: func(t *testing.T, in *Input) { in.Now = in.Now.AddDate(200, 0, 0) }, proxy: scenarioGateway},
		{name: "certificates valid at Now", code: "EGR0405", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80, absent: true},
		{name: "one expired root among valid ones in the CA bundle", code: "EGR0405", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80,
			edit: expiredRootInBundle(true), absent: true},
		{name: "every root of the CA bundle expired", code: "EGR0405", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80,
			edit: expiredRootInBundle(false), proxy: scenarioGateway},
		{name: "no Now, no judgement", code: "EGR0405", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80,
			edit: func(t *testing.T, in *Input) { in.Now = time.Time{} }, absent: true},

		// EGR0610: a client certificate key Envoy refuses (real Envoy 1.40 rejects the SDS
		// update yet dumps the secret active: internal/realenvoy TestRealCertificateStates).
		{name: "RSA-1024 client certificate", code: "EGR0610", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80,
			edit: clientKey("RSA-1024"), proxy: scenarioGateway},
		{name: "P-224 client certificate", code: "EGR0610", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80,
			edit: clientKey("ECDSA-P224"), proxy: scenarioGateway},
		{name: "RSA-2048 client certificate", code: "EGR0610", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80,
			edit: clientKey("RSA-2048"), absent: true},
		{name: "P-256 client certificate", code: "EGR0610", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80, absent: true},

		// EGR0407: TLS origination without verification. No scenario sets insecureSkipVerify, so the
		// parsed cluster loses its validation context as istiod generates it for that setting.
		{name: "origination without validation", code: "EGR0407", scenario: "sidecar-tls-origination", host: "edition.cnn.com", port: 80,
			edit: func(t *testing.T, in *Input) {
				c := dumpCluster(t, in, scenarioClient, "outbound|80||edition.cnn.com")
				c.TLS.ValidationSDS, c.TLS.TrustedCAFile = "", ""
			}, proxy: scenarioClient},
		{name: "origination verified by system roots", code: "EGR0407", scenario: "sidecar-tls-origination", host: "edition.cnn.com", port: 80, absent: true},

		// EGR0408: file-mounted certificate warming. istiod does not decide whether the proxy has
		// the files, so the parsed sidecar cluster is switched to a file-cert: secret that is warming.
		{name: "file-cert secret warming", code: "EGR0408", scenario: "sidecar-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80,
			edit: func(t *testing.T, in *Input) {
				c := dumpCluster(t, in, scenarioClient, "outbound|80||my-nginx.mesh-external.svc.cluster.local")
				name := "file-cert:/etc/certs/client.pem~/etc/certs/client-key.pem"
				c.TLS.CertificateSDS = []string{name}
				in.Dumps[scenarioClient].Secrets = append(in.Dumps[scenarioClient].Secrets, envoy.Secret{Name: name, Meta: envoy.Meta{State: envoy.StateWarming}})
			}, proxy: scenarioClient},
		{name: "kubernetes secret active", code: "EGR0408", scenario: "sidecar-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80, absent: true},

		// EGR0601: rejected update. Envoy, not istiod, sets error_state: set it on the parsed cluster.
		{name: "gateway cluster update rejected", code: "EGR0601", scenario: "gateway-http", host: "edition.cnn.com", port: 80,
			edit: func(t *testing.T, in *Input) {
				c := dumpCluster(t, in, scenarioGateway, "outbound|80||edition.cnn.com")
				c.Error = &envoy.UpdateFailure{Details: "Proto constraint validation failed"}
			}, proxy: scenarioGateway},
		{name: "no error_state", code: "EGR0601", scenario: "gateway-http", host: "edition.cnn.com", port: 80, absent: true},

		// EGR0603: stale proxy. Dropping the ServiceEntry's cluster from the parsed sidecar dump
		// stands for a proxy that has not received the ServiceEntry yet.
		{name: "SE cluster missing from the sidecar", code: "EGR0603", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
			edit: func(t *testing.T, in *Input) {
				d := in.Dumps[scenarioClient]
				d.Clusters = slices.DeleteFunc(d.Clusters, func(c envoy.Cluster) bool { return c.Name == "outbound|443||edition.cnn.com" })
			}, object: "ServiceEntry default/edition-cnn-com", proxy: scenarioClient},
		{name: "sidecar in sync", code: "EGR0603", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443, absent: true},
		// A user without get on secrets: the credential is skipped (EGR0409), not called missing (EGR0401).
		{name: "credential secret forbidden", code: "EGR0409", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80,
			edit: forbidSecret("istio-system", "client-credential"), object: "Secret istio-system/client-credential", proxy: scenarioGateway},
		{name: "forbidden is not missing", code: "EGR0401", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80,
			edit: forbidSecret("istio-system", "client-credential"), absent: true},
		{name: "credential secret readable", code: "EGR0409", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80, absent: true},
		// kubernetes://NAME is Secret NAME in the proxy's namespace (credentials.ParseResourceName):
		// found, not missing; kubernetes://NS/NAME elsewhere names a Secret that is not there.
		{name: "credentialName kubernetes://NAME finds the Secret", code: "EGR0401", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80,
			edit: setCredentialName("kubernetes://client-credential"), absent: true},
		{name: "credentialName kubernetes://NS/NAME of a missing Secret", code: "EGR0401", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80,
			edit: setCredentialName("kubernetes://default/client-credential"), object: "DestinationRule istio-system/originate-mtls-for-nginx", proxy: scenarioGateway},
		// A user without get on ConfigMap istio: the loader keeps the mode unknown.
		{name: "mesh config forbidden", code: "EGR0108", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
			edit: forbidMeshConfig, object: "ConfigMap istio-system/istio"},
		{name: "mesh config readable", code: "EGR0108", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443, absent: true},
	})
}

// TestEveryCheckTested fails when a registered check's code appears in no test file and
// no golden report, so a check cannot land without a test asserting it.
func TestEveryCheckTested(t *testing.T) {
	var corpus strings.Builder
	tests, _ := filepath.Glob("*_test.go")
	goldens, _ := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*", "golden", "trace.json"))
	for _, f := range append(tests, goldens...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		corpus.Write(b)
	}
	for _, c := range checks {
		if !strings.Contains(corpus.String(), `"`+c.code+`"`) {
			t.Errorf("check %s (%s) is asserted by no test in trace/*_test.go and no golden report", c.code, c.title)
		}
	}
}

// forbidSecret makes the Secret unreadable, as the live loader records a 403.
func forbidSecret(ns, name string) func(t *testing.T, in *Input) {
	return func(t *testing.T, in *Input) {
		in.Snapshot.Secrets[mesh.Key(ns, name)] = &mesh.SecretInfo{Namespace: ns, Name: name, Access: mesh.AccessForbidden}
	}
}

// setCredentialName sets every DestinationRule TLS credentialName to name.
func setCredentialName(name string) func(t *testing.T, in *Input) {
	return func(t *testing.T, in *Input) {
		n := 0
		for _, dr := range in.Snapshot.DestinationRules {
			for _, pl := range dr.Spec.GetTrafficPolicy().GetPortLevelSettings() {
				if pl.GetTls().GetCredentialName() != "" {
					pl.Tls.CredentialName, n = name, n+1
				}
			}
			if tls := dr.Spec.GetTrafficPolicy().GetTls(); tls.GetCredentialName() != "" {
				tls.CredentialName, n = name, n+1
			}
		}
		if n == 0 {
			t.Fatal("no credentialName to set")
		}
	}
}

// forbidMeshConfig replaces the mesh config by what the live loader keeps on a 403.
func forbidMeshConfig(t *testing.T, in *Input) {
	in.Snapshot.Mesh = mesh.ForbiddenMeshConfig(in.Snapshot.IstioNamespace)
}
