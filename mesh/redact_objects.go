package mesh

import (
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// ExportToAnnotation sets a Service's exportTo (Istio reads it as the mesh-wide default).
const ExportToAnnotation = "networking.istio.io/exportTo"

// keptAnnotations are the only annotations a redacted object keeps: the ones the load,
// the trace and the checks read. Every other annotation (kubectl's
// last-applied-configuration, which copies the whole object, tokens, ...) is dropped.
var keptAnnotations = []string{
	SidecarStatusAnnotation,
	IncludeOutboundIPRangesAnnot, ExcludeOutboundIPRangesAnnot,
	IncludeOutboundPortsAnnot, ExcludeOutboundPortsAnnot,
	ExportToAnnotation,
}

// Redact returns a copy of obj that holds only what the load, the trace and the checks
// read from its kind, built field by field (an allowlist: a field not named here is not
// copied), or nil for a kind that is not kept. Secrets keep metadata and parsed
// certificates (RedactSecret); Pods their labels, the sidecar annotations, containers'
// names, images and ports, and env names without values (redactPod); the mesh ConfigMap
// the fields of its `mesh` key that are read (redactMeshConfig). Istio's networking kinds
// keep their spec, which is the traced config, with VirtualService header values and
// direct response bodies replaced (redactVirtualService).
func Redact(obj runtime.Object) runtime.Object {
	out := redactKind(obj)
	if out != nil {
		out.GetObjectKind().SetGroupVersionKind(obj.GetObjectKind().GroupVersionKind())
	}
	return out
}

func redactKind(obj runtime.Object) runtime.Object {
	switch o := obj.(type) {
	case *corev1.Secret:
		return RedactSecret(o)
	case *corev1.Pod:
		return redactPod(o)
	case *corev1.ConfigMap:
		return redactConfigMap(o)
	case *corev1.Namespace:
		return &corev1.Namespace{ObjectMeta: redactMeta(o.ObjectMeta)}
	case *corev1.Service:
		return redactService(o)
	case *appsv1.Deployment:
		return &appsv1.Deployment{ObjectMeta: redactMeta(o.ObjectMeta), Spec: appsv1.DeploymentSpec{
			Replicas: o.Spec.Replicas, Selector: o.Spec.Selector.DeepCopy(), Template: redactTemplate(o.Spec.Template)}}
	case *appsv1.ReplicaSet:
		return &appsv1.ReplicaSet{ObjectMeta: redactMeta(o.ObjectMeta), Spec: appsv1.ReplicaSetSpec{
			Replicas: o.Spec.Replicas, Selector: o.Spec.Selector.DeepCopy(), Template: redactTemplate(o.Spec.Template)}}
	case *netv1.NetworkPolicy:
		// Selectors, ports, CIDRs and policy types: all of it is read, none of it free text.
		return &netv1.NetworkPolicy{ObjectMeta: redactMeta(o.ObjectMeta), Spec: *o.Spec.DeepCopy()}
	}
	return redactIstio(obj)
}

// redactIstio keeps the spec of Istio's networking kinds (the config the trace reads).
func redactIstio(obj runtime.Object) runtime.Object {
	switch o := obj.(type) {
	case *networkingv1.ServiceEntry:
		out := &networkingv1.ServiceEntry{ObjectMeta: redactMeta(o.ObjectMeta)}
		o.Spec.DeepCopyInto(&out.Spec)
		return out
	case *networkingv1.VirtualService:
		return redactVirtualService(o)
	case *networkingv1.DestinationRule:
		out := &networkingv1.DestinationRule{ObjectMeta: redactMeta(o.ObjectMeta)}
		o.Spec.DeepCopyInto(&out.Spec)
		return out
	case *networkingv1.Gateway:
		out := &networkingv1.Gateway{ObjectMeta: redactMeta(o.ObjectMeta)}
		o.Spec.DeepCopyInto(&out.Spec)
		return out
	case *networkingv1.Sidecar:
		out := &networkingv1.Sidecar{ObjectMeta: redactMeta(o.ObjectMeta)}
		o.Spec.DeepCopyInto(&out.Spec)
		return out
	}
	return nil
}

// redactMeta keeps name, namespace, labels, owners, timestamps and keptAnnotations.
func redactMeta(m metav1.ObjectMeta) metav1.ObjectMeta {
	out := metav1.ObjectMeta{
		Name:              m.Name,
		Namespace:         m.Namespace,
		Labels:            copyMap(m.Labels),
		CreationTimestamp: m.CreationTimestamp,
		DeletionTimestamp: m.DeletionTimestamp.DeepCopy(),
	}
	for _, o := range m.OwnerReferences {
		out.OwnerReferences = append(out.OwnerReferences, metav1.OwnerReference{
			APIVersion: o.APIVersion, Kind: o.Kind, Name: o.Name, UID: o.UID, Controller: o.Controller})
	}
	for _, k := range keptAnnotations {
		if v, ok := m.Annotations[k]; ok {
			if out.Annotations == nil {
				out.Annotations = map[string]string{}
			}
			out.Annotations[k] = v
		}
	}
	return out
}

func redactService(s *corev1.Service) *corev1.Service {
	return &corev1.Service{ObjectMeta: redactMeta(s.ObjectMeta), Spec: corev1.ServiceSpec{
		Type:         s.Spec.Type,
		ClusterIP:    s.Spec.ClusterIP,
		ClusterIPs:   append([]string(nil), s.Spec.ClusterIPs...),
		ExternalName: s.Spec.ExternalName,
		Selector:     copyMap(s.Spec.Selector),
		Ports:        append([]corev1.ServicePort(nil), s.Spec.Ports...),
	}}
}

// redactConfigMap keeps the mesh config ConfigMap's `mesh` key, reduced to what is read;
// the data of every other key and ConfigMap is dropped.
func redactConfigMap(cm *corev1.ConfigMap) *corev1.ConfigMap {
	out := &corev1.ConfigMap{ObjectMeta: redactMeta(cm.ObjectMeta)}
	if v, ok := cm.Data[meshConfigKey]; ok && cm.Name == meshConfigMapName {
		out.Data = map[string]string{meshConfigKey: redactMeshConfig(v)}
	}
	return out
}
