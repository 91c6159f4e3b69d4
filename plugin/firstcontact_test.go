package plugin_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/plugin"
)

// TestFirstContact: with no kubeconfig naming a cluster and no -f, live commands say that
// no cluster is configured and both ways out, in one line, instead of client-go's dial
// to 127.0.0.1:8080.
func TestFirstContact(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	noContext := filepath.Join(dir, "no-current-context")
	files := map[string]string{
		empty: "",
		noContext: "apiVersion: v1\nkind: Config\nclusters: [{name: a, cluster: {server: \"https://127.0.0.1:1\"}}]\n" +
			"contexts: [{name: ctx-a, context: {cluster: a}}, {name: ctx-b, context: {cluster: a}}]\n",
	}
	for f, content := range files {
		if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	tests := []struct {
		name       string
		kubeconfig string
		args       []string
		want       []string
	}{
		{"trace, empty kubeconfig", empty, []string{"trace", "edition.cnn.com", "--from", "deploy/sleep"},
			[]string{"error: no cluster is configured: no kubeconfig names a cluster (looked in " + empty + ") and not running in a pod; ", "--kubeconfig FILE", "--context NAME", "-f DIR"}},
		{"trace, no kubeconfig file", filepath.Join(dir, "absent"), []string{"trace", "edition.cnn.com", "--from", "deploy/sleep"},
			[]string{"error: no cluster is configured: ", "--kubeconfig FILE", "-f DIR"}},
		{"check-secrets, empty kubeconfig", empty, []string{"check-secrets"},
			[]string{"error: no cluster is configured: ", "--kubeconfig FILE", "--context NAME", "-f DIR"}},
		{"no current-context", noContext, []string{"trace", "edition.cnn.com", "--from", "deploy/sleep"},
			[]string{"error: no cluster is configured: the kubeconfig (" + noContext + ") has no current-context; pick one with --context NAME (contexts: ctx-a, ctx-b), or trace offline from files with -f DIR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", tt.kubeconfig)
			_, stderr, code := runMain(t, tt.args...)
			if code != plugin.ExitError || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "8080") {
				t.Errorf("exit %d, stderr %q; want exit %d and one line, no 8080", code, stderr, plugin.ExitError)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
		})
	}
	t.Run("offline needs no cluster", func(t *testing.T) {
		t.Setenv("KUBECONFIG", empty)
		_, stderr, code := runMain(t, "trace", "edition.cnn.com", "--from", "deploy/sleep", "-f", scenario("allow-any"))
		if code != plugin.ExitOK || strings.Contains(stderr, "no cluster") {
			t.Errorf("-f with no kubeconfig: exit %d, stderr %q, want 0 and no complaint", code, stderr)
		}
	})
	t.Run("--server is a cluster", func(t *testing.T) {
		t.Setenv("KUBECONFIG", empty)
		_, stderr, _ := runMain(t, "trace", "edition.cnn.com", "--from", "deploy/sleep", "--server", "https://127.0.0.1:1", "--request-timeout", "2s")
		if strings.Contains(stderr, "no cluster is configured") {
			t.Errorf("--server given: stderr %q, want the request to be tried", stderr)
		}
	})
}
