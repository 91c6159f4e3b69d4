package trace

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	corev1 "k8s.io/api/core/v1"
)

// unmodelledCase traces a scenario plus overlays from trace/testdata/unmodelled (and an
// edit). On the path, code must be a Warning naming object; with uncertain the verdict must
// say so and no Error may rest on the hops from there. Off the path, the report must be
// byte for byte the report of the same inputs without the overlays and edit.
type unmodelledCase struct {
	name     string
	scenario string
	host     string
	port     int
	base     []string // overlays of the baseline too
	overlays []string
	edit     func(t *testing.T, in *Input)
	baseEdit func(t *testing.T, in *Input) // applied to the baseline too
	noDumps  bool                          // trace from the manifests only
	code     string
	object   string // "" means off the path
	// uncertain: the verdict is uncertain; false on the path means a dump is the truth.
	uncertain bool
}

var unmodelledCases = []unmodelledCase{
	{name: "EnvoyFilter adding a filter on the gateway", scenario: "gateway-tls-passthrough", host: "edition.cnn.com", port: 443,
		overlays: []string{"envoyfilter-gateway-filter.yaml"}, code: "EGR0701", object: "EnvoyFilter istio-system/sni-proxy", uncertain: true},
	{name: "EnvoyFilter patching gateway clusters, gateway dump read", scenario: "gateway-tls-passthrough", host: "edition.cnn.com", port: 443,
		overlays: []string{"envoyfilter-gateway-cluster.yaml"}, code: "EGR0701", object: "EnvoyFilter istio-system/gateway-cluster-timeout"},
	{name: "EnvoyFilter patching gateway clusters, no dumps", scenario: "gateway-tls-passthrough", host: "edition.cnn.com", port: 443, noDumps: true,
		overlays: []string{"envoyfilter-gateway-cluster.yaml"}, code: "EGR0701", object: "EnvoyFilter istio-system/gateway-cluster-timeout", uncertain: true},
	{name: "EnvoyFilter on the client, client dump read", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		overlays: []string{"envoyfilter-client.yaml"}, code: "EGR0701", object: "EnvoyFilter default/sleep-outbound"},
	{name: "EnvoyFilter gateway patch, no gateway on the path", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		overlays: []string{"envoyfilter-gateway-filter.yaml"}, code: "EGR0701"},
	{name: "EnvoyFilters off the path", scenario: "gateway-http", host: "edition.cnn.com", port: 80,
		overlays: []string{"envoyfilter-off.yaml"}, code: "EGR0701"},
	{name: "WasmPlugin on the gateway", scenario: "gateway-http", host: "edition.cnn.com", port: 80,
		overlays: []string{"wasm-gateway.yaml"}, code: "EGR0702", object: "WasmPlugin istio-system/egress-auth", uncertain: true},
	{name: "WasmPlugin on the ingress gateway", scenario: "gateway-http", host: "edition.cnn.com", port: 80,
		overlays: []string{"wasm-off.yaml"}, code: "EGR0702"},
	{name: "ProxyConfig of the client namespace", scenario: "vs-timeout", host: "httpbin.org", noDumps: true,
		overlays: []string{"proxyconfig-client.yaml"}, code: "EGR0703", object: "ProxyConfig default/dns", uncertain: true},
	{name: "ProxyConfig of another namespace", scenario: "vs-timeout", host: "httpbin.org",
		overlays: []string{"proxyconfig-off.yaml"}, code: "EGR0703"},
	{name: "AuthorizationPolicy DENY on the gateway", scenario: "gateway-tls-origination", host: "edition.cnn.com", port: 80,
		overlays: []string{"authz-gateway.yaml"}, code: "EGR0704", object: "AuthorizationPolicy istio-system/egress-deny", uncertain: true},
	{name: "AuthorizationPolicy AUDIT or on the client", scenario: "gateway-tls-origination", host: "edition.cnn.com", port: 80,
		overlays: []string{"authz-off.yaml"}, code: "EGR0704"},
	{name: "PeerAuthentication STRICT in the root namespace", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80, noDumps: true,
		overlays: []string{"peerauthn-root.yaml"}, code: "EGR0705", object: "PeerAuthentication istio-system/default", uncertain: true},
	{name: "PeerAuthentication PERMISSIVE", scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80,
		overlays: []string{"peerauthn-off.yaml"}, code: "EGR0705"},
	{name: "WorkloadEntry behind the ServiceEntry", scenario: "registry-only-with-se", host: "vm.example.com", port: 443, noDumps: true,
		base: []string{"vm-serviceentry.yaml"}, overlays: []string{"workloadentry.yaml"}, code: "EGR0706", object: "WorkloadEntry default/vm-1", uncertain: true},
	{name: "WorkloadEntry of another selector", scenario: "registry-only-with-se", host: "vm.example.com", port: 443, noDumps: true,
		base: []string{"vm-serviceentry.yaml"}, overlays: []string{"workloadentry-off.yaml"}, code: "EGR0706"},
	{name: "HTTPRoute with the ServiceEntry as parent", scenario: "gateway-http", host: "edition.cnn.com", port: 80,
		overlays: []string{"httproute-mesh.yaml"}, code: "EGR0707", object: "HTTPRoute default/direct-cnn-to-egress-gateway", uncertain: true},
	{name: "HTTPRoute for the host, no dumps", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 80, noDumps: true,
		overlays: []string{"httproute-hostnames.yaml"}, code: "EGR0707", object: "HTTPRoute default/forward-cnn-from-egress-gateway", uncertain: true},
	{name: "HTTPRoute with another ServiceEntry as parent", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 80,
		overlays: []string{"httproute-mesh.yaml"}, code: "EGR0707"},
	{name: "HTTPRoute for the host, client without sidecar", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 80,
		overlays: []string{"httproute-hostnames.yaml"}, baseEdit: stripSidecar, code: "EGR0707"},
	{name: "HTTPRoute for another host", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 80,
		overlays: []string{"httproute-off.yaml"}, code: "EGR0707"},
	{name: "Gateway API Gateway for the host", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 80,
		overlays: []string{"gatewayapi-gateway.yaml"}, code: "EGR0708", object: "Gateway API Gateway default/cnn-egress-gateway", uncertain: true},
	{name: "Gateway API Gateway serving a route for the host", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		overlays: []string{"httproute-hostnames.yaml", "gatewayapi-gateway-off.yaml"}, edit: renameGatewayAPIGateway("httpbin-gateway", "cnn-egress-gateway"),
		code: "EGR0708", object: "Gateway API Gateway default/cnn-egress-gateway", uncertain: true},
	{name: "Gateway API Gateway and waypoint for other hosts", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 80,
		overlays: []string{"gatewayapi-gateway-off.yaml"}, code: "EGR0708"},
	{name: "BackendTLSPolicy and XBackend for the host", scenario: "sidecar-tls-origination", host: "edition.cnn.com", port: 80,
		overlays: []string{"backendtlspolicy.yaml"}, code: "EGR0709", object: "BackendTLSPolicy default/cnn-tls", uncertain: true},
	{name: "BackendTLSPolicy for another Service", scenario: "sidecar-tls-origination", host: "edition.cnn.com", port: 80,
		overlays: []string{"backendtlspolicy-off.yaml"}, code: "EGR0709"},
	{name: "ReferenceGrant in the ServiceEntry's namespace", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		overlays: []string{"referencegrant.yaml", "httproute-off.yaml"}, code: "EGR0710", object: "ReferenceGrant default/allow-routes", uncertain: true},
	{name: "ReferenceGrant in another namespace", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		overlays: []string{"referencegrant-off.yaml", "httproute-off.yaml"}, code: "EGR0710"},
	{name: "ambient namespace, pod without sidecar", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		baseEdit: stripSidecar, edit: ambient("ambient", ""), code: "EGR0711", object: "Namespace default", uncertain: true},
	{name: "ambient pod label", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		baseEdit: stripSidecar, edit: ambient("", "ambient"), code: "EGR0711", object: "Pod default/sleep-7b4c9d8f6-abcde", uncertain: true},
	{name: "ambient namespace, pod opted out", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		baseEdit: stripSidecar, edit: ambient("ambient", "none"), code: "EGR0711"},
	{name: "ambient namespace, pod with a sidecar", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		edit: ambient("ambient", ""), code: "EGR0711"},
	{name: "hostNetwork client", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		edit: editClient(func(p *corev1.Pod) { p.Spec.HostNetwork = true }), code: "EGR0712", object: "Pod default/sleep-7b4c9d8f6-abcde", uncertain: true},
	{name: "interceptionMode NONE", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		edit: annotateClient(interceptionModeAnnot, "NONE"), code: "EGR0712", object: "Pod default/sleep-7b4c9d8f6-abcde", uncertain: true},
	{name: "interceptionMode TPROXY", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		edit: annotateClient(interceptionModeAnnot, "TPROXY"), code: "EGR0712"},
	{name: "proxy.istio.io/config with proxyMetadata", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		edit: annotateClient(proxyConfigAnnot, "proxyMetadata:\n  ISTIO_META_DNS_CAPTURE: \"true\"\n"), code: "EGR0712", object: "Pod default/sleep-7b4c9d8f6-abcde", uncertain: true},
	{name: "proxy.istio.io/config, client dump read", scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443,
		edit: annotateClient(proxyConfigAnnot, "holdApplicationUntilProxyStarts: true\n"), code: "EGR0712", object: "Pod default/sleep-7b4c9d8f6-abcde"},
	// A broken scenario from its manifests only: the Errors (EGR0101, blocked 502) rest on
	// routes a Gateway API route may change, so they are downgraded and the verdict is unknown.
	{name: "HTTPRoute for the host in a broken scenario, no dumps", scenario: "broken-registry-only-no-se", host: "edition.cnn.com", port: 80, noDumps: true,
		overlays: []string{"httproute-hostnames.yaml"}, code: "EGR0707", object: "HTTPRoute default/forward-cnn-from-egress-gateway", uncertain: true},
	// With the sidecar's dump, its block_all route is what Envoy does (a route istiod made
	// from the HTTPRoute would be in the dump): the block and its Errors stand.
	{name: "HTTPRoute for the host in a broken scenario, sidecar dump read", scenario: "broken-registry-only-no-se", host: "edition.cnn.com", port: 80,
		overlays: []string{"httproute-hostnames.yaml"}, code: "EGR0707", object: "HTTPRoute default/forward-cnn-from-egress-gateway"},
}

