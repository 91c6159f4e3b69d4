package plugin_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/plugin"
)

// TestUnmodelledExitCode: a broken scenario traced from its manifests exits 79 on its
// Errors; with a Gateway API route for the host on the path, those Errors rest on routes
// the trace does not model, so they are Warnings, the verdict says it is uncertain, and the
// exit code is 0. With the sidecar's dump its block_all route is what Envoy does: 79 stands.
func TestUnmodelledExitCode(t *testing.T) {
	dir := filepath.Join(scenariosDir, "broken-registry-only-no-se")
	manifests := filepath.Join(dir, "manifests")
	route := filepath.Join("..", "trace", "testdata", "unmodelled", "httproute-hostnames.yaml")
	args := []string{"trace", "edition.cnn.com:80", "--from", "deploy/sleep", "-n", "default", "--color", "never"}
	tests := []struct {
		name  string
		extra []string
		code  int
		want  []string
	}{
		{name: "broken, manifests only", extra: []string{"-f", manifests}, code: plugin.ExitFindings, want: []string{"VERDICT   blocked", "EGR0101"}},
		{name: "broken, manifests only, with an HTTPRoute for the host", extra: []string{"-f", manifests, "-f", route}, code: plugin.ExitOK,
			want: []string{"VERDICT   unknown: uncertain from hop 2 (listener) on, where the trace does not model HTTPRoute default/forward-cnn-from-egress-gateway (EGR0707)", "Warning   EGR0101"}},
		{name: "broken, with dumps and an HTTPRoute for the host", extra: []string{"-f", dir, "-f", route}, code: plugin.ExitFindings,
			want: []string{"VERDICT   blocked", "Error     EGR0101", "EGR0707", "read from its config dump"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runMain(t, append(append(append([]string{}, args...), tt.extra...), noCluster...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, stdout, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, stdout)
				}
			}
		})
	}
}
