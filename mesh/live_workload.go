package mesh

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LoadDeployment gets one Deployment.
func (l *Live) LoadDeployment(ctx context.Context, namespace, name string) (*appsv1.Deployment, error) {
	l.count()
	d, err := l.kube.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, apiError("get", "deployment "+Key(namespace, name), "deployments.apps", err)
	}
	l.add(d)
	return l.snap.Deployments[Key(namespace, name)], nil
}

// ResolveWorkload reads the pods a workload reference names (see ParseWorkloadRef) with
// GETs by name and label-selector LISTs only, then resolves it on the snapshot.
func (l *Live) ResolveWorkload(ctx context.Context, namespace, ref string) ([]*corev1.Pod, error) {
	r, err := ParseWorkloadRef(ref)
	if err != nil {
		return nil, err
	}
	switch r.Kind {
	case RefPod:
		_, err = l.LoadPod(ctx, namespace, r.Name)
	case RefDeployment:
		err = l.loadDeploymentPods(ctx, namespace, r.Name)
	default:
		_, err = l.LoadPodsBySelector(ctx, namespace, r.Selector.String())
	}
	if apierrors.IsNotFound(err) {
		l.count()
		if _, nsErr := l.kube.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{}); apierrors.IsNotFound(nsErr) {
			return nil, mark(fmt.Errorf("namespace %s does not exist (%w); give the client's namespace with -n", namespace, err), ErrNoNamespace)
		}
		err = mark(err, ErrNoClient)
	}
	if err != nil {
		return nil, err
	}
	return l.snap.resolve(namespace, r)
}

func (l *Live) loadDeploymentPods(ctx context.Context, namespace, name string) error {
	d, err := l.LoadDeployment(ctx, namespace, name)
	if err != nil {
		return err
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return fmt.Errorf("deployment %s/%s: selector: %w", namespace, name, err)
	}
	_, err = l.LoadPodsBySelector(ctx, namespace, sel.String())
	return err
}
