package mesh

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// Workload reference kinds.
const (
	RefPod        = "pod"
	RefDeployment = "deployment"
	RefSelector   = "selector"
)

// ErrNoClient marks a workload reference that names no pod in the namespace searched
// (pod or deployment not found, no pods, selector matching nothing).
var ErrNoClient = errors.New("no client pod found")

// ErrNoNamespace marks a workload reference resolved in a namespace that does not exist.
var ErrNoNamespace = errors.New("namespace does not exist")

// markedError is err, also matching mark with errors.Is; the message is err's.
type markedError struct{ err, mark error }

func (e *markedError) Error() string   { return e.err.Error() }
func (e *markedError) Unwrap() []error { return []error{e.err, e.mark} }

func mark(err, as error) error { return &markedError{err: err, mark: as} }

// WorkloadRef is a parsed --from value.
type WorkloadRef struct {
	Kind string // RefPod, RefDeployment or RefSelector
	Name string // pod or deployment name
	// Selector is set for RefSelector.
	Selector labels.Selector
}

func (r WorkloadRef) String() string {
	if r.Kind == RefSelector {
		return r.Selector.String()
	}
	return r.Kind + "/" + r.Name
}

// ParseWorkloadRef accepts deploy/NAME, deployment/NAME, pod/NAME, NAME (a pod) and
// label selectors such as app=sleep.
func ParseWorkloadRef(ref string) (WorkloadRef, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return WorkloadRef{}, fmt.Errorf("empty workload reference, want deploy/NAME, pod/NAME, NAME or a label selector")
	}
	if strings.ContainsAny(ref, "=!() ") {
		sel, err := labels.Parse(ref)
		if err != nil {
			return WorkloadRef{}, fmt.Errorf("parse label selector %q: %w", ref, err)
		}
		return WorkloadRef{Kind: RefSelector, Selector: sel}, nil
	}
	kind, name, found := strings.Cut(ref, "/")
	if !found {
		return WorkloadRef{Kind: RefPod, Name: ref}, nil
	}
	switch strings.ToLower(kind) {
	case "deploy", "deployment", "deployments", "deployment.apps", "deployments.apps":
		return WorkloadRef{Kind: RefDeployment, Name: name}, nil
	case "po", "pod", "pods":
		return WorkloadRef{Kind: RefPod, Name: name}, nil
	}
	return WorkloadRef{}, fmt.Errorf("unsupported workload %q, want deploy/NAME, pod/NAME, NAME or a label selector", ref)
}

// ResolveWorkload returns the pods a workload reference names in namespace, sorted by name.
func (s *Snapshot) ResolveWorkload(namespace, ref string) ([]*corev1.Pod, error) {
	r, err := ParseWorkloadRef(ref)
	if err != nil {
		return nil, err
	}
	return s.resolve(namespace, r)
}

func (s *Snapshot) resolve(namespace string, r WorkloadRef) ([]*corev1.Pod, error) {
	switch r.Kind {
	case RefPod:
		pod, ok := s.Pods[Key(namespace, r.Name)]
		if !ok {
			return nil, mark(fmt.Errorf("pod %s/%s not found", namespace, r.Name), ErrNoClient)
		}
		return []*corev1.Pod{pod}, nil
	case RefDeployment:
		return s.deploymentPods(namespace, r.Name)
	}
	pods := s.PodsMatching(namespace, r.Selector)
	if len(pods) == 0 {
		return nil, mark(fmt.Errorf("no pod matches %s in namespace %s", r.Selector, namespace), ErrNoClient)
	}
	return pods, nil
}

func (s *Snapshot) deploymentPods(namespace, name string) ([]*corev1.Pod, error) {
	d, ok := s.Deployments[Key(namespace, name)]
	if !ok {
		return nil, mark(fmt.Errorf("deployment %s/%s not found", namespace, name), ErrNoClient)
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("deployment %s/%s: selector: %w", namespace, name, err)
	}
	pods := s.PodsMatching(namespace, sel)
	if len(pods) == 0 {
		return nil, mark(fmt.Errorf("deployment %s/%s has no pods", namespace, name), ErrNoClient)
	}
	return pods, nil
}

// PodsMatching returns the pods of namespace matched by sel, sorted by name. It starts
// from the smallest label-index bucket named by an equality requirement.
func (s *Snapshot) PodsMatching(namespace string, sel labels.Selector) []*corev1.Pod {
	candidates := s.idx.podsByNS[namespace]
	reqs, _ := sel.Requirements()
	for _, r := range reqs {
		op := r.Operator()
		if (op == selection.Equals || op == selection.DoubleEquals || op == selection.In) && r.Values().Len() == 1 {
			bucket := s.idx.podsByLabel[namespace][r.Key()+"="+r.Values().List()[0]]
			if len(bucket) < len(candidates) {
				candidates = bucket
			}
		}
	}
	var out []*corev1.Pod
	for _, p := range candidates {
		if sel.Matches(labels.Set(p.Labels)) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
