package realenvoy

import (
	"encoding/json"
	"testing"
)

func TestIstioOnly(t *testing.T) {
	tests := []struct {
		name  string
		entry string
		want  bool
	}{
		{"istio.alpn", `{"name":"istio.alpn","typed_config":{"@type":"type.googleapis.com/istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig"}}`, true},
		{"istio.stats", `{"name":"istio.stats","typed_config":{"@type":"type.googleapis.com/stats.PluginConfig"}}`, true},
		{"metadata exchange TypedStruct", `{"name":"istio.metadata_exchange","typed_config":{"@type":"type.googleapis.com/udpa.type.v1.TypedStruct","type_url":"type.googleapis.com/io.istio.http.peer_metadata.Config"}}`, true},
		{"tcp metadata exchange", `{"name":"istio.metadata_exchange","typed_config":{"@type":"type.googleapis.com/udpa.type.v1.TypedStruct","type_url":"type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange"}}`, true},
		{"null-VM wasm stats", `{"name":"istio.stats","typed_config":{"@type":"type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm","config":{"vm_config":{"runtime":"envoy.wasm.runtime.null"}}}}`, true},
		{"v8 wasm", `{"name":"my.wasm","typed_config":{"@type":"type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm","config":{"vm_config":{"runtime":"envoy.wasm.runtime.v8"}}}}`, false},
		{"router", `{"name":"envoy.filters.http.router","typed_config":{"@type":"type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}`, false},
		{"upstream TypedStruct", `{"name":"envoy.bootstrap.internal_listener","typed_config":{"@type":"type.googleapis.com/udpa.type.v1.TypedStruct","type_url":"type.googleapis.com/envoy.extensions.bootstrap.internal_listener.v3.InternalListener"}}`, false},
		{"istio name, named envoy filter with a type", `{"name":"istio.stats","typed_config":{"@type":"type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}`, false},
		{"v2-era untyped mixer", `{"name":"mixer","config":{}}`, true},
		{"v2-era untyped upstream filter", `{"name":"envoy.router","config":{}}`, false},
		// protojson's JSON names, as istioctl's test data has them.
		{"camelCase TypedStruct", `{"name":"envoy.filters.network.upstream.metadata_exchange","typedConfig":{"@type":"type.googleapis.com/udpa.type.v1.TypedStruct","typeUrl":"type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange"}}`, true},
		{"camelCase null-VM wasm", `{"name":"istio.stats","typedConfig":{"@type":"type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm","config":{"vmConfig":{"runtime":"envoy.wasm.runtime.null"}}}}`, true},
		{"camelCase router", `{"name":"envoy.filters.http.router","typedConfig":{"@type":"type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e map[string]any
			if err := json.Unmarshal([]byte(tt.entry), &e); err != nil {
				t.Fatal(err)
			}
			if _, got := istioOnly(e); got != tt.want {
				t.Errorf("istioOnly(%s) = %v, want %v", tt.entry, got, tt.want)
			}
		})
	}
}

// TestStripCamelCase: a listener and cluster written with JSON names lose exactly their
// Istio-only filters, like the proto-named ones.
func TestStripCamelCase(t *testing.T) {
	var l, c map[string]any
	_ = json.Unmarshal([]byte(`{"name":"l","filterChains":[{"filters":[{"name":"envoy.filters.network.http_connection_manager","typedConfig":{
		"@type":"type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager","httpFilters":[
		{"name":"istio.alpn","typedConfig":{"@type":"type.googleapis.com/istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig"}},
		{"name":"envoy.filters.http.router","typedConfig":{"@type":"type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}]}}]}]}`), &l)
	_ = json.Unmarshal([]byte(`{"name":"BlackHoleCluster","filters":[{"name":"envoy.filters.network.upstream.metadata_exchange","typedConfig":{
		"@type":"type.googleapis.com/udpa.type.v1.TypedStruct","typeUrl":"type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange"}}]}`), &c)
	if r := StripListener(l); len(r) != 1 || r[0].Name != "istio.alpn" || r[0].Where != "filter_chains[0].filters[0].httpFilters[0]" {
		t.Errorf("StripListener = %v, want istio.alpn removed from httpFilters", r)
	}
	if hf := l["filterChains"].([]any)[0].(map[string]any)["filters"].([]any)[0].(map[string]any)["typedConfig"].(map[string]any)["httpFilters"].([]any); len(hf) != 1 {
		t.Errorf("http filters left = %v, want the router only", hf)
	}
	if r := StripCluster(c); len(r) != 1 || c["filters"] != nil {
		t.Errorf("StripCluster = %v (filters left %v), want the metadata exchange removed", r, c["filters"])
	}
}
