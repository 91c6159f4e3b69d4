package realenvoy

import (
	"fmt"
	"strings"
)

// Removal is one Istio-proxy-only extension taken out of a resource before serving it.
type Removal struct {
	Kind     string // listener, cluster, bootstrap
	Resource string // resource name
	Where    string // path inside the resource, e.g. filter_chains[2].filters[0].http_filters[3]
	Name     string // the extension's name
	Type     string // its type (the TypedStruct's inner type_url for TypedStructs)
}

func (r Removal) String() string {
	return fmt.Sprintf("%s %s: %s %s (%s)", r.Kind, r.Resource, r.Where, r.Name, r.Type)
}

// istioTypePrefixes are message types that exist only in istio/proxy (source/extensions and
// the old mixer/authn/null-VM plugins): upstream Envoy has no factory for them.
var istioTypePrefixes = []string{
	"io.istio.",
	"istio.",
	"stats.PluginConfig",
	"envoy.tcp.metadataexchange.",
	"envoy.extensions.network_filters.peer_metadata.",
	"envoy.extensions.filters.network.peer_metadata.",
}

// istioNames are the extension names istio/proxy registers; used only for entries that carry
// no type at all (v2-era "config" structs), where the type cannot decide.
var istioNames = map[string]bool{
	"istio.metadata_exchange": true, "istio.alpn": true, "istio.stats": true, "istio_authn": true,
	"istio.authn": true, "mixer": true, "envoy.filters.network.metadata_exchange": true,
	"forward_downstream_sni": true, "istio.forward_downstream_sni": true,
	"waypoint_downstream_peer_metadata": true, "waypoint_upstream_peer_metadata": true,
	"upstream_hbone_peer_metadata": true, "istio.set_internal_dst_address": true,
}

// istioOnly reports the Istio-only type of an extension entry ({name, typed_config}), if it is one.
func istioOnly(entry map[string]any) (string, bool) {
	tc := obj(entry, "typed_config")
	if tc == nil {
		name, _ := entry["name"].(string)
		return "untyped v2 config, istio-proxy name", istioNames[name]
	}
	typ := strings.TrimPrefix(str(tc["@type"]), typePrefix)
	if typ == "udpa.type.v1.TypedStruct" || typ == "xds.type.v3.TypedStruct" {
		typ = strings.TrimPrefix(str(field(tc, "type_url")), typePrefix)
	}
	if nullVMPlugin(tc) {
		return typ + " (null VM, compiled into istio-proxy)", true
	}
	for _, p := range istioTypePrefixes {
		if strings.HasPrefix(typ, p) {
			return typ, true
		}
	}
	return typ, false
}

// nullVMPlugin is a Wasm filter whose VM is envoy.wasm.runtime.null: its code is a plugin
// compiled into istio-proxy (Istio ≤1.11 stats and metadata exchange), absent upstream.
func nullVMPlugin(tc map[string]any) bool {
	if !strings.HasSuffix(str(tc["@type"]), ".wasm.v3.Wasm") {
		return false
	}
	return str(obj(obj(tc, "config"), "vm_config")["runtime"]) == "envoy.wasm.runtime.null"
}

const typePrefix = "type.googleapis.com/"

func str(v any) string { s, _ := v.(string); return s }

// key is the key under which m holds the proto field snake: dumps are written with proto
// names (Envoy's admin) or JSON names (protojson's default, e.g. istioctl's test data), and
// Envoy's API reads both.
func key(m map[string]any, snake string) string {
	if _, ok := m[snake]; ok {
		return snake
	}
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	if camel := strings.Join(parts, ""); m[camel] != nil {
		return camel
	}
	return snake
}

// field is m's proto field snake, under either name.
func field(m map[string]any, snake string) any { return m[key(m, snake)] }

// obj is field(m, snake) as an object.
func obj(m map[string]any, snake string) map[string]any {
	o, _ := field(m, snake).(map[string]any)
	return o
}

// stripper collects removals for one resource.
type stripper struct {
	kind, name string
	out        []Removal
}

// list removes Istio-only entries from the extension list at m's field snake, recording each.
func (s *stripper) list(m map[string]any, snake, where string) {
	key := key(m, snake)
	items, ok := m[key].([]any)
	if !ok {
		return
	}
	kept := items[:0:0]
	for i, it := range items {
		e, _ := it.(map[string]any)
		if e == nil {
			kept = append(kept, it)
			continue
		}
		if typ, bad := istioOnly(e); bad {
			s.out = append(s.out, Removal{Kind: s.kind, Resource: s.name, Where: fmt.Sprintf("%s%s[%d]", where, key, i), Name: str(e["name"]), Type: typ})
			continue
		}
		kept = append(kept, it)
	}
	if len(kept) == len(items) {
		return
	}
	if len(kept) == 0 {
		delete(m, key)
		return
	}
	m[key] = kept
}

// StripListener removes Istio-only listener, network and HTTP filters from a Listener (JSON).
func StripListener(l map[string]any) []Removal {
	s := &stripper{kind: "listener", name: str(l["name"])}
	s.list(l, "listener_filters", "")
	chains, _ := field(l, "filter_chains").([]any)
	for i, c := range chains {
		s.chain(c, fmt.Sprintf("filter_chains[%d].", i))
	}
	s.chain(field(l, "default_filter_chain"), "default_filter_chain.")
	return s.out
}

func (s *stripper) chain(c any, where string) {
	chain, _ := c.(map[string]any)
	if chain == nil {
		return
	}
	filters, _ := chain["filters"].([]any)
	for i, f := range filters {
		fm, _ := f.(map[string]any)
		tc := obj(fm, "typed_config")
		if strings.HasSuffix(str(tc["@type"]), ".HttpConnectionManager") {
			s.list(tc, "http_filters", fmt.Sprintf("%sfilters[%d].", where, i))
		}
	}
	s.list(chain, "filters", where)
}

// StripCluster removes Istio-only cluster (upstream network) filters and upstream HTTP filters.
func StripCluster(c map[string]any) []Removal {
	s := &stripper{kind: "cluster", name: str(c["name"])}
	s.list(c, "filters", "")
	opts := obj(c, "typed_extension_protocol_options")
	for k, v := range opts {
		if o, _ := v.(map[string]any); o != nil {
			s.list(o, "http_filters", "typed_extension_protocol_options["+k+"].")
		}
	}
	return s.out
}

// StripBootstrap removes Istio-only bootstrap extensions and strips the static resources.
func StripBootstrap(b map[string]any) []Removal {
	s := &stripper{kind: "bootstrap", name: "bootstrap"}
	s.list(b, "bootstrap_extensions", "")
	out := s.out
	sr := obj(b, "static_resources")
	for _, l := range asMaps(sr["listeners"]) {
		out = append(out, StripListener(l)...)
	}
	for _, c := range asMaps(sr["clusters"]) {
		out = append(out, StripCluster(c)...)
	}
	return out
}

func asMaps(v any) []map[string]any {
	items, _ := v.([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
