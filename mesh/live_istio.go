package mesh

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// istioLister lists one Istio resource in a namespace.
type istioLister struct {
	resource string
	list     func(ctx context.Context, ns string) ([]runtime.Object, error)
}

func (l *Live) istioListers() []istioLister {
	n := l.istio.NetworkingV1()
	opts := metav1.ListOptions{}
	return []istioLister{
		{"serviceentries", func(ctx context.Context, ns string) ([]runtime.Object, error) {
			r, err := n.ServiceEntries(ns).List(ctx, opts)
			if err != nil {
				return nil, err
			}
			return objects(r.Items), nil
		}},
		{"virtualservices", func(ctx context.Context, ns string) ([]runtime.Object, error) {
			r, err := n.VirtualServices(ns).List(ctx, opts)
			if err != nil {
				return nil, err
			}
			return objects(r.Items), nil
		}},
		{"destinationrules", func(ctx context.Context, ns string) ([]runtime.Object, error) {
			r, err := n.DestinationRules(ns).List(ctx, opts)
			if err != nil {
				return nil, err
			}
			return objects(r.Items), nil
		}},
		{"gateways", func(ctx context.Context, ns string) ([]runtime.Object, error) {
			r, err := n.Gateways(ns).List(ctx, opts)
			if err != nil {
				return nil, err
			}
			return objects(r.Items), nil
		}},
		{"sidecars", func(ctx context.Context, ns string) ([]runtime.Object, error) {
			r, err := n.Sidecars(ns).List(ctx, opts)
			if err != nil {
				return nil, err
			}
			return objects(r.Items), nil
		}},
	}
}

// LoadIstioConfig lists ServiceEntries, VirtualServices, DestinationRules, Gateways and
// Sidecars (networking.istio.io/v1) in the given namespaces, or in all namespaces when
// none are given: five requests per namespace.
func (l *Live) LoadIstioConfig(ctx context.Context, namespaces []string) error {
	if len(namespaces) == 0 {
		namespaces = []string{metav1.NamespaceAll}
	}
	listers := l.istioListers()
	for _, ns := range namespaces {
		for _, li := range listers {
			l.count()
			objs, err := li.list(ctx, ns)
			if err != nil {
				return apiError("list", li.resource+" "+inNamespace(ns), li.resource+".networking.istio.io", err)
			}
			l.add(objs...)
		}
	}
	return nil
}
