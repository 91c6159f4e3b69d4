package mesh

import (
	"maps"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// otherFromUnstructured keeps the metadata and the spec fields that say where an object
// of an OtherKind applies. Fields of the wrong type are ignored: the record is a hint for
// a warning, never a model.
func otherFromUnstructured(u *unstructured.Unstructured) *Other {
	gvk := u.GroupVersionKind()
	spec, _ := u.Object["spec"].(map[string]any)
	o := &Other{Group: gvk.Group, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName(), Labels: maps.Clone(u.GetLabels())}
	o.Selector = firstMap(spec, []string{"workloadSelector", "labels"}, []string{"selector", "matchLabels"})
	o.SpecLabels = firstMap(spec, []string{"labels"}, []string{"metadata", "labels"})
	o.TargetRefs = append(refs(spec, "targetRefs"), refOne(spec, "targetRef")...)
	o.ParentRefs = append(refs(spec, "parentRefs"), refOne(spec, "parentRef")...)
	for _, r := range list(spec, "rules") {
		o.BackendRefs = append(o.BackendRefs, refs(asMap(r), "backendRefs")...)
	}
	o.Hostnames = strs(spec, "hostnames")
	for _, l := range list(spec, "listeners") {
		o.Hostnames = appendStr(o.Hostnames, asMap(l), "hostname")
	}
	o.Hostnames = appendStr(o.Hostnames, asMap(spec["validation"]), "hostname")
	o.Hostnames = appendStr(o.Hostnames, spec, "externalHostname")
	o.GatewayClassName = str(spec, "gatewayClassName")
	o.Address = str(spec, "address")
	o.Mode = str(spec, "action")
	if o.Mode == "" {
		o.Mode = str(asMap(spec["mtls"]), "mode")
	}
	for _, p := range list(spec, "configPatches") {
		o.Contexts = appendStr(o.Contexts, asMap(asMap(p)["match"]), "context")
		o.ApplyTo = appendStr(o.ApplyTo, asMap(p), "applyTo")
	}
	return o
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func strs(m map[string]any, key string) []string {
	var out []string
	for _, v := range list(m, key) {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func appendStr(out []string, m map[string]any, key string) []string {
	if s := str(m, key); s != "" {
		return append(out, s)
	}
	return out
}

// firstMap returns the first string map found at one of the paths.
func firstMap(m map[string]any, paths ...[]string) map[string]string {
	for _, p := range paths {
		cur := m
		for _, k := range p[:len(p)-1] {
			cur = asMap(cur[k])
		}
		if raw := asMap(cur[p[len(p)-1]]); len(raw) > 0 {
			out := make(map[string]string, len(raw))
			for k, v := range raw {
				if s, ok := v.(string); ok {
					out[k] = s
				}
			}
			return out
		}
	}
	return nil
}

func refs(m map[string]any, key string) []Ref {
	var out []Ref
	for _, v := range list(m, key) {
		out = append(out, refOne(map[string]any{"r": v}, "r")...)
	}
	return out
}

func refOne(m map[string]any, key string) []Ref {
	r := asMap(m[key])
	if r == nil {
		return nil
	}
	return []Ref{{Group: str(r, "group"), Kind: str(r, "kind"), Namespace: str(r, "namespace"), Name: str(r, "name")}}
}
