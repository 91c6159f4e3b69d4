package testcluster

import (
	"context"
	"fmt"
	"sync"
	"testing"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	istioclient "istio.io/client-go/pkg/clientset/versioned"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
)

// CreateObjects creates objs with client-go, workers at a time: Namespaces first, then the
// rest in any order. It handles the kinds a generated mesh has (Namespaces, Pods, Secrets,
// Services, ServiceEntries, VirtualServices, DestinationRules). A pod without a container
// image gets one, as the apiserver requires it. It fails the test on the first error.
func (c *Cluster) CreateObjects(t testing.TB, objs []runtime.Object, workers int) {
	t.Helper()
	kc := kubernetes.NewForConfigOrDie(c.RestConfig)
	ic := istioclient.NewForConfigOrDie(c.RestConfig)
	var namespaces, rest []runtime.Object
	for _, o := range objs {
		if _, ok := o.(*corev1.Namespace); ok {
			namespaces = append(namespaces, o)
		} else {
			rest = append(rest, o)
		}
	}
	for _, batch := range [][]runtime.Object{namespaces, rest} {
		if err := createAll(kc, ic, batch, workers); err != nil {
			t.Fatal(err)
		}
	}
}

func createAll(kc kubernetes.Interface, ic istioclient.Interface, objs []runtime.Object, workers int) error {
	work := make(chan runtime.Object)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range work {
				if err := create(context.Background(), kc, ic, o); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	for _, o := range objs {
		work <- o
	}
	close(work)
	wg.Wait()
	return first
}

func create(ctx context.Context, kc kubernetes.Interface, ic istioclient.Interface, obj runtime.Object) error {
	opts := metav1.CreateOptions{}
	var err error
	switch o := obj.(type) {
	case *corev1.Namespace:
		_, err = kc.CoreV1().Namespaces().Create(ctx, o, opts)
	case *corev1.Pod:
		p := o.DeepCopy()
		for i := range p.Spec.Containers {
			if p.Spec.Containers[i].Image == "" {
				p.Spec.Containers[i].Image = "registry.invalid/" + p.Spec.Containers[i].Name
			}
		}
		_, err = kc.CoreV1().Pods(p.Namespace).Create(ctx, p, opts)
	case *corev1.Secret:
		_, err = kc.CoreV1().Secrets(o.Namespace).Create(ctx, o, opts)
	case *corev1.Service:
		_, err = kc.CoreV1().Services(o.Namespace).Create(ctx, o, opts)
	case *networkingv1.ServiceEntry:
		_, err = ic.NetworkingV1().ServiceEntries(o.Namespace).Create(ctx, o, opts)
	case *networkingv1.VirtualService:
		_, err = ic.NetworkingV1().VirtualServices(o.Namespace).Create(ctx, o, opts)
	case *networkingv1.DestinationRule:
		_, err = ic.NetworkingV1().DestinationRules(o.Namespace).Create(ctx, o, opts)
	default:
		return fmt.Errorf("create %T: kind not handled by CreateObjects", obj)
	}
	if err != nil {
		return fmt.Errorf("create %T: %w", obj, err)
	}
	return nil
}
