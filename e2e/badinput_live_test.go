package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// TestBadInputLive runs the live half of the bad-input matrix against a real apiserver
// with a scenario applied: a failure is one "error: ..." line naming what failed, with
// its exit code; a proxy that cannot be read leaves a report, a warning line and the
// proxy in Inputs.MissingDumps; client-go's own log lines never reach stderr.
func TestBadInputLive(t *testing.T) {
	const name = "gateway-tls-origination"
	dir := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", name)
	target := demoTarget(t, name)
	c := testcluster.Start(t)
	k := c.StartKubelet(t)
	deployScenario(t, c, k, dir)
	kc := kubernetes.NewForConfigOrDie(c.RestConfig)
	clonePod(t, kc, "default", "sleep-7b4c9d8f6-abcde", "sleep-unscheduled", map[string]string{"app": "unscheduled"}, false)
	clonePod(t, kc, "default", "sleep-7b4c9d8f6-abcde", "sleep-hang", map[string]string{"app": "hang"}, false)
	c.ServePod(t, k, "default", "sleep-hang", envoy.DefaultAdminPort, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}))
	gw := "istio-egressgateway-6d8c4b7f9-xk2lp"
	gwDump := filepath.Join(dir, "dumps", "istio-system", gw+".json")
	for _, replica := range []string{gw[:len(gw)-5] + "rep02", gw[:len(gw)-5] + "rep03"} {
		clonePod(t, kc, "istio-system", gw, replica, nil, true)
	}
	c.ServePod(t, k, "istio-system", gw[:len(gw)-5]+"rep02", envoy.DefaultAdminPort, adminHandler(t, gwDump))
	// rep03 is bound to the node, but nothing listens on its admin port.
	c.ServePod(t, k, "istio-system", gw[:len(gw)-5]+"rep03", 1, http.NotFoundHandler())

	live := []string{"--kubeconfig", c.Kubeconfig}
	tests := []struct {
		name    string
		args    []string
		code    int    // -1: a report (exit 0 or 79)
		want    string // the error line, or a warning line of a report, contains it
		missing string // a report's Inputs.MissingDumps holds it
	}{
		{"nonexistent pod", append([]string{"--from", "pod/nope"}, live...), plugin.ExitError, `resolve --from pod/nope in namespace default: get pod default/nope: pods "nope" not found`, ""},
		{"nonexistent deployment", append([]string{"--from", "deploy/nope"}, live...), plugin.ExitError, `deployments.apps "nope" not found`, ""},
		{"nonexistent namespace", append([]string{"--from", "deploy/sleep", "-n", "nope"}, live...), plugin.ExitError, "namespace nope does not exist", ""},
		{"unreachable API server", []string{"--from", "deploy/sleep", "--kubeconfig", writeKubeconfig(t, "https://127.0.0.1:1", testcluster.AdminToken)},
			plugin.ExitError, "127.0.0.1:1", ""},
		{"invalid token", []string{"--from", "deploy/sleep", "--kubeconfig", writeKubeconfig(t, c.URL, "expired-or-invalid-token")},
			plugin.ExitError, "Unauthorized (the API server rejected the kubeconfig's credentials: expired token or certificate?", ""},
		{"port-forward refused (pod on no node)", append([]string{"--from", "pod/sleep-unscheduled"}, live...), -1,
			"fetching config from default/sleep-unscheduled... failed: ", "default/sleep-unscheduled"},
		{"proxy admin hangs", append([]string{"--from", "pod/sleep-hang", "--timeout", "2s"}, live...), -1,
			"fetching config from default/sleep-hang... failed: ", "default/sleep-hang"},
		{"one of three gateway replicas unreachable", append([]string{"--from", "deploy/sleep"}, live...), -1,
			"fetching config from istio-system/" + gw[:len(gw)-5] + "rep03... failed: ", "istio-system/" + gw[:len(gw)-5] + "rep03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"trace", target, "-n", "default", "-o", "json"}, tt.args...)
			var stdout, stderr bytes.Buffer
			start := time.Now()
			code := plugin.Main(context.Background(), genericiooptions.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}, args)
			t.Logf("exit %d after %s, stderr:\n%s", code, time.Since(start).Round(time.Millisecond), stderr.String())
			if strings.Contains(stderr.String(), "Unhandled Error") || strings.Contains(stderr.String(), ".go:") {
				t.Errorf("client-go log lines on stderr:\n%s", stderr.String())
			}
			if tt.code != -1 {
				if code != tt.code || stdout.Len() != 0 || strings.Count(stderr.String(), "\n") != 1 ||
					!strings.HasPrefix(stderr.String(), "error: ") || !strings.Contains(stderr.String(), tt.want) {
					t.Errorf("exit %d, stdout %d bytes, stderr %q; want exit %d and one line \"error: ...%s...\"", code, stdout.Len(), stderr.String(), tt.code, tt.want)
				}
				return
			}
			if code != plugin.ExitOK && code != plugin.ExitFindings {
				t.Fatalf("exit %d, want a report", code)
			}
			var r trace.Report
			if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
				t.Fatalf("stdout is not a JSON report: %v", err)
			}
			if !strings.Contains(stderr.String(), tt.want) || strings.Contains(stderr.String(), "error: ") {
				t.Errorf("stderr lacks %q (or has an error line):\n%s", tt.want, stderr.String())
			}
			if !strings.Contains(strings.Join(r.Inputs.MissingDumps, ","), tt.missing) {
				t.Errorf("missingDumps = %v, want %s among them", r.Inputs.MissingDumps, tt.missing)
			}
			for _, f := range r.Findings {
				t.Logf("finding %s %s: %s", f.Level, f.Code, f.Message)
			}
		})
	}
}

