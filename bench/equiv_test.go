package bench

import (
	"encoding/json"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/internal/scale"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// traceCases are the hosts the scenario tests trace (trace/scenarios_test.go), by scenario.
var traceCases = []struct {
	scenario, host string
	port           int
}{
	{"allow-any", "edition.cnn.com", 80}, {"allow-any", "edition.cnn.com", 0},
	{"registry-only-with-se", "edition.cnn.com", 443}, {"registry-only-with-se", "edition.cnn.com", 80},
	{"vs-timeout", "httpbin.org", 0},
	{"sidecar-tls-origination", "edition.cnn.com", 80}, {"sidecar-tls-origination", "edition.cnn.com", 443},
	{"sidecar-mtls-origination", "my-nginx.mesh-external.svc.cluster.local", 80},
	{"gateway-http", "edition.cnn.com", 80}, {"gateway-http", "edition.cnn.com", 443},
	{"gateway-tls-passthrough", "edition.cnn.com", 443},
	{"gateway-tls-origination", "edition.cnn.com", 80}, {"gateway-tls-origination", "edition.cnn.com", 443},
	{"gateway-mtls-origination", "my-nginx.mesh-external.svc.cluster.local", 80},
	{"gateway-wildcard", "en.wikipedia.org", 443},
	{"broken-registry-only-no-se", "edition.cnn.com", 80}, {"broken-registry-only-no-se", "edition.cnn.com", 443},
	{"broken-vs-missing-mesh", "edition.cnn.com", 80},
	{"broken-dr-subset-missing", "edition.cnn.com", 80},
	{"broken-exportto-hides-se", "edition.cnn.com", 80},
	{"broken-credential-secret-missing", "my-nginx.mesh-external.svc.cluster.local", 80},
	{"broken-http-se-on-443", "httpbin.org", 443}, {"broken-http-se-on-443", "www.google.com", 443},
	{"broken-dr-credential-no-workloadselector", "my-nginx.mesh-external.svc.cluster.local", 80},
	{"gateway-http", "unknown.example.org", 0}, {"gateway-wildcard", "de.wikipedia.org", 443},
	{"dns-policy-none", "edition.cnn.com", 80}, {"hostaliases-fixed-ip", "edition.cnn.com", 443},
	{"hostaliases-no-sidecar-to-gateway", "edition.cnn.com", 80},
	{"hostaliases-no-sidecar-to-gateway-pod", "edition.cnn.com", 80},
	{"hostaliases-sidecar-to-gateway", "edition.cnn.com", 443},
}

// TestForHostTraceEquivalence: a trace over dumps parsed with ParseFiltered(ForHost(host,
// port)) reports exactly what a trace over Parse's dumps reports, in every scenario.
func TestForHostTraceEquivalence(t *testing.T) {
	for _, tc := range traceCases {
		t.Run(tc.scenario+"/"+tc.host, func(t *testing.T) {
			snap, raw := readScenario(t, tc.scenario)
			full := parseAll(t, raw, envoy.Parse)
			filtered := parseAll(t, raw, func(b []byte) (*envoy.Dump, error) { return envoy.ParseFiltered(b, envoy.ForHost(tc.host, tc.port)) })
			want := reportJSON(t, input(snap, full, tc.host, tc.port))
			if got := reportJSON(t, input(snap, filtered, tc.host, tc.port)); got != want {
				t.Errorf("trace over ParseFiltered(ForHost(%q, %d)) dumps differs from the trace over Parse:\n got %s\nwant %s", tc.host, tc.port, got, want)
			}
		})
	}
}

// TestScaledDumpTrace: the scaled dump keeps the traced host's resources, so the trace
// reports what it reports over the original dump, with either parser; and it has the
// replicas' distinct names.
func TestScaledDumpTrace(t *testing.T) {
	snap, raw := readScenario(t, scenario)
	tpl := raw[client]
	data, n, err := scale.ScaleDump(tpl, 2<<20)
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 || len(data) < 1<<20 || len(data) > 3<<20 {
		t.Errorf("ScaleDump(2 MB) = %d bytes with %d replicas, want about 2 MB", len(data), n)
	}
	want := reportJSON(t, input(snap, parseAll(t, raw, envoy.Parse), host, port))
	for name, parse := range map[string]func([]byte) (*envoy.Dump, error){
		"Parse":         envoy.Parse,
		"ParseFiltered": func(b []byte) (*envoy.Dump, error) { return envoy.ParseFiltered(b, envoy.ForHost(host, port)) },
	} {
		scaled := map[string][]byte{client: data, gatewayPod: raw[gatewayPod]}
		if got := reportJSON(t, input(snap, parseAll(t, scaled, parse), host, port)); got != want {
			t.Errorf("%s: trace over the scaled dump differs from the trace over the original:\n got %s\nwant %s", name, got, want)
		}
	}
	d, err := envoy.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"outbound|80||svc-7.ns-7.svc.cluster.local", "outbound|443||svc-7.ns-7.svc.cluster.local", tplCluster} {
		if d.Cluster(c) == nil {
			t.Errorf("scaled dump has no cluster %s", c)
		}
	}
	if d.Listener("10.100.0.7_443") == nil || len(d.Clusters) < 2*n || len(d.RouteConfig("80").VirtualHosts) != n+4 {
		t.Errorf("scaled dump: listener 10.100.0.7_443 %v, %d clusters, %d virtual hosts in route 80; want the listener, >= %d clusters, %d virtual hosts",
			d.Listener("10.100.0.7_443") != nil, len(d.Clusters), len(d.RouteConfig("80").VirtualHosts), 2*n, n+4)
	}
}

const tplCluster = "outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local"

func reportJSON(t *testing.T, in trace.Input) string {
	t.Helper()
	b, err := json.Marshal(trace.Run(in))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