func TestUnmodelledScenarios(t *testing.T) {
	for _, tc := range unmodelledCases {
		t.Run(tc.name, func(t *testing.T) {
			rep := tc.run(t, true)
			base := tc.run(t, false)
			if tc.object == "" {
				got, _ := json.MarshalIndent(rep, "", "  ")
				want, _ := json.MarshalIndent(base, "", "  ")
				if string(got) != string(want) {
					t.Errorf("an object off the path changed the report:\n%s\nwant\n%s", got, want)
				}
				return
			}
			checkOnPath(t, tc, rep)
			checkUncertain(t, tc, rep, base)
		})
	}
}

func (tc unmodelledCase) run(t *testing.T, with bool) *Report {
	t.Helper()
	var extra []string
	files := tc.base
	if with {
		files = append(slices.Clone(tc.base), tc.overlays...)
	}
	for _, f := range files {
		extra = append(extra, filepath.Join("testdata", "unmodelled", f))
	}
	in := loadScenario(t, filepath.Join("..", "testdata", "scenarios", tc.scenario), extra...)
	if tc.noDumps {
		in.Dumps = nil
	}
	in.Host, in.Port = tc.host, tc.port
	if tc.baseEdit != nil {
		tc.baseEdit(t, &in)
	}
	if with && tc.edit != nil {
		tc.edit(t, &in)
	}
	return Run(in)
}

