package mesh

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Group names of the kinds the snapshot records without modelling them.
const (
	GatewayAPIGroup  = "gateway.networking.k8s.io"
	GatewayAPIXGroup = "gateway.networking.x-k8s.io"
	securityGroup    = "security.istio.io"
	extensionsGroup  = "extensions.istio.io"
)

// OtherKind is a kind that can change an egress answer but that the trace does not model:
// the snapshot records each object of it (Other) so the trace can say it does not know.
type OtherKind struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
	// Resource is the plural name a live LIST uses.
	Resource string `json:"resource"`
	// Versions are tried in order by a live LIST (a 404 tries the next); files may use any.
	Versions []string `json:"versions"`
	// Title names the kind in messages ("Gateway API Gateway" where Istio has a Gateway too).
	Title string `json:"title"`
}

// OtherKinds are the recorded kinds, in listing order. trace's registry marks each of them
// not modelled; a kind moves from here to the decoder's kinds when it becomes modelled.
var OtherKinds = []OtherKind{
	{istioGroup, "EnvoyFilter", "envoyfilters", []string{"v1alpha3"}, "EnvoyFilter"},
	{istioGroup, "WorkloadEntry", "workloadentries", []string{"v1", "v1beta1"}, "WorkloadEntry"},
	{istioGroup, "WorkloadGroup", "workloadgroups", []string{"v1", "v1beta1"}, "WorkloadGroup"},
	{istioGroup, "ProxyConfig", "proxyconfigs", []string{"v1beta1"}, "ProxyConfig"},
	{securityGroup, "AuthorizationPolicy", "authorizationpolicies", []string{"v1", "v1beta1"}, "AuthorizationPolicy"},
	{securityGroup, "PeerAuthentication", "peerauthentications", []string{"v1", "v1beta1"}, "PeerAuthentication"},
	{extensionsGroup, "WasmPlugin", "wasmplugins", []string{"v1alpha1"}, "WasmPlugin"},
	{extensionsGroup, "TrafficExtension", "trafficextensions", []string{"v1alpha1"}, "TrafficExtension"},
	{GatewayAPIGroup, "Gateway", "gateways", []string{"v1"}, "Gateway API Gateway"},
	{GatewayAPIGroup, "ListenerSet", "listenersets", []string{"v1"}, "ListenerSet"},
	{GatewayAPIGroup, "HTTPRoute", "httproutes", []string{"v1"}, "HTTPRoute"},
	{GatewayAPIGroup, "GRPCRoute", "grpcroutes", []string{"v1"}, "GRPCRoute"},
	{GatewayAPIGroup, "TLSRoute", "tlsroutes", []string{"v1", "v1alpha2"}, "TLSRoute"},
	{GatewayAPIGroup, "TCPRoute", "tcproutes", []string{"v1", "v1alpha2"}, "TCPRoute"},
	{GatewayAPIGroup, "UDPRoute", "udproutes", []string{"v1", "v1alpha2"}, "UDPRoute"},
	{GatewayAPIGroup, "BackendTLSPolicy", "backendtlspolicies", []string{"v1", "v1alpha3"}, "BackendTLSPolicy"},
	{GatewayAPIGroup, "ReferenceGrant", "referencegrants", []string{"v1beta1"}, "ReferenceGrant"},
	{GatewayAPIXGroup, "XBackend", "xbackends", []string{"v1alpha1"}, "XBackend"},
	{GatewayAPIXGroup, "XBackendTrafficPolicy", "xbackendtrafficpolicies", []string{"v1alpha1"}, "XBackendTrafficPolicy"},
}

