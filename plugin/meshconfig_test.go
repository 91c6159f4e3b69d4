package plugin_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// brokenMeshScenario copies a scenario with its mesh config's mode misspelt, and without
// the dumps (intent only).
func brokenMeshScenario(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(scenario(name))); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "dumps")); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "manifests", "01-mesh-config.yaml")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(b), "mode: REGISTRY_ONLY", "mode: REGISTRY-ONLY", 1)
	if broken == string(b) {
		t.Fatalf("%s sets no mode REGISTRY_ONLY", f)
	}
	if err := os.WriteFile(f, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestUnreadableMeshConfig: a REGISTRY_ONLY mesh config with the mode misspelt is an
// Error finding naming the ConfigMap and key, and the verdict is unknown, not ALLOW_ANY's
// bypass.
func TestUnreadableMeshConfig(t *testing.T) {
	dir := brokenMeshScenario(t, "broken-registry-only-no-se")
	args := append([]string{"trace", "edition.cnn.com", "--from", "deploy/sleep", "-f", dir}, noCluster...)
	r, _ := traceJSON(t, args...)
	if r.Verdict.Kind != trace.Unknown || r.Inputs.OutboundTrafficPolicy != "unknown" {
		t.Errorf("verdict = %s (%s), outboundTrafficPolicy %q; want unknown, unknown", r.Verdict.Kind, r.Verdict.Summary, r.Inputs.OutboundTrafficPolicy)
	}
	stdout, _, code := runMain(t, args...)
	const want = `ConfigMap istio-system/istio        ConfigMap istio-system/istio key mesh cannot be parsed: outboundTrafficPolicy.mode: "REGISTRY-ONLY" is not ALLOW_ANY or REGISTRY_ONLY; outboundTrafficPolicy is unknown, not assumed ALLOW_ANY`
	if code != plugin.ExitFindings || !strings.Contains(stdout, "VERDICT   unknown: ") || !strings.Contains(stdout, "Error   EGR0109   "+want) {
		t.Errorf("exit %d, stdout:\n%s\nwant exit %d, verdict unknown and the line\n%s", code, stdout, plugin.ExitFindings, want)
	}
}
