package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/internal/envoyadmin"
	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/plugin"
)

// TestBoundedAdminLive: a proxy admin that streams without end, or accepts and never
// answers, reached through a real apiserver's pods/portforward, costs the built binary a
// bounded time and memory: the answer is cut at --max-input-size (even with a long
// --timeout) or the request at --timeout, and the trace goes on from Istio config with one
// warning line naming the proxy. The figures are logged as BOUND lines.
func TestBoundedAdminLive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts a real apiserver: skipped under -short")
	}
	const name = "gateway-tls-origination"
	dir := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", name)
	bin := os.Getenv("EGRESS_BOUND_BIN")
	if bin == "" {
		bin = filepath.Join(testcluster.BuildPlugin(t), "kubectl-egress")
	}
	target := demoTarget(t, name)
	c := testcluster.Start(t)
	k := c.StartKubelet(t)
	deployScenario(t, c, k, dir)
	kc := kubernetes.NewForConfigOrDie(c.RestConfig)
	for pod, h := range map[string]http.Handler{"sleep-endless": envoyadmin.Endless(), "sleep-silent": envoyadmin.Silent()} {
		clonePod(t, kc, "default", "sleep-7b4c9d8f6-abcde", pod, map[string]string{"app": pod}, false)
		c.ServePod(t, k, "default", pod, envoy.DefaultAdminPort, h)
	}
	const mb = 1 << 20
	tests := []struct {
		name, pod string
		args      []string
		warn      string
		limit     time.Duration
		rss       int64
	}{
		{"endless answer, --max-input-size 64Mi, --timeout 5m", "sleep-endless", []string{"--max-input-size", "64Mi", "--timeout", "5m"},
			"the proxy admin's answer is larger than 64Mi; stopped reading (raise --max-input-size", 120 * time.Second, 2*64*mb + 200*mb},
		{"endless answer, default cap and --timeout", "sleep-endless", nil,
			"fetching config from default/sleep-endless... failed: ", 120 * time.Second, 2*1024*mb + 200*mb},
		{"never answers, --timeout 2s", "sleep-silent", []string{"--timeout", "2s"},
			"no answer from the proxy admin within 2s", 60 * time.Second, 200 * mb},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"trace", target, "--from", "pod/" + tt.pod, "-n", "default", "-o", "json", "--kubeconfig", c.Kubeconfig}, tt.args...)
			m := testcluster.RunMeasured(t, tt.limit, nil, nil, bin, args...)
			code, stderr := m.Code, m.Stderr
			t.Logf("BOUND %-50s %s", tt.name, m)
			if m.Killed {
				t.Fatalf("did not end within %s; stderr %.300q", tt.limit, stderr)
			}
			if m.Peak() > tt.rss {
				t.Errorf("peak RSS %.1f MB, want at most %.1f MB", float64(m.Peak())/mb, float64(tt.rss)/mb)
			}
			warn := "fetching config from default/" + tt.pod + "... failed: "
			if code != plugin.ExitOK && code != plugin.ExitFindings || strings.Contains(stderr, "error: ") ||
				strings.Count(stderr, warn) != 1 || !strings.Contains(stderr, tt.warn) || !strings.Contains(stderr, "tracing it from Istio config only") {
				t.Errorf("exit %d, stderr %.800q; want a report and one warning %q holding %q", code, stderr, warn, tt.warn)
			}
		})
	}
}
