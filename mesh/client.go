package mesh

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// ClientFitness is what makes a pod a good client to trace from: one that is running
// now, not on its way out, ready, with an Istio sidecar and, offline, a config dump.
type ClientFitness struct {
	Terminating bool // metadata.deletionTimestamp is set
	Phase       corev1.PodPhase
	Ready       bool // condition Ready is True
	Sidecar     bool // HasSidecar
	Dump        bool // a config dump of the pod is at hand (offline)
}

// Fitness reads a pod's fitness as a trace client; hasDump may be nil (live).
func Fitness(p *corev1.Pod, hasDump func(*corev1.Pod) bool) ClientFitness {
	f := ClientFitness{
		Terminating: p.DeletionTimestamp != nil,
		Phase:       p.Status.Phase,
		Sidecar:     HasSidecar(p),
		Dump:        hasDump != nil && hasDump(p),
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			f.Ready = c.Status == corev1.ConditionTrue
		}
	}
	return f
}

// rank orders fitness, best first: a dump at hand, not terminating, Running, Ready, a
// sidecar. A pod whose status is unknown (a manifest without status) ranks as neither
// Running nor Ready, the same for every such pod.
func (f ClientFitness) rank() []bool {
	return []bool{f.Dump, !f.Terminating, f.Phase == corev1.PodRunning, f.Ready, f.Sidecar}
}

// better reports whether f ranks strictly above g.
func (f ClientFitness) better(g ClientFitness) bool {
	a, b := f.rank(), g.rank()
	for i := range a {
		if a[i] != b[i] {
			return a[i]
		}
	}
	return false
}

// String says what was seen, for the line that explains the choice:
// "Running, Ready, istio-proxy", "terminating, Pending, not Ready, no sidecar".
func (f ClientFitness) String() string {
	var parts []string
	if f.Terminating {
		parts = append(parts, "terminating")
	}
	phase := string(f.Phase)
	if phase == "" {
		phase = "no status"
	}
	parts = append(parts, phase)
	if f.Phase != "" {
		parts = append(parts, map[bool]string{true: "Ready", false: "not Ready"}[f.Ready])
	}
	parts = append(parts, map[bool]string{true: proxyContainerName, false: "no sidecar"}[f.Sidecar])
	if f.Dump {
		parts = append(parts, "config dump given")
	}
	return strings.Join(parts, ", ")
}

// BestClient returns the fittest of pods (ties go to the first, pods being sorted by
// name) and its fitness. pods must not be empty.
func BestClient(pods []*corev1.Pod, hasDump func(*corev1.Pod) bool) (*corev1.Pod, ClientFitness) {
	best, bestFit := pods[0], Fitness(pods[0], hasDump)
	for _, p := range pods[1:] {
		if f := Fitness(p, hasDump); f.better(bestFit) {
			best, bestFit = p, f
		}
	}
	return best, bestFit
}
