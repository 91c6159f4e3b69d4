package mesh

import (
	"sort"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
)

// DefaultIstioNamespace is where Istio's control plane and mesh config live by default.
const DefaultIstioNamespace = "istio-system"

// Snapshot is everything the pure steps need, loaded once. Maps are keyed by Key(ns, name)
// ("ns/name"; Namespaces by name) and must be treated as read-only: add objects only
// through Add (files) or a Live loader so the indexes stay in step.
type Snapshot struct {
	// IstioNamespace is where the mesh config ConfigMap `istio` is looked for.
	IstioNamespace string `json:"istioNamespace"`

	ServiceEntries   map[string]*networkingv1.ServiceEntry    `json:"serviceEntries,omitempty"`
	VirtualServices  map[string]*networkingv1.VirtualService  `json:"virtualServices,omitempty"`
	DestinationRules map[string]*networkingv1.DestinationRule `json:"destinationRules,omitempty"`
	Gateways         map[string]*networkingv1.Gateway         `json:"gateways,omitempty"`
	Sidecars         map[string]*networkingv1.Sidecar         `json:"sidecars,omitempty"`

	Namespaces      map[string]*corev1.Namespace    `json:"namespaces,omitempty"`
	Pods            map[string]*corev1.Pod          `json:"pods,omitempty"`
	Services        map[string]*corev1.Service      `json:"services,omitempty"`
	Deployments     map[string]*appsv1.Deployment   `json:"deployments,omitempty"`
	ReplicaSets     map[string]*appsv1.ReplicaSet   `json:"replicaSets,omitempty"`
	NetworkPolicies map[string]*netv1.NetworkPolicy `json:"networkPolicies,omitempty"`
	Secrets         map[string]*SecretInfo          `json:"secrets,omitempty"`

	Mesh MeshConfig `json:"mesh"`

	// Others records the objects of kinds that can change an egress answer but are not
	// modelled (OtherKinds), keyed "group/Kind/namespace/name"; Unchecked the kinds a live
	// load could not list.
	Others    map[string]*Other `json:"others,omitempty"`
	Unchecked []Unchecked       `json:"unchecked,omitempty"`

	// Skipped lists input objects that were read but not modelled, in input order.
	Skipped []Skip `json:"skipped,omitempty"`

	origins map[ObjectID]string
	idx     indexes
}

// Skip records an input object that was not loaded, and why.
type Skip struct {
	Kind       string `json:"kind"`
	APIVersion string `json:"apiVersion,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	Source     string `json:"source,omitempty"`
	Reason     string `json:"reason"`
}

// ObjectID identifies one object of a kind.
type ObjectID struct {
	Kind      string
	Namespace string
	Name      string
}

func (id ObjectID) String() string {
	if id.Namespace == "" {
		return id.Kind + " " + id.Name
	}
	return id.Kind + " " + id.Namespace + "/" + id.Name
}

// NewSnapshot returns an empty snapshot whose mesh config will be read from istioNamespace
// (DefaultIstioNamespace when empty).
func NewSnapshot(istioNamespace string) *Snapshot {
	if istioNamespace == "" {
		istioNamespace = DefaultIstioNamespace
	}
	return &Snapshot{
		IstioNamespace:   istioNamespace,
		ServiceEntries:   map[string]*networkingv1.ServiceEntry{},
		VirtualServices:  map[string]*networkingv1.VirtualService{},
		DestinationRules: map[string]*networkingv1.DestinationRule{},
		Gateways:         map[string]*networkingv1.Gateway{},
		Sidecars:         map[string]*networkingv1.Sidecar{},
		Namespaces:       map[string]*corev1.Namespace{},
		Pods:             map[string]*corev1.Pod{},
		Services:         map[string]*corev1.Service{},
		Deployments:      map[string]*appsv1.Deployment{},
		ReplicaSets:      map[string]*appsv1.ReplicaSet{},
		NetworkPolicies:  map[string]*netv1.NetworkPolicy{},
		Secrets:          map[string]*SecretInfo{},
		Others:           map[string]*Other{},
		Mesh:             defaultMeshConfig(istioNamespace),
		origins:          map[ObjectID]string{},
		idx:              newIndexes(),
	}
}

// Key is the map key of a namespaced object.
func Key(namespace, name string) string { return namespace + "/" + name }

// Origin reports where an object was loaded from ("file.yaml document 2" or "cluster").
func (s *Snapshot) Origin(id ObjectID) (string, bool) {
	o, ok := s.origins[id]
	return o, ok
}

// SortedKeys returns the keys of m in order; use it to iterate a Snapshot map deterministically.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sortedValues returns m's values ordered by key.
func sortedValues[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, k := range SortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// Objects is the number of objects loaded (each ConfigMap or Secret read counts once),
// not counting skipped ones.
func (s *Snapshot) Objects() int { return len(s.origins) }