// clonePod creates a copy of a pod under another name (and labels, when given), with
// the same status; bound to the test node when bind is set, else left unscheduled.
func clonePod(t *testing.T, kc kubernetes.Interface, ns, from, to string, labels map[string]string, bind bool) {
	t.Helper()
	ctx := context.Background()
	p, err := kc.CoreV1().Pods(ns).Get(ctx, from, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	clone := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: to, Namespace: ns, Labels: p.Labels, Annotations: p.Annotations}, Spec: p.Spec}
	if labels != nil {
		clone.Labels = labels
	}
	clone.Spec.NodeName = ""
	if bind {
		clone.Spec.NodeName = testcluster.NodeName
	}
	created, err := kc.CoreV1().Pods(ns).Create(ctx, clone, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create pod %s/%s: %v", ns, to, err)
	}
	created.Status = p.Status
	if _, err := kc.CoreV1().Pods(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("set status of pod %s/%s: %v", ns, to, err)
	}
}

// writeKubeconfig writes a kubeconfig for server with a bearer token.
func writeKubeconfig(t *testing.T, server, token string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: " + server + "\n    insecure-skip-tls-verify: true\n" +
		"users:\n- name: u\n  user:\n    token: " + token + "\ncontexts:\n- name: x\n  context: {cluster: c, user: u, namespace: default}\ncurrent-context: x\n"
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBadInputBinary runs a few matrix cases through the built binary: the exit status
// and the one stderr line are the process's, and no client-go log line gets through.
func TestBadInputBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary: skipped under -short")
	}
	bin := filepath.Join(testcluster.BuildPlugin(t), "kubectl-egress")
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", "gateway-tls-origination")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"empty dump", []string{"-f", s, "--dump", "default/sleep-7b4c9d8f6-abcde=" + empty}, plugin.ExitBadInput,
			"error: read dump default/sleep-7b4c9d8f6-abcde from " + empty + ": empty input, not an envoy config dump"},
		{"unknown flag", []string{"-f", s, "--bogus"}, plugin.ExitUsage, "error: unknown flag: --bogus; see 'kubectl egress trace --help' for usage"},
		{"unreachable API server", []string{"--kubeconfig", writeKubeconfig(t, "https://127.0.0.1:1", "t")}, plugin.ExitError,
			`dial tcp 127.0.0.1:1: connect: connection refused`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, append([]string{"trace", "edition.cnn.com", "--from", "deploy/sleep"}, tt.args...)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			code := exitCode(cmd.Run())
			t.Logf("exit %d, stderr: %s", code, strings.TrimSpace(stderr.String()))
			if code != tt.code || stdout.Len() != 0 || strings.Count(stderr.String(), "\n") != 1 ||
				!strings.HasPrefix(stderr.String(), "error: ") || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and one line containing %q", code, stdout.String(), stderr.String(), tt.code, tt.want)
			}
		})
	}
}
