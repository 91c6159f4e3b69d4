package trace

import (
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// breakMeshConfig replaces the mesh config by what the loader keeps for a `mesh` key that
// does not parse.
func breakMeshConfig(t *testing.T, in *Input) {
	t.Helper()
	mc, err := mesh.ParseMeshConfig("outboundTrafficPolicy: [\n", "istio-system")
	if err == nil {
		t.Fatal("ParseMeshConfig of broken YAML = nil error")
	}
	mc.ParseError, mc.Key = err.Error(), "ConfigMap istio-system/istio key mesh"
	in.Snapshot.Mesh = mc
}

// dropClientDump removes the client's dump: the trace falls back to the Istio objects.
func dropClientDump(t *testing.T, in *Input) { delete(in.Dumps, in.Client) }

func TestCheckMeshConfigUnreadable(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "broken mesh key", code: "EGR0109", scenario: "allow-any", host: "edition.cnn.com", port: 443,
			edit: breakMeshConfig, object: "ConfigMap istio-system/istio"},
		{name: "broken mesh key, no dump", code: "EGR0109", scenario: "broken-registry-only-no-se", host: "edition.cnn.com", port: 443,
			edit: func(t *testing.T, in *Input) { breakMeshConfig(t, in); dropClientDump(t, in) }, object: "ConfigMap istio-system/istio"},
		{name: "mesh config readable", code: "EGR0109", scenario: "allow-any", host: "edition.cnn.com", port: 443, absent: true},
	})
}

// TestVerdictOnUnreadableMeshConfig: with a mesh config that cannot be parsed or may not
// be read, and without the client's dump, a verdict the mode decides is unknown (not
// ALLOW_ANY's bypass nor REGISTRY_ONLY's block); with the dump, the dump decides; a
// verdict that does not depend on the mode is unchanged.
func TestVerdictOnUnreadableMeshConfig(t *testing.T) {
	for name, edit := range map[string]func(*testing.T, *Input){"unparsable": breakMeshConfig, "forbidden": forbidMeshConfig} {
		t.Run(name, func(t *testing.T) { testVerdictOnUnknownMode(t, edit) })
	}
}

func testVerdictOnUnknownMode(t *testing.T, unknownMode func(*testing.T, *Input)) {
	tests := []struct {
		name     string
		scenario string
		dropDump bool
		want     VerdictKind
	}{
		{"allow-any, no dump", "allow-any", true, Unknown},
		{"registry-only, no dump", "broken-registry-only-no-se", true, Unknown},
		{"allow-any, the dump shows passthrough", "allow-any", false, Bypass},
		{"registry-only, the dump shows the black hole", "broken-registry-only-no-se", false, Blocked},
		{"a ServiceEntry routes it, no dump", "registry-only-with-se", true, Direct},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := checkCase{scenario: tt.scenario, host: "edition.cnn.com", port: 443}.input(t)
			unknownMode(t, &in)
			if tt.dropDump {
				dropClientDump(t, &in)
			}
			r := Run(in)
			if r.Verdict.Kind != tt.want {
				t.Fatalf("verdict = %s (%s), want %s", r.Verdict.Kind, r.Verdict.Summary, tt.want)
			}
			if r.Inputs.OutboundTrafficPolicy != mesh.ModeUnknown {
				t.Errorf("inputs.outboundTrafficPolicy = %q, want %q", r.Inputs.OutboundTrafficPolicy, mesh.ModeUnknown)
			}
			if tt.want == Unknown && !slices.ContainsFunc(r.Verdict.Missing, func(m string) bool { return strings.Contains(m, "key mesh") }) {
				t.Errorf("verdict.missing = %q, want the mesh config named", r.Verdict.Missing)
			}
		})
	}
}
