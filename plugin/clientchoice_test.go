package plugin_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// extraSleepPods are two more pods of deploy/sleep for gateway-tls-origination: one that
// sorts first, Running and Ready with a sidecar but no dump, and one terminating.
const extraSleepPods = `---
apiVersion: v1
kind: Pod
metadata: {name: sleep-7b4c9d8f6-aaaaa, namespace: default, labels: {app: sleep}}
spec: {containers: [{name: sleep, image: curl}, {name: istio-proxy, image: proxyv2}]}
status: {phase: Running, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: sleep-7b4c9d8f6-zzzzz, namespace: default, labels: {app: sleep}, deletionTimestamp: "2026-01-01T00:00:00Z"}
spec: {containers: [{name: sleep, image: curl}, {name: istio-proxy, image: proxyv2}]}
status: {phase: Running, conditions: [{type: Ready, status: "True"}]}
`

// traceJSON runs trace -o json and decodes the report.
func traceJSON(t *testing.T, args ...string) (*trace.Report, string) {
	t.Helper()
	stdout, stderr, code := runMain(t, append(args, "-o", "json")...)
	if code != plugin.ExitOK && code != plugin.ExitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var r trace.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("decode -o json: %v\n%s", err, stdout)
	}
	return &r, stderr
}

// TestClientChoiceOffline: among three pods of deploy/sleep, the one with a dump is
// traced from, and stderr and the report say so.
func TestClientChoiceOffline(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(scenario("gateway-tls-origination"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifests", "11-more-sleep.yaml"), []byte(extraSleepPods), 0o600); err != nil {
		t.Fatal(err)
	}
	r, stderr := traceJSON(t, append([]string{"trace", "http://edition.cnn.com", "--from", "deploy/sleep", "-f", dir}, noCluster...)...)
	const line = "3 pods match deploy/sleep; chose default/sleep-7b4c9d8f6-abcde (Running, Ready, istio-proxy, config dump given); pass --from pod/NAME to pick another\n"
	if !strings.Contains(stderr, line) {
		t.Errorf("stderr =\n%s\nwant the line\n%s", stderr, line)
	}
	want := trace.ClientChoice{Candidates: 3, Pod: "default/sleep-7b4c9d8f6-abcde", Reason: "Running, Ready, istio-proxy, config dump given"}
	if r.From.Pod != "sleep-7b4c9d8f6-abcde" || r.Inputs.ClientChoice == nil || *r.Inputs.ClientChoice != want {
		t.Errorf("from.pod = %q, inputs.clientChoice = %+v, want sleep-7b4c9d8f6-abcde and %+v", r.From.Pod, r.Inputs.ClientChoice, want)
	}
	r, stderr = traceJSON(t, append([]string{"trace", "http://edition.cnn.com", "--from", "pod/sleep-7b4c9d8f6-aaaaa", "-f", dir}, noCluster...)...)
	if r.Inputs.ClientChoice != nil || strings.Contains(stderr, "pods match") {
		t.Errorf("--from pod/NAME: clientChoice = %+v, stderr %q, want no choice made", r.Inputs.ClientChoice, stderr)
	}
}

// TestClientChoiceLive: against a real apiserver, deploy/sleep has a Pending pod with a
// sidecar that sorts first, a terminating one, and a Running, Ready one: the last is
// traced from.
func TestClientChoiceLive(t *testing.T) {
	c := testcluster.Start(t)
	kc := kubernetes.NewForConfigOrDie(c.RestConfig)
	ctx := context.Background()
	labels := map[string]string{"app": "sleep"}
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "sleep", Namespace: "default"},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "sleep", Image: "curl"}}}}}}
	if _, err := kc.AppsV1().Deployments("default").Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sleep-aaaaa", "sleep-bbbbb", "sleep-ccccc"} {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", Labels: labels, Finalizers: []string{"test/hold"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "sleep", Image: "curl"}, {Name: "istio-proxy", Image: "proxyv2"}}}}
		p, err := kc.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if name == "sleep-aaaaa" {
			continue // stays Pending
		}
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
		if _, err := kc.CoreV1().Pods("default").UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := kc.CoreV1().Pods("default").Delete(ctx, "sleep-bbbbb", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err) // held by its finalizer: terminating
	}
	r, stderr := traceJSON(t, "trace", "edition.cnn.com", "--from", "deploy/sleep", "--kubeconfig", c.Kubeconfig, "--timeout", "2s")
	const line = "3 pods match deploy/sleep; chose default/sleep-ccccc (Running, Ready, istio-proxy); pass --from pod/NAME to pick another\n"
	if !strings.Contains(stderr, line) {
		t.Errorf("stderr =\n%s\nwant the line\n%s", stderr, line)
	}
	if r.From.Pod != "sleep-ccccc" || r.Inputs.ClientChoice == nil || r.Inputs.ClientChoice.Candidates != 3 {
		t.Errorf("from.pod = %q, inputs.clientChoice = %+v, want sleep-ccccc among 3", r.From.Pod, r.Inputs.ClientChoice)
	}
	r, _ = traceJSON(t, "trace", "edition.cnn.com", "--from", "app=sleep", "--kubeconfig", c.Kubeconfig, "--timeout", "2s")
	if r.From.Pod != "sleep-ccccc" {
		t.Errorf("--from app=sleep: from.pod = %q, want sleep-ccccc", r.From.Pod)
	}
	// Nothing found in the namespace searched: the message names it and the way out.
	for args, want := range map[string]string{
		"trace edition.cnn.com --from deploy/nope": "error: resolve --from deploy/nope in namespace default: get deployment default/nope: " +
			`deployments.apps "nope" not found; if the client runs in another namespace, pass -n NAMESPACE` + "\n",
		"trace edition.cnn.com --from app=nope": "error: resolve --from app=nope in namespace default: no pod matches app=nope in namespace default; " +
			"if the client runs in another namespace, pass -n NAMESPACE\n",
		"check-secrets": "No credentialName found in DestinationRules (SIMPLE/MUTUAL) or Gateway servers in namespace default; " +
			"pass -A to check every namespace, or -n NAMESPACE for another.\n",
	} {
		_, stderr, _ := runMain(t, append(strings.Fields(args), "--kubeconfig", c.Kubeconfig)...)
		if !strings.Contains(stderr, want) {
			t.Errorf("%s: stderr =\n%s\nwant the line\n%s", args, stderr, want)
		}
	}
}
