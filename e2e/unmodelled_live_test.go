package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// unmodelledOverlays are objects the trace does not model, placed on the path of
// gateway-http's edition.cnn.com:80 (trace/testdata/unmodelled).
var unmodelledOverlays = []string{"envoyfilter-gateway-filter.yaml", "httproute-mesh.yaml", "gatewayapi-gateway.yaml"}

// ambientClient is a pod without a sidecar in an ambient namespace.
const ambientClient = `apiVersion: v1
kind: Namespace
metadata:
  name: ambient-apps
  labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: egress-waypoint}
---
apiVersion: v1
kind: Pod
metadata: {name: curl, namespace: ambient-apps, labels: {app: curl}}
spec:
  containers: [{name: curl, image: curlimages/curl}]
`

// TestUnmodelledLive installs Istio's and Gateway API's CRDs in a real kube-apiserver with
// an EnvoyFilter, an HTTPRoute, a Gateway API Gateway and an ambient namespace, and checks
// the live trace names each on the path, says the verdict is uncertain and, resting no
// Error on what it could not read, exits 0, as the offline trace of the same files does.
func TestUnmodelledLive(t *testing.T) {
	const scenario = "gateway-http"
	dir := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", scenario)
	c := testcluster.Start(t)
	k := c.StartKubelet(t)
	deployScenario(t, c, k, dir)
	c.InstallGatewayAPI(t)
	var overlays []string
	for _, o := range unmodelledOverlays {
		overlays = append(overlays, filepath.Join(testcluster.RepoRoot(), "trace", "testdata", "unmodelled", o))
	}
	c.Apply(t, overlays...)
	ambient := filepath.Join(t.TempDir(), "ambient.yaml")
	if err := os.WriteFile(ambient, []byte(ambientClient), 0o600); err != nil {
		t.Fatal(err)
	}
	c.Apply(t, ambient)

	t.Run("objects on the path", func(t *testing.T) {
		live, code, stderr := unmodelledTrace(t, "--from", "deploy/sleep", "-n", "default", "--kubeconfig", c.Kubeconfig, "-v", "1")
		m := regexp.MustCompile(`read the cluster with (\d+) API requests`).FindStringSubmatch(stderr)
		if m == nil {
			t.Fatalf("no request summary at -v 1 in stderr:\n%s", stderr)
		}
		// Gateway API's 11 kinds are installed too: one LIST each on top of the budget.
		if n, _ := strconv.Atoi(m[1]); n > maxTraceRequests+11 {
			t.Errorf("live load made %d API requests with Gateway API installed, want at most %d", n, maxTraceRequests+11)
		}
		t.Logf("live load with Istio's and Gateway API's CRDs: %s API requests", m[1])
		args := []string{"--from", "deploy/sleep", "-n", "default", "-f", dir}
		for _, o := range overlays {
			args = append(args, "-f", o)
		}
		offline, offCode, _ := unmodelledTrace(t, args...)
		for _, want := range []struct{ code, object string }{
			{"EGR0701", "EnvoyFilter istio-system/sni-proxy"},
			{"EGR0707", "HTTPRoute default/direct-cnn-to-egress-gateway"},
			{"EGR0708", "Gateway API Gateway default/cnn-egress-gateway"},
		} {
			f := traceFinding(live, want.code)
			if f == nil || f.Object != want.object || f.Level != trace.LevelWarning {
				t.Errorf("live %s = %+v, want a Warning on %s\n%s", want.code, f, want.object, stderr)
			}
		}
		if len(live.Verdict.Uncertain) == 0 || !strings.HasPrefix(live.Verdict.Summary, "uncertain from hop ") {
			t.Errorf("live verdict = %+v, want it uncertain", live.Verdict)
		}
		if code != plugin.ExitOK || offCode != plugin.ExitOK {
			t.Errorf("exit codes live %d, offline %d, want %d: no Error may rest on what the trace does not model", code, offCode, plugin.ExitOK)
		}
		if !slices.Equal(codes(live), codes(offline)) || live.Verdict.Kind != offline.Verdict.Kind {
			t.Errorf("live findings %v (%s), offline %v (%s): want the same", codes(live), live.Verdict.Kind, codes(offline), offline.Verdict.Kind)
		}
		t.Logf("verdict %s: %s", live.Verdict.Kind, live.Verdict.Summary)
	})
	t.Run("ambient client", func(t *testing.T) {
		r, code, stderr := unmodelledTrace(t, "--from", "pod/curl", "-n", "ambient-apps", "--kubeconfig", c.Kubeconfig, "--timeout", "5s")
		f := traceFinding(r, "EGR0711")
		if f == nil || f.Object != "Namespace ambient-apps" || !strings.Contains(f.Message, "waypoint ambient-apps/egress-waypoint") {
			t.Errorf("EGR0711 = %+v, want the ambient namespace and its waypoint named\n%s", f, stderr)
		}
		if r.Verdict.Kind != trace.Unknown || hasTraceCode(r, "EGR0501") || code != plugin.ExitOK {
			t.Errorf("verdict = %+v, exit %d; want unknown (ztunnel captures it), no EGR0501, exit 0", r.Verdict, code)
		}
		if hasTraceCode(r, "EGR0707") || hasTraceCode(r, "EGR0708") || hasTraceCode(r, "EGR0701") {
			t.Errorf("findings %v: the mesh routes and the gateway's EnvoyFilter are off the path of a client without a sidecar", codes(r))
		}
		t.Logf("verdict %s: %s", r.Verdict.Kind, r.Verdict.Summary)
	})
}

// unmodelledTrace runs the plugin in-process and returns the report and the exit code.
func unmodelledTrace(t *testing.T, args ...string) (trace.Report, int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = append([]string{"trace", "edition.cnn.com:80", "-o", "json"}, args...)
	code := plugin.Main(context.Background(), genericiooptions.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}, args)
	var r trace.Report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("kubectl egress %s: exit %d, invalid JSON: %v\n%s", strings.Join(args, " "), code, err, stderr.String())
	}
	return r, code, stderr.String()
}

func codes(r trace.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}
