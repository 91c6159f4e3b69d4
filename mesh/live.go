package mesh

import (
	"fmt"
	"sync/atomic"

	versioned "istio.io/client-go/pkg/clientset/versioned"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// liveOrigin is the origin recorded for objects read from the API server.
const liveOrigin = "cluster"

// Live reads from a cluster into a Snapshot, only what it is asked for. Every method adds
// what it read to the snapshot so the same indexes and queries serve files and clusters.
// It is not safe for concurrent use except for Requests.
type Live struct {
	kube     kubernetes.Interface
	istio    versioned.Interface
	dyn      dynamic.Interface
	snap     *Snapshot
	requests atomic.Int64
	// OnObject, when set, sees every object read from the cluster, before it is reduced
	// (Secrets) into the snapshot; support bundles record the inputs with it.
	OnObject func(runtime.Object)
}

// NewLive returns a loader filling snap (a new snapshot for DefaultIstioNamespace when nil).
func NewLive(kube kubernetes.Interface, istio versioned.Interface, snap *Snapshot) *Live {
	if snap == nil {
		snap = NewSnapshot(DefaultIstioNamespace)
	}
	return &Live{kube: kube, istio: istio, snap: snap}
}

// NewLiveForConfig builds the clientsets and the dynamic client from a rest.Config.
func NewLiveForConfig(cfg *rest.Config, snap *Snapshot) (*Live, error) {
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("create kubernetes client: %w", err)
	}
	istio, err := versioned.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("create istio client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("create dynamic client: %w", err)
	}
	return NewLive(kube, istio, snap).WithDynamic(dyn), nil
}

// Snapshot returns the snapshot being filled.
func (l *Live) Snapshot() *Snapshot { return l.snap }

// Requests is the number of API requests made so far.
func (l *Live) Requests() int64 { return l.requests.Load() }

// count records one API request.
func (l *Live) count() { l.requests.Add(1) }

// add puts objects read from the cluster into the snapshot; re-reads are ignored.
func (l *Live) add(objs ...runtime.Object) {
	for _, o := range objs {
		setCanonicalTypeMeta(o)
		if l.OnObject != nil {
			l.OnObject(o)
		}
		// Errors are impossible for the supported types with strict=false.
		_ = l.snap.add(o, liveOrigin, false)
	}
}

// apiError names the request, wraps err and, when RBAC denied it, says what is needed.
func apiError(verb, what, resource string, err error) error {
	if apierrors.IsForbidden(err) {
		return fmt.Errorf("%s %s: %w; the trace needs %s on %s (see README, RBAC)", verb, what, err, verb, resource)
	}
	return fmt.Errorf("%s %s: %w", verb, what, err)
}

// inNamespace renders a namespace for messages ("" is all namespaces).
func inNamespace(ns string) string {
	if ns == "" {
		return "in all namespaces"
	}
	return "in namespace " + ns
}

func pointers[T any](items []T) []runtime.Object {
	out := make([]runtime.Object, 0, len(items))
	for i := range items {
		if o, ok := any(&items[i]).(runtime.Object); ok {
			out = append(out, o)
		}
	}
	return out
}

func objects[T runtime.Object](items []T) []runtime.Object {
	out := make([]runtime.Object, 0, len(items))
	for _, it := range items {
		out = append(out, it)
	}
	return out
}
