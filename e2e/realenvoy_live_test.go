package e2e

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-egress/kubectl-egress/internal/realenvoy"
	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/secrets/secretstest"
)

// TestTraceLiveRealEnvoy runs the live trace through the real kube-apiserver's
// pods/portforward and the test kubelet with a real Envoy 1.40's admin behind each forward
// (not the envoyadmin stand-in): the narrowed fetch is answered by Envoy itself. The report
// must equal the offline trace of the whole dumps that same Envoy returns.
func TestTraceLiveRealEnvoy(t *testing.T) {
	realenvoy.Require(t)
	for _, name := range []string{"gateway-tls-origination", "gateway-mtls-origination", "broken-credential-secret-missing"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", name)
			target := demoTarget(t, name)
			c := testcluster.Start(t)
			k := c.StartKubelet(t)
			c.DeployScenario(t, k, dir, nil)
			offlineDir := t.TempDir()
			copyDir(t, filepath.Join(dir, "manifests"), filepath.Join(offlineDir, "manifests"))
			dumps, _ := filepath.Glob(filepath.Join(dir, "dumps", "*", "*.json"))
			for _, p := range dumps {
				ns, pod := filepath.Base(filepath.Dir(p)), strings.TrimSuffix(filepath.Base(p), ".json")
				e := startRealEnvoy(t, p)
				c.ServePod(t, k, ns, pod, testcluster.AdminPort, e.AdminHandler())
				body, code, err := e.Get("/config_dump?include_eds")
				if err != nil || code != 200 {
					t.Fatalf("real envoy %s/%s: /config_dump?include_eds: %d %v", ns, pod, code, err)
				}
				writeFile(t, filepath.Join(offlineDir, "dumps", ns, pod+".json"), body)
			}
			// The harness's certificates are valid around secretstest.Now: judge them there.
			now := "--now=" + secretstest.Now.Format(time.RFC3339)
			live, stderr := traceMain(t, target, "--kubeconfig", c.Kubeconfig, now)
			offline := traceOffline(t, "trace", target, "--from", "deploy/sleep", "-n", "default", "-f", offlineDir, "-o", "json", now)
			if live.Inputs.Source != "cluster" || len(live.Inputs.MissingDumps) != 0 {
				t.Errorf("live inputs = %+v, want source cluster and no missing dumps\n%s", live.Inputs, stderr)
			}
			if !reflect.DeepEqual(live.Verdict, offline.Verdict) {
				t.Errorf("live verdict (real envoy admin) = %+v\noffline verdict = %+v", live.Verdict, offline.Verdict)
			}
			if !reflect.DeepEqual(live.Hops, offline.Hops) {
				t.Errorf("live hops (real envoy admin) differ from offline:\nlive    %+v\noffline %+v", live.Hops, offline.Hops)
			}
			if !reflect.DeepEqual(live.Findings, offline.Findings) {
				t.Errorf("live findings (real envoy admin) differ from offline:\nlive    %+v\noffline %+v", live.Findings, offline.Findings)
			}
			t.Logf("verdict %s through real envoy admins over pods/portforward; %d hops, %d findings, live and offline alike", live.Verdict.Kind, len(live.Hops), len(live.Findings))
		})
	}
}

func startRealEnvoy(t *testing.T, path string) *realenvoy.Envoy {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := realenvoy.ParseDump(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	e := realenvoy.Start(t, feed, realenvoy.Options{})
	if _, unexpected := e.Settle(t, 20*time.Second); len(unexpected) > 0 {
		t.Errorf("%s: real envoy still warming %v", path, unexpected)
	}
	return e
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	files, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(src, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dst, f.Name()), b)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