func checkOnPath(t *testing.T, tc unmodelledCase, rep *Report) {
	t.Helper()
	i := slices.IndexFunc(rep.Findings, func(f Finding) bool { return f.Code == tc.code && f.Object == tc.object })
	if i < 0 {
		t.Fatalf("findings = %+v, want %s on %q", rep.Findings, tc.code, tc.object)
	}
	f := rep.Findings[i]
	if f.Level != LevelWarning || !strings.Contains(f.Message, tc.object) || !strings.Contains(f.Message, "does not model") {
		t.Errorf("%s = %+v, want a Warning naming %s and saying what the trace does not model", tc.code, f, tc.object)
	}
	if dump := strings.Contains(f.Message, "read from its config dump, which shows"); dump == tc.uncertain {
		t.Errorf("%s message %q: says the dump is the truth = %v, want %v", tc.code, f.Message, dump, !tc.uncertain)
	}
}

// checkUncertain asserts the verdict's uncertainty and that no Error, no blocked verdict
// and no bypass rests on the hops from the uncertain point on.
func checkUncertain(t *testing.T, tc unmodelledCase, rep, base *Report) {
	t.Helper()
	if !tc.uncertain {
		if len(rep.Verdict.Uncertain) != 0 || rep.Verdict.Kind != base.Verdict.Kind {
			t.Errorf("Verdict = %+v, want %s and certain (the dump is the truth)", rep.Verdict, base.Verdict.Kind)
		}
		return
	}
	u := rep.Verdict.Uncertain
	if len(u) == 0 || !slices.ContainsFunc(u, func(x Uncertainty) bool { return x.Object == tc.object && x.Code == tc.code }) {
		t.Fatalf("Verdict.Uncertain = %+v, want %s (%s)", u, tc.object, tc.code)
	}
	if !strings.HasPrefix(rep.Verdict.Summary, "uncertain from hop ") || !strings.Contains(rep.Verdict.Summary, tc.object) {
		t.Errorf("Verdict.Summary = %q, want it to start with the uncertainty naming %s", rep.Verdict.Summary, tc.object)
	}
	from := u[0].Hop
	for _, f := range rep.Findings {
		if f.Level == LevelError && (f.Hop < 0 || f.Hop >= from) {
			t.Errorf("Error %s at hop %d rests on hops from %d on, which are uncertain: %s", f.Code, f.Hop, from, f.Message)
		}
	}
	if k := rep.Verdict.Kind; (k == Blocked || k == Bypass) && rep.Verdict.AtHop >= from {
		t.Errorf("Verdict = %s at hop %d, decided on uncertain hops (from %d)", k, rep.Verdict.AtHop, from)
	}
}

