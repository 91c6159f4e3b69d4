package trace

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// unitSnapshot loads trace/testdata/unit/base.yaml plus the named overlays.
func unitSnapshot(t *testing.T, overlays ...string) *mesh.Snapshot {
	t.Helper()
	paths := []string{filepath.Join("testdata", "unit", "base.yaml")}
	for _, o := range overlays {
		paths = append(paths, filepath.Join("testdata", "unit", o))
	}
	s, err := mesh.LoadFiles(paths)
	if err != nil {
		t.Fatalf("LoadFiles(%v): %v", paths, err)
	}
	return s
}

func codesOf(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}

func TestRunIntentOnly(t *testing.T) {
	tests := []struct {
		name     string
		overlays []string
		client   string
		port     int
		want     VerdictKind
		codes    []string
		absent   []string
		message  string // substring of some finding's message
	}{
		{name: "via gateway from objects", overlays: []string{"gateway.yaml"}, client: "default/sleep", port: 80, want: ViaGateway, codes: []string{"EGR0503", "EGR0604"}, absent: []string{"EGR0205"}},
		{name: "partial ports", overlays: []string{"gateway.yaml"}, client: "default/sleep", port: 443, want: Bypass, codes: []string{"EGR0201"}},
		{name: "excluded port", overlays: []string{"gateway.yaml"}, client: "default/sleep-excluded", port: 80, want: Bypass, codes: []string{"EGR0502"}, message: "excludeOutboundPorts"},
		{name: "no sidecar", overlays: []string{"gateway.yaml"}, client: "default/sleep-plain", port: 80, want: Bypass, codes: []string{"EGR0501"}},
		{name: "gateway selector matches nothing", overlays: []string{"gateway-bad-selector.yaml"}, client: "default/sleep", port: 80, codes: []string{"EGR0205", "EGR0204"}},
		// The NetworkPolicy drops the request to the gateway pod (EGR0504, an Error on the
		// path): from the Istio objects only, the verdict cannot be via-gateway.
		{name: "netpol allows service port not targetPort", overlays: []string{"gateway.yaml", "netpol-service-port.yaml"}, client: "default/sleep", port: 80, want: Unknown, codes: []string{"EGR0504"}, absent: []string{"EGR0503"}, message: "Service port"},
		{name: "netpol complete", overlays: []string{"gateway.yaml", "netpol-good.yaml"}, client: "default/sleep", port: 80, want: ViaGateway, absent: []string{"EGR0503", "EGR0504"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Run(Input{Snapshot: unitSnapshot(t, tt.overlays...), Host: "edition.cnn.com", Port: tt.port, Client: tt.client, Source: "files"})
			if tt.want != "" && r.Verdict.Kind != tt.want {
				t.Errorf("Verdict = %+v, want kind %q", r.Verdict, tt.want)
			}
			codes := codesOf(r)
			for _, c := range tt.codes {
				if !slices.Contains(codes, c) {
					t.Errorf("findings = %v, want %s", codes, c)
				}
			}
			for _, c := range tt.absent {
				if slices.Contains(codes, c) {
					t.Errorf("findings = %v, want no %s", codes, c)
				}
			}
			if tt.message != "" && !slices.ContainsFunc(r.Findings, func(f Finding) bool { return strings.Contains(f.Message, tt.message) }) {
				t.Errorf("no finding message contains %q: %+v", tt.message, r.Findings)
			}
		})
	}
}

func TestRunMissingDumps(t *testing.T) {
	r := Run(Input{Snapshot: unitSnapshot(t, "gateway.yaml"), Host: "edition.cnn.com", Port: 80, Client: "default/sleep"})
	want := []string{"default/sleep", "istio-system/egw"}
	if !slices.Equal(r.Inputs.MissingDumps, want) {
		t.Errorf("Inputs.MissingDumps = %v, want %v", r.Inputs.MissingDumps, want)
	}
	for _, h := range r.Hops[1:] {
		if h.Status != StatusUnknown {
			t.Errorf("hop %s %s status = %s, want unknown (intent only)", h.Kind, h.Name, h.Status)
		}
	}
}

func TestProxiesNeeded(t *testing.T) {
	s := unitSnapshot(t, "gateway.yaml")
	tests := []struct {
		host string
		port int
		want []string
	}{
		{"edition.cnn.com", 80, []string{"default/sleep", "istio-system/egw"}},
		{"edition.cnn.com", 0, []string{"default/sleep", "istio-system/egw"}},
		{"edition.cnn.com", 443, []string{"default/sleep"}},
		{"example.org", 443, []string{"default/sleep"}},
	}
	for _, tt := range tests {
		if got := ProxiesNeeded(s, tt.host, tt.port, "default/sleep"); !slices.Equal(got, tt.want) {
			t.Errorf("ProxiesNeeded(%s, %d) = %v, want %v", tt.host, tt.port, got, tt.want)
		}
	}
}

func TestRunDeterministic(t *testing.T) {
	in := loadScenario(t, filepath.Join("..", "testdata", "scenarios", "gateway-http"))
	in.Host, in.Port = "edition.cnn.com", 80
	a, b := Run(in), Run(in)
	if len(a.Findings) != len(b.Findings) || len(a.Hops) != len(b.Hops) {
		t.Fatalf("two runs differ: %d/%d findings, %d/%d hops", len(a.Findings), len(b.Findings), len(a.Hops), len(b.Hops))
	}
	for i := range a.Findings {
		if a.Findings[i] != b.Findings[i] {
			t.Errorf("finding %d differs: %+v vs %+v", i, a.Findings[i], b.Findings[i])
		}
	}
}

