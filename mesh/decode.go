package mesh

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const istioGroup = "networking.istio.io"

// kindInfo describes a modelled kind: the versions accepted on input and a constructor.
type kindInfo struct {
	versions   []string
	namespaced bool
	istio      bool
	new        func() runtime.Object
}

// kinds is keyed by "group/Kind" ("/Pod" for the core group).
var kinds = map[string]kindInfo{
	istioGroup + "/ServiceEntry":      istioKind(func() runtime.Object { return &networkingv1.ServiceEntry{} }),
	istioGroup + "/VirtualService":    istioKind(func() runtime.Object { return &networkingv1.VirtualService{} }),
	istioGroup + "/DestinationRule":   istioKind(func() runtime.Object { return &networkingv1.DestinationRule{} }),
	istioGroup + "/Gateway":           istioKind(func() runtime.Object { return &networkingv1.Gateway{} }),
	istioGroup + "/Sidecar":           istioKind(func() runtime.Object { return &networkingv1.Sidecar{} }),
	"/Namespace":                      {versions: []string{"v1"}, new: func() runtime.Object { return &corev1.Namespace{} }},
	"/Pod":                            coreKind(func() runtime.Object { return &corev1.Pod{} }),
	"/Service":                        coreKind(func() runtime.Object { return &corev1.Service{} }),
	"/Secret":                         coreKind(func() runtime.Object { return &corev1.Secret{} }),
	"/ConfigMap":                      coreKind(func() runtime.Object { return &corev1.ConfigMap{} }),
	"apps/Deployment":                 coreKind(func() runtime.Object { return &appsv1.Deployment{} }),
	"apps/ReplicaSet":                 coreKind(func() runtime.Object { return &appsv1.ReplicaSet{} }),
	"networking.k8s.io/NetworkPolicy": coreKind(func() runtime.Object { return &netv1.NetworkPolicy{} }),
}

func istioKind(f func() runtime.Object) kindInfo {
	return kindInfo{versions: []string{"v1alpha3", "v1beta1", "v1"}, namespaced: true, istio: true, new: f}
}

func coreKind(f func() runtime.Object) kindInfo {
	return kindInfo{versions: []string{"v1"}, namespaced: true, new: f}
}

// header is the part of every manifest needed to pick a decoder.
type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Items []json.RawMessage `json:"items"`
}

// decoded is the result of decoding one manifest document: objects to add and skips.
type decoded struct {
	objects []runtime.Object
	skips   []Skip
}

// decodeJSON decodes one JSON manifest (an object or a List of objects) into typed objects;
// namespaced objects without metadata.namespace go to ns.
func decodeJSON(data []byte, ns string, out *decoded) error {
	var h header
	if err := json.Unmarshal(data, &h); err != nil {
		return err
	}
	if h.Kind == "" {
		return fmt.Errorf("object has no kind (apiVersion %q, name %q)", h.APIVersion, h.Metadata.Name)
	}
	if strings.HasSuffix(h.Kind, "List") && h.Items != nil {
		for i, item := range h.Items {
			if err := decodeJSON(item, ns, out); err != nil {
				return fmt.Errorf("%s item %d: %w", h.Kind, i+1, err)
			}
		}
		return nil
	}
	return decodeObject(h, data, ns, out)
}

// ReasonUnsupportedAPIVersion starts the Skip reason of a modelled kind in an apiVersion
// that is not read.
const ReasonUnsupportedAPIVersion = "unsupported apiVersion"

// decodeObject decodes one non-List object, or records why it is skipped.
func decodeObject(h header, data []byte, ns string, out *decoded) error {
	group, version := splitAPIVersion(h.APIVersion)
	info, known, wantGroup := lookupKind(group, h.Kind)
	skip := Skip{Kind: h.Kind, APIVersion: h.APIVersion, Namespace: h.Metadata.Namespace, Name: h.Metadata.Name}
	switch {
	case !known && isOtherKind(group, h.Kind):
		return decodeOther(h, data, ns, out)
	case !known:
		skip.Reason = "kind not modelled by kubectl-egress"
	case group != wantGroup || !slices.Contains(info.versions, version):
		skip.Reason = fmt.Sprintf(ReasonUnsupportedAPIVersion+" %s for %s (want %s/%s)",
			h.APIVersion, h.Kind, wantGroup, strings.Join(info.versions, "|"))
	}
	if skip.Reason != "" {
		out.skips = append(out.skips, skip)
		return nil
	}
	obj := info.new()
	var err error
	if info.istio {
		err = decodeIstio(data, obj)
	} else {
		err = json.Unmarshal(data, obj)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", h.Kind, objectName(h), err)
	}
	normalise(obj, info, ns)
	out.objects = append(out.objects, obj)
	return nil
}

