package mesh

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LoadNamespace gets one Namespace (its labels matter to NetworkPolicies and injection).
func (l *Live) LoadNamespace(ctx context.Context, name string) (*corev1.Namespace, error) {
	l.count()
	ns, err := l.kube.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, apiError("get", "namespace "+name, "namespaces", err)
	}
	l.add(ns)
	return l.snap.Namespaces[name], nil
}

// LoadPod gets one pod by name.
func (l *Live) LoadPod(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
	l.count()
	pod, err := l.kube.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, apiError("get", "pod "+Key(namespace, name), "pods", err)
	}
	l.add(pod)
	return l.snap.Pods[Key(namespace, name)], nil
}

// LoadPodsBySelector lists the pods matching a label selector in namespace ("" for all
// namespaces), sorted by namespace and name.
func (l *Live) LoadPodsBySelector(ctx context.Context, namespace, selector string) ([]*corev1.Pod, error) {
	l.count()
	list, err := l.kube.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, apiError("list", "pods matching "+selector+" "+inNamespace(namespace), "pods", err)
	}
	l.add(pointers(list.Items)...)
	out := make([]*corev1.Pod, 0, len(list.Items))
	for _, k := range podKeys(list.Items) {
		out = append(out, l.snap.Pods[k])
	}
	return out, nil
}

func podKeys(pods []corev1.Pod) []string {
	set := make(map[string]bool, len(pods))
	for i := range pods {
		set[Key(pods[i].Namespace, pods[i].Name)] = true
	}
	return SortedKeys(set)
}

// LoadService gets one Service.
func (l *Live) LoadService(ctx context.Context, namespace, name string) (*corev1.Service, error) {
	l.count()
	svc, err := l.kube.CoreV1().Services(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, apiError("get", "service "+Key(namespace, name), "services", err)
	}
	l.add(svc)
	return l.snap.Services[Key(namespace, name)], nil
}

// LoadServices lists the Services of namespace ("" for all namespaces).
func (l *Live) LoadServices(ctx context.Context, namespace string) error {
	l.count()
	list, err := l.kube.CoreV1().Services(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return apiError("list", "services "+inNamespace(namespace), "services", err)
	}
	l.add(pointers(list.Items)...)
	return nil
}

// LoadNetworkPolicies lists the NetworkPolicies of namespace.
func (l *Live) LoadNetworkPolicies(ctx context.Context, namespace string) error {
	l.count()
	list, err := l.kube.NetworkingV1().NetworkPolicies(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return apiError("list", "networkpolicies "+inNamespace(namespace), "networkpolicies.networking.k8s.io", err)
	}
	l.add(pointers(list.Items)...)
	return nil
}

// LoadSecret gets one Secret and keeps only its SecretInfo. Forbidden and not found are
// not errors: they are recorded in SecretInfo.Access for the check to report.
func (l *Live) LoadSecret(ctx context.Context, namespace, name string) (*SecretInfo, error) {
	l.count()
	sec, err := l.kube.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsForbidden(err):
		l.snap.addSecretInfo(&SecretInfo{Namespace: namespace, Name: name, Access: AccessForbidden})
	case apierrors.IsNotFound(err):
		l.snap.addSecretInfo(&SecretInfo{Namespace: namespace, Name: name, Access: AccessNotFound})
	case err != nil:
		return nil, apiError("get", "secret "+Key(namespace, name), "secrets", err)
	default:
		l.add(sec)
	}
	return l.snap.Secrets[Key(namespace, name)], nil
}

// LoadMeshConfig reads ConfigMap `istio` in istioNamespace (the snapshot's when empty).
// Not found leaves Istio's defaults; forbidden leaves the mode ModeUnknown (the cluster's
// mesh config exists but is not ours to read, so Istio's default would be a guess), with
// Access saying why.
func (l *Live) LoadMeshConfig(ctx context.Context, istioNamespace string) (MeshConfig, error) {
	if istioNamespace != "" && istioNamespace != l.snap.IstioNamespace {
		l.snap.IstioNamespace = istioNamespace
		l.snap.Mesh = defaultMeshConfig(istioNamespace)
	}
	ns := l.snap.IstioNamespace
	l.count()
	cm, err := l.kube.CoreV1().ConfigMaps(ns).Get(ctx, meshConfigMapName, metav1.GetOptions{})
	switch {
	case apierrors.IsForbidden(err):
		l.snap.Mesh = ForbiddenMeshConfig(ns)
	case apierrors.IsNotFound(err):
		l.snap.Mesh.Access = AccessNotFound
	case err != nil:
		return l.snap.Mesh, apiError("get", "configmap "+Key(ns, meshConfigMapName), "configmaps", err)
	default:
		l.add(cm)
	}
	return l.snap.Mesh, nil
}
