package mesh

import (
	"fmt"

	apiv1alpha3 "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	"sigs.k8s.io/yaml"
)

// redactVirtualService keeps the spec but for free text the trace never reads and that
// may carry credentials: the values of header operations and of header and query
// matches (keys are kept; a matcher count is what the trace reads), and direct response
// bodies.
func redactVirtualService(vs *networkingv1.VirtualService) *networkingv1.VirtualService {
	out := &networkingv1.VirtualService{ObjectMeta: redactMeta(vs.ObjectMeta)}
	vs.Spec.DeepCopyInto(&out.Spec)
	for _, r := range out.Spec.GetHttp() {
		redactHeaders(r.GetHeaders())
		for _, d := range r.GetRoute() {
			redactHeaders(d.GetHeaders())
		}
		for _, m := range r.GetMatch() {
			redactMatches(m.GetHeaders(), m.GetWithoutHeaders(), m.GetQueryParams())
		}
		if body := r.GetDirectResponse().GetBody(); body != nil {
			r.DirectResponse.Body = &apiv1alpha3.HTTPBody{Specifier: &apiv1alpha3.HTTPBody_String_{String_: RedactedPrefix}}
		}
	}
	return out
}

func redactHeaders(h *apiv1alpha3.Headers) {
	for _, op := range []*apiv1alpha3.Headers_HeaderOperations{h.GetRequest(), h.GetResponse()} {
		for _, m := range []map[string]string{op.GetSet(), op.GetAdd()} {
			for k := range m {
				m[k] = RedactedPrefix
			}
		}
	}
}

func redactMatches(ms ...map[string]*apiv1alpha3.StringMatch) {
	for _, m := range ms {
		for k := range m {
			m[k] = &apiv1alpha3.StringMatch{MatchType: &apiv1alpha3.StringMatch_Exact{Exact: RedactedPrefix}}
		}
	}
}

// meshConfigRead is the allowlist of the mesh config (ConfigMap `istio`, key `mesh`):
// the fields ParseMeshConfig reads, as a tree whose leaves (true) are kept whole.
var meshConfigRead = map[string]any{
	"outboundTrafficPolicy": map[string]any{"mode": true},
	"rootNamespace":         true,
	"trustDomain":           true,
	"defaultConfig": map[string]any{
		"holdApplicationUntilProxyStarts": true,
		"proxyMetadata":                   map[string]any{"ISTIO_META_DNS_CAPTURE": true, "ISTIO_META_DNS_AUTO_ALLOCATE": true},
	},
}

// redactMeshConfig reduces mesh config YAML to the fields of meshConfigRead, so the
// replay parses it to the same outbound policy, root namespace and trust domain; every
// other field (extension providers' headers, proxyMetadata env values, ...) is dropped.
// YAML that does not parse is replaced by a placeholder, which does not parse either.
func redactMeshConfig(data string) string {
	var v any
	if err := yaml.Unmarshal([]byte(data), &v); err != nil {
		return fmt.Sprintf("%s %d bytes of mesh config that did not parse: [", RedactedPrefix, len(data))
	}
	out, err := yaml.Marshal(pickRead(v, meshConfigRead))
	if err != nil {
		return RedactedPrefix
	}
	return string(out)
}

// pickRead copies the fields of v that allow names; scalar leaves are kept. Where v holds
// a value of another shape than allow expects, an empty value of the same JSON type
// stands in, so the replay fails to parse it as the original did.
func pickRead(v any, allow any) any {
	fields, object := allow.(map[string]any)
	m, ok := v.(map[string]any)
	switch {
	case !object && !ok:
		if _, list := v.([]any); list {
			return []any{}
		}
		return v // a scalar leaf
	case !object:
		return map[string]any{}
	case !ok:
		return sameTypePlaceholder(v)
	}
	out := map[string]any{}
	for k, sub := range fields {
		if x, ok := m[k]; ok {
			out[k] = pickRead(x, sub)
		}
	}
	return out
}

func sameTypePlaceholder(v any) any {
	switch v.(type) {
	case string:
		return RedactedPrefix
	case []any:
		return []any{}
	}
	return v // a number, a bool or null: no free text
}
