package mesh

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// clientPod is a pod named name; mods set its state.
func clientPod(name string, mods ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}}
	for _, m := range mods {
		m(p)
	}
	return p
}

func running(p *corev1.Pod) { p.Status.Phase = corev1.PodRunning }
func ready(p *corev1.Pod) {
	p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionTrue})
}
func sidecar(p *corev1.Pod) {
	p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "istio-proxy"})
}
func terminating(p *corev1.Pod) {
	now := metav1.Now()
	p.DeletionTimestamp = &now
}

func TestBestClient(t *testing.T) {
	tests := []struct {
		name    string
		pods    []*corev1.Pod
		dumps   map[string]bool
		want    string
		wantWhy string
	}{
		{"one pod", []*corev1.Pod{clientPod("a")}, nil, "a", "no status, no sidecar"},
		{"sidecar over none", []*corev1.Pod{clientPod("a"), clientPod("b", sidecar)}, nil, "b", "no status, istio-proxy"},
		{"running ready sidecar over the first by name", []*corev1.Pod{
			clientPod("a", sidecar), clientPod("b", running, sidecar), clientPod("c", running, ready, sidecar)},
			nil, "c", "Running, Ready, istio-proxy"},
		{"terminating loses", []*corev1.Pod{
			clientPod("a", running, ready, sidecar, terminating), clientPod("b", running, ready, sidecar)},
			nil, "b", "Running, Ready, istio-proxy"},
		{"only terminating says so", []*corev1.Pod{clientPod("a", running, ready, sidecar, terminating)},
			nil, "a", "terminating, Running, Ready, istio-proxy"},
		{"pending not ready", []*corev1.Pod{clientPod("a", func(p *corev1.Pod) { p.Status.Phase = corev1.PodPending })},
			nil, "a", "Pending, not Ready, no sidecar"},
		{"offline, the pod with a dump first", []*corev1.Pod{
			clientPod("a", running, ready, sidecar), clientPod("b", sidecar)},
			map[string]bool{"default/b": true}, "b", "no status, istio-proxy, config dump given"},
		{"ties go to the first by name", []*corev1.Pod{clientPod("a", sidecar), clientPod("b", sidecar)}, nil, "a", "no status, istio-proxy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hasDump := func(p *corev1.Pod) bool { return tt.dumps[Key(p.Namespace, p.Name)] }
			got, fit := BestClient(tt.pods, hasDump)
			if got.Name != tt.want || fit.String() != tt.wantWhy {
				t.Errorf("BestClient = %s (%s), want %s (%s)", got.Name, fit, tt.want, tt.wantWhy)
			}
		})
	}
}