// Other is the record of an object of an OtherKind: its metadata and the few spec fields
// that say where it applies.
type Other struct {
	Group     string            `json:"group"`
	Kind      string            `json:"kind"`
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	Labels    map[string]string `json:"labels,omitempty"`
	Source    string            `json:"source,omitempty"`
	// Selector is spec.workloadSelector.labels (EnvoyFilter) or spec.selector.matchLabels.
	Selector map[string]string `json:"selector,omitempty"`
	// SpecLabels are the labels a ServiceEntry workloadSelector matches (WorkloadEntry
	// spec.labels, WorkloadGroup spec.metadata.labels).
	SpecLabels map[string]string `json:"specLabels,omitempty"`
	TargetRefs []Ref             `json:"targetRefs,omitempty"`
	ParentRefs []Ref             `json:"parentRefs,omitempty"`
	// BackendRefs are a route's spec.rules[].backendRefs.
	BackendRefs []Ref `json:"backendRefs,omitempty"`
	// Hostnames: route spec.hostnames, Gateway/ListenerSet listener hostnames,
	// BackendTLSPolicy spec.validation.hostname, XBackend spec.externalHostname.
	Hostnames        []string `json:"hostnames,omitempty"`
	GatewayClassName string   `json:"gatewayClassName,omitempty"`
	// Address is a WorkloadEntry's spec.address.
	Address string `json:"address,omitempty"`
	// Mode is an AuthorizationPolicy's action or a PeerAuthentication's mtls.mode.
	Mode string `json:"mode,omitempty"`
	// Contexts and ApplyTo are an EnvoyFilter's configPatches[].match.context and
	// configPatches[].applyTo values.
	Contexts []string `json:"contexts,omitempty"`
	ApplyTo  []string `json:"applyTo,omitempty"`
}

// Ref is a Gateway API style object reference; Namespace "" is the referrer's.
type Ref struct {
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// Unchecked is a recorded kind that could not be listed (RBAC forbade it).
type Unchecked struct {
	Group  string `json:"group"`
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

// LookupOtherKind finds a recorded kind by group and kind.
func LookupOtherKind(group, kind string) (OtherKind, bool) {
	i := slices.IndexFunc(OtherKinds, func(k OtherKind) bool { return k.Group == group && k.Kind == kind })
	if i < 0 {
		return OtherKind{}, false
	}
	return OtherKinds[i], true
}

// String names the object for messages: "EnvoyFilter istio-system/sni-proxy".
func (o *Other) String() string {
	title := o.Kind
	if k, ok := LookupOtherKind(o.Group, o.Kind); ok {
		title = k.Title
	}
	return title + " " + Key(o.Namespace, o.Name)
}

// otherKey keys Snapshot.Others: "group/Kind/namespace/name".
func otherKey(group, kind, namespace, name string) string {
	return group + "/" + kind + "/" + Key(namespace, name)
}

// SortedOthers returns the recorded objects ordered by kind, namespace and name.
func (s *Snapshot) SortedOthers() []*Other { return sortedValues(s.Others) }

// addOther records an object of an OtherKind; with strict a duplicate is an error.
func (s *Snapshot) addOther(u *unstructured.Unstructured, origin string, strict bool) error {
	gvk := u.GroupVersionKind()
	if _, ok := LookupOtherKind(gvk.Group, gvk.Kind); !ok {
		return fmt.Errorf("unsupported object %s %s", gvk.Kind, Key(u.GetNamespace(), u.GetName()))
	}
	o := otherFromUnstructured(u)
	o.Source = origin
	id := ObjectID{Kind: o.Kind + "." + o.Group, Namespace: o.Namespace, Name: o.Name}
	if prev, dup := s.origins[id]; dup {
		if !strict {
			return nil
		}
		return fmt.Errorf("duplicate %s (first defined in %s)", o, prev)
	}
	s.Others[otherKey(o.Group, o.Kind, o.Namespace, o.Name)] = o
	s.origins[id] = origin
	return nil
}

// isOtherKind reports whether group/kind is recorded; decode uses it for files.
func isOtherKind(group, kind string) bool {
	_, ok := LookupOtherKind(group, kind)
	return ok
}

// otherUnstructured decodes a manifest of an OtherKind, defaulting its namespace to ns
// (every OtherKind is namespaced).
func otherUnstructured(data []byte, ns string) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	if u.GetNamespace() == "" {
		u.SetNamespace(defaultNamespace(ns))
	}
	if strings.TrimSpace(u.GetName()) == "" {
		return nil, fmt.Errorf("%s has no metadata.name", u.GetKind())
	}
	return u, nil
}

// ModelledKinds lists the kinds the decoder models, as "group/Kind" ("/Pod" for core).
func ModelledKinds() []string { return SortedKeys(kinds) }
