package mesh

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// podOpt changes a pod built by newPod.
type podOpt func(*corev1.Pod)

// newPod builds a valid pod with an istio-proxy sidecar in namespace default.
func newPod(name string, opts ...podOpt) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, Labels: map[string]string{}, Annotations: map[string]string{}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "app", Image: "curl"}, {Name: proxyContainerName, Image: "proxyv2"},
		}},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

func withLabels(kv ...string) podOpt {
	return func(p *corev1.Pod) {
		for i := 0; i+1 < len(kv); i += 2 {
			p.Labels[kv[i]] = kv[i+1]
		}
	}
}

func withAnnotation(k, v string) podOpt {
	return func(p *corev1.Pod) { p.Annotations[k] = v }
}

func inNS(ns string) podOpt { return func(p *corev1.Pod) { p.Namespace = ns } }

func noSidecar() podOpt {
	return func(p *corev1.Pod) { p.Spec.Containers = p.Spec.Containers[:1] }
}

func newDeployment(ns, name string, selector map[string]string) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: selector}},
	}
}

// writeFiles writes name → content under a temp dir and returns the dir.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// snapshotOf builds a snapshot from typed objects, failing the test on error.
func snapshotOf(t *testing.T, objs ...runtime.Object) *Snapshot {
	t.Helper()
	s := NewSnapshot("")
	for i, o := range objs {
		if err := s.Add(o, fmt.Sprintf("test object %d", i)); err != nil {
			t.Fatalf("Add(%T): %v", o, err)
		}
	}
	return s
}