// TestGatewayServerOnTargetPort: from the Istio objects only, a Gateway server is matched
// with the port the sidecar's traffic arrives at, the gateway Service's targetPort (443 →
// 8443 in base.yaml), as istiod binds the listener (pilot/pkg/model/gateway.go
// resolvePorts: a server on 8443 with no Service port 8443 listens on 8443 as is), and the
// gateway's VirtualService rules are matched with the server port
// (pilot/pkg/networking/core/gateway.go buildGatewayHTTPRouteConfig / TLS routes). A
// server on 8443 works; one on 9443 is no listener for the traffic; a gateway rule on 443
// does not match the server on 8443.
func TestGatewayServerOnTargetPort(t *testing.T) {
	tests := []struct {
		overlay string
		errors  []string // the Error findings, exactly
		route   bool     // the gateway route hop is there
	}{
		{overlay: "gateway-targetport-good.yaml", route: true},
		{overlay: "gateway-targetport-badport.yaml", errors: []string{"EGR0204"}},
		{overlay: "gateway-targetport-badmatch.yaml", errors: []string{"EGR0203"}},
	}
	for _, tt := range tests {
		t.Run(tt.overlay, func(t *testing.T) {
			r := Run(Input{Snapshot: unitSnapshot(t, tt.overlay), Host: "api.example.org", Port: 443, Client: "default/sleep", Source: "files"})
			var errs []string
			for _, f := range r.Findings {
				if f.Level == LevelError {
					errs = append(errs, f.Code)
				}
			}
			if !slices.Equal(errs, tt.errors) {
				t.Errorf("Error findings = %v, want %v: %+v", errs, tt.errors, r.Findings)
			}
			var listener, route *Hop
			for i := range r.Hops {
				switch r.Hops[i].Kind {
				case HopGatewayListener:
					listener = &r.Hops[i]
				case HopGatewayRoute:
					route = &r.Hops[i]
				}
			}
			if listener == nil || listener.Name != "0.0.0.0_8443" {
				t.Errorf("gateway listener hop = %+v, want 0.0.0.0_8443", listener)
			}
			if (route != nil) != tt.route {
				t.Errorf("gateway route hop = %+v, want present %v", route, tt.route)
			}
			if tt.route && (r.Verdict.Kind != ViaGateway || external(r) == nil || external(r).Name != "api.example.org:443") {
				t.Errorf("verdict %+v, external %+v: want via-gateway to api.example.org:443", r.Verdict, external(r))
			}
			if !tt.route && r.Verdict.Kind == ViaGateway {
				t.Errorf("verdict %+v: a broken gateway leg is not via-gateway", r.Verdict)
			}
		})
	}
}

// TestTargetProtocolInference: a bare HOST:PORT (no scheme, no --protocol) is traced with
// the protocol the ServiceEntry port declares; else the one of the client's listener
// 0.0.0.0_<port> in its dump (an HTTP listener: http); else http on 80, TLS on 443 and tcp
// elsewhere, not TLS everywhere.
func TestTargetProtocolInference(t *testing.T) {
	tests := []struct {
		name, scenario, host string
		port                 int
		hint, want           string
	}{
		{"ServiceEntry port HTTP on 443", "broken-http-se-on-443", "httpbin.org", 443, "", "http"},
		{"ServiceEntry port TLS", "gateway-tls-passthrough", "edition.cnn.com", 443, "", "tls"},
		{"--protocol wins over the ServiceEntry", "broken-http-se-on-443", "httpbin.org", 443, "tls", "tls"},
		// The client's 0.0.0.0_443 has an HTTP chain (httpbin.org's HTTP port 443) and an SNI
		// chain for www.google.com (TCP): it takes TLS too, so 443 stays TLS.
		{"undeclared host, mixed listener on 443", "broken-http-se-on-443", "api.example.org", 443, "", "https"},
		{"undeclared host, TLS listener on 443", "gateway-tls-passthrough", "api.example.org", 443, "", "https"},
		{"undeclared host on 80", "allow-any", "api.example.org", 80, "", "http"},
		{"undeclared host and port", "allow-any", "api.example.org", 9080, "", "tcp"},
		// The same with an HTTP listener 0.0.0.0_9080 in the client's dump, as istiod builds
		// for a Service or ServiceEntry declaring HTTP on 9080 (a copy of the HTTP 0.0.0.0_80).
		{"undeclared host, HTTP listener on the port", "allow-any", "api.example.org", 9080, "listener", "http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := loadScenario(t, filepath.Join("..", "testdata", "scenarios", tt.scenario))
			if tt.hint == "listener" {
				tt.hint = ""
				d := in.Dumps[in.Client]
				l := *d.Listener("0.0.0.0_80")
				l.Name, l.Port = "0.0.0.0_9080", 9080
				d.Listeners = append(d.Listeners, l)
			}
			in.Host, in.Port, in.Protocol = tt.host, tt.port, tt.hint
			if r := Run(in); r.Target.Protocol != tt.want {
				t.Errorf("Target.Protocol = %q, want %q", r.Target.Protocol, tt.want)
			}
		})
	}
}