func editClient(f func(p *corev1.Pod)) func(t *testing.T, in *Input) {
	return func(t *testing.T, in *Input) {
		p := in.Snapshot.Pods[in.Client]
		if p == nil {
			t.Fatalf("client %s not in the snapshot", in.Client)
		}
		f(p)
	}
}

func annotateClient(key, value string) func(t *testing.T, in *Input) {
	return editClient(func(p *corev1.Pod) { p.Annotations[key] = value })
}

// ambient labels the client's namespace (with a waypoint) and pod for ambient mode.
func ambient(nsMode, podMode string) func(t *testing.T, in *Input) {
	return func(t *testing.T, in *Input) {
		if nsMode != "" {
			in.Snapshot.Namespaces["default"].Labels = map[string]string{dataplaneModeLabel: nsMode, useWaypointLabel: "egress-waypoint"}
		}
		if podMode != "" {
			editClient(func(p *corev1.Pod) { p.Labels[dataplaneModeLabel] = podMode })(t, in)
		}
	}
}

// stripSidecar removes the client's sidecar and its dump.
func stripSidecar(t *testing.T, in *Input) {
	editClient(func(p *corev1.Pod) {
		delete(p.Annotations, mesh.SidecarStatusAnnotation)
		isProxy := func(c corev1.Container) bool { return c.Name == "istio-proxy" }
		p.Spec.Containers = slices.DeleteFunc(p.Spec.Containers, isProxy)
		p.Spec.InitContainers = slices.DeleteFunc(p.Spec.InitContainers, isProxy)
	})(t, in)
	delete(in.Dumps, in.Client)
}

// renameGatewayAPIGateway renames a recorded Gateway API Gateway (an overlay reused).
func renameGatewayAPIGateway(from, to string) func(t *testing.T, in *Input) {
	return func(t *testing.T, in *Input) {
		for _, o := range in.Snapshot.Others {
			if o.Group == mesh.GatewayAPIGroup && o.Kind == "Gateway" && o.Name == from {
				o.Name = to
				o.Hostnames = nil
				return
			}
		}
		t.Fatalf("no Gateway API Gateway %s in the snapshot", from)
	}
}

// TestUncheckedKinds: a kind the live loader could not list is a Warning that says the
// answer may miss it, and changes nothing else.
func TestUncheckedKinds(t *testing.T) {
	dir := filepath.Join("..", "testdata", "scenarios", "registry-only-with-se")
	in := loadScenario(t, dir)
	in.Host, in.Port = "edition.cnn.com", 443
	base := Run(in)
	if slices.ContainsFunc(base.Findings, func(f Finding) bool { return f.Code == "EGR0713" }) {
		t.Fatalf("EGR0713 without unchecked kinds: %+v", base.Findings)
	}
	in = loadScenario(t, dir)
	in.Host, in.Port = "edition.cnn.com", 443
	in.Snapshot.Unchecked = []mesh.Unchecked{{Group: "networking.istio.io", Kind: "EnvoyFilter", Reason: "forbidden"}}
	rep := Run(in)
	i := slices.IndexFunc(rep.Findings, func(f Finding) bool { return f.Code == "EGR0713" })
	if i < 0 || rep.Findings[i].Level != LevelWarning || !strings.Contains(rep.Findings[i].Message, "EnvoyFilter.networking.istio.io") ||
		!strings.Contains(rep.Findings[i].Message, "may miss") {
		t.Fatalf("findings = %+v, want an EGR0713 Warning naming EnvoyFilter.networking.istio.io", rep.Findings)
	}
	if rep.Verdict.Kind != base.Verdict.Kind || len(rep.Verdict.Uncertain) != 0 {
		t.Errorf("Verdict = %+v, want %s unchanged", rep.Verdict, base.Verdict.Kind)
	}
}
