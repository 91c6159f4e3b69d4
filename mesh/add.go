package mesh

import (
	"fmt"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// meshConfigMapName is the ConfigMap holding the mesh config under key meshConfigKey.
const (
	meshConfigMapName = "istio"
	meshConfigKey     = "mesh"
)

// Add puts a typed object into the snapshot and its indexes. origin says where it came
// from and is used in duplicate errors. A second object of the same kind, namespace and
// name is an error naming both origins. Secrets are reduced to SecretInfo; ConfigMaps
// other than the mesh config and unsupported types are recorded in Skipped.
func (s *Snapshot) Add(obj runtime.Object, origin string) error {
	return s.add(obj, origin, true)
}

// add implements Add; with strict false a duplicate is ignored (live reloads).
func (s *Snapshot) add(obj runtime.Object, origin string, strict bool) error {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return s.addOther(u, origin, strict)
	}
	id, meta, ok := objectID(obj)
	if !ok {
		return fmt.Errorf("unsupported object type %T", obj)
	}
	if prev, dup := s.origins[id]; dup {
		if !strict {
			return nil
		}
		return fmt.Errorf("duplicate %s (first defined in %s)", id, prev)
	}
	if cm, isCM := obj.(*corev1.ConfigMap); isCM {
		if !s.addConfigMap(cm, origin) {
			return nil
		}
	} else {
		s.store(obj, meta)
	}
	s.origins[id] = origin
	return nil
}

// objectID names a supported object; ok is false for types the snapshot does not model.
func objectID(obj runtime.Object) (ObjectID, *metav1.ObjectMeta, bool) {
	var kind string
	var meta *metav1.ObjectMeta
	switch o := obj.(type) {
	case *networkingv1.ServiceEntry:
		kind, meta = "ServiceEntry", &o.ObjectMeta
	case *networkingv1.VirtualService:
		kind, meta = "VirtualService", &o.ObjectMeta
	case *networkingv1.DestinationRule:
		kind, meta = "DestinationRule", &o.ObjectMeta
	case *networkingv1.Gateway:
		kind, meta = "Gateway", &o.ObjectMeta
	case *networkingv1.Sidecar:
		kind, meta = "Sidecar", &o.ObjectMeta
	case *corev1.Namespace:
		kind, meta = "Namespace", &o.ObjectMeta
	case *corev1.Pod:
		kind, meta = "Pod", &o.ObjectMeta
	case *corev1.Service:
		kind, meta = "Service", &o.ObjectMeta
	case *appsv1.Deployment:
		kind, meta = "Deployment", &o.ObjectMeta
	case *appsv1.ReplicaSet:
		kind, meta = "ReplicaSet", &o.ObjectMeta
	case *netv1.NetworkPolicy:
		kind, meta = "NetworkPolicy", &o.ObjectMeta
	case *corev1.Secret:
		kind, meta = "Secret", &o.ObjectMeta
	case *corev1.ConfigMap:
		kind, meta = "ConfigMap", &o.ObjectMeta
	default:
		return ObjectID{}, nil, false
	}
	return ObjectID{Kind: kind, Namespace: meta.Namespace, Name: meta.Name}, meta, true
}

// store files obj under its key and updates the indexes.
func (s *Snapshot) store(obj runtime.Object, meta *metav1.ObjectMeta) {
	k := Key(meta.Namespace, meta.Name)
	switch o := obj.(type) {
	case *networkingv1.ServiceEntry:
		s.ServiceEntries[k] = o
		s.idx.addServiceEntry(o)
	case *networkingv1.VirtualService:
		s.VirtualServices[k] = o
		s.idx.addVirtualService(o)
	case *networkingv1.DestinationRule:
		s.DestinationRules[k] = o
		s.idx.addDestinationRule(o)
	case *networkingv1.Gateway:
		s.Gateways[k] = o
	case *networkingv1.Sidecar:
		s.Sidecars[k] = o
	case *corev1.Namespace:
		s.Namespaces[o.Name] = o
	case *corev1.Pod:
		s.Pods[k] = o
		s.idx.addPod(o)
	case *corev1.Service:
		s.Services[k] = o
	case *appsv1.Deployment:
		s.Deployments[k] = o
	case *appsv1.ReplicaSet:
		s.ReplicaSets[k] = o
	case *netv1.NetworkPolicy:
		s.NetworkPolicies[k] = o
		s.idx.addNetworkPolicy(o)
	case *corev1.Secret:
		s.Secrets[k] = ReduceSecret(o)
	}
}

// addSecretInfo records a secret that could not be read (forbidden or not found).
func (s *Snapshot) addSecretInfo(info *SecretInfo) {
	id := ObjectID{Kind: "Secret", Namespace: info.Namespace, Name: info.Name}
	if _, dup := s.origins[id]; dup {
		return
	}
	s.Secrets[Key(info.Namespace, info.Name)] = info
	s.origins[id] = "cluster"
}

// addConfigMap keeps the mesh config ConfigMap and skips the rest; it reports whether
// the ConfigMap was kept.
func (s *Snapshot) addConfigMap(cm *corev1.ConfigMap, origin string) bool {
	if cm.Namespace != s.IstioNamespace || cm.Name != meshConfigMapName {
		s.Skipped = append(s.Skipped, Skip{Kind: "ConfigMap", APIVersion: "v1", Namespace: cm.Namespace,
			Name: cm.Name, Source: origin, Reason: "only the mesh config ConfigMap " +
				Key(s.IstioNamespace, meshConfigMapName) + " is used"})
		return false
	}
	s.Mesh = parseMeshConfigMap(cm, s.IstioNamespace, origin)
	return true
}