// decodeOther records an object of a kind that is not modelled (OtherKinds).
func decodeOther(h header, data []byte, ns string, out *decoded) error {
	u, err := otherUnstructured(data, ns)
	if err != nil {
		return fmt.Errorf("%s %s: %w", h.Kind, objectName(h), err)
	}
	out.objects = append(out.objects, u)
	return nil
}

// lookupKind finds a modelled kind; the retired "extensions" group is matched to the
// group that replaced it so old manifests are reported as a wrong apiVersion.
func lookupKind(group, kind string) (kindInfo, bool, string) {
	groups := []string{group}
	if group == "extensions" {
		groups = []string{"apps", "networking.k8s.io"}
	}
	for _, g := range groups {
		if info, ok := kinds[g+"/"+kind]; ok {
			return info, true, g
		}
	}
	return kindInfo{}, false, ""
}

func objectName(h header) string {
	if h.Metadata.Namespace == "" {
		return h.Metadata.Name
	}
	return h.Metadata.Namespace + "/" + h.Metadata.Name
}

// normalise defaults the namespace as `kubectl apply -n ns` does (ns "" is "default") and
// sets the canonical TypeMeta.
func normalise(obj runtime.Object, info kindInfo, ns string) {
	_, meta, _ := objectID(obj)
	if info.namespaced && meta.Namespace == "" {
		meta.Namespace = defaultNamespace(ns)
	}
	setCanonicalTypeMeta(obj)
}

// setCanonicalTypeMeta sets the version objects are kept in (Istio kinds: v1).
func setCanonicalTypeMeta(obj runtime.Object) {
	id, _, ok := objectID(obj)
	if !ok {
		return
	}
	apiVersion := "v1"
	for gk := range kinds {
		if group, kind := splitAPIVersion(gk); kind == id.Kind && group != "" {
			apiVersion = group + "/v1"
		}
	}
	obj.GetObjectKind().SetGroupVersionKind(schema.FromAPIVersionAndKind(apiVersion, id.Kind))
}

// istioEnvelope is an Istio object with its spec left raw for strict proto decoding.
type istioEnvelope struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       json.RawMessage   `json:"spec"`
	Status     json.RawMessage   `json:"status"`
}

// decodeIstio decodes an Istio object strictly: unknown top-level or spec fields are
// errors, as the API server's structural schema would reject them, and so are ports and
// durations out of range (validateSpec). Status is ignored.
func decodeIstio(data []byte, obj runtime.Object) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var env istioEnvelope
	if err := dec.Decode(&env); err != nil {
		return err
	}
	_, meta, _ := objectID(obj)
	*meta = env.Metadata
	if len(env.Spec) == 0 || string(env.Spec) == "null" {
		return nil
	}
	spec := istioSpec(obj)
	if err := protojson.Unmarshal(env.Spec, spec); err != nil {
		return fmt.Errorf("spec: %w", err)
	}
	return validateSpec(spec.ProtoReflect(), "spec")
}

// istioSpec returns the proto spec of an Istio typed object.
func istioSpec(obj runtime.Object) proto.Message {
	switch o := obj.(type) {
	case *networkingv1.ServiceEntry:
		return &o.Spec
	case *networkingv1.VirtualService:
		return &o.Spec
	case *networkingv1.DestinationRule:
		return &o.Spec
	case *networkingv1.Gateway:
		return &o.Spec
	case *networkingv1.Sidecar:
		return &o.Spec
	}
	panic(fmt.Sprintf("istioSpec: unexpected %T", obj))
}

func splitAPIVersion(apiVersion string) (group, version string) {
	if i := strings.LastIndexByte(apiVersion, '/'); i >= 0 {
		return apiVersion[:i], apiVersion[i+1:]
	}
	return "", apiVersion
}

// defaultNamespace is where a namespaced manifest without metadata.namespace goes: the
// namespace given with -n, else "default", as kubectl apply -f does.
func defaultNamespace(ns string) string {
	if ns == "" {
		return metav1.NamespaceDefault
	}
	return ns
}
