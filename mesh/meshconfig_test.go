package mesh

import (
	"os"
	"testing"
)

func TestMeshConfig(t *testing.T) {
	cm := func(ns, mesh string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: " + ns + "}\ndata:\n  mesh: |-\n" + mesh
	}
	tests := []struct {
		name      string
		files     map[string]string
		wantFound bool
		wantMode  string
		wantRoot  string
		wantMeta  string
		wantError bool
	}{
		{name: "absent", files: map[string]string{"a.yaml": seYAML}, wantMode: AllowAny, wantRoot: "istio-system"},
		{name: "registry only", files: map[string]string{"m.yaml": cm("istio-system",
			"    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n    rootNamespace: istio-config\n    defaultConfig:\n      proxyMetadata:\n        ISTIO_META_DNS_CAPTURE: \"true\"\n")},
			wantFound: true, wantMode: RegistryOnly, wantRoot: "istio-config", wantMeta: "true"},
		{name: "empty mesh key keeps defaults", files: map[string]string{"m.yaml": cm("istio-system", "    accessLogFile: /dev/stdout\n")},
			wantFound: true, wantMode: AllowAny, wantRoot: "istio-system"},
		{name: "other namespace ignored", files: map[string]string{"m.yaml": cm("other", "    outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n")},
			wantMode: AllowAny, wantRoot: "istio-system"},
		{name: "unparsable mesh recorded, mode unknown", files: map[string]string{"m.yaml": cm("istio-system", "    outboundTrafficPolicy: [\n")},
			wantFound: true, wantMode: ModeUnknown, wantRoot: "istio-system", wantError: true},
		{name: "policy of the wrong shape", files: map[string]string{"m.yaml": cm("istio-system", "    outboundTrafficPolicy: REGISTRY_ONLY\n")},
			wantFound: true, wantMode: ModeUnknown, wantRoot: "istio-system", wantError: true},
		{name: "mode istiod does not know", files: map[string]string{"m.yaml": cm("istio-system", "    outboundTrafficPolicy: {mode: registry_only}\n")},
			wantFound: true, wantMode: ModeUnknown, wantRoot: "istio-system", wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := LoadFiles([]string{writeFiles(t, tt.files)})
			if err != nil {
				t.Fatalf("LoadFiles: %v", err)
			}
			m := s.Mesh
			if m.Found != tt.wantFound || m.OutboundTrafficPolicyMode != tt.wantMode || m.RootNamespace != tt.wantRoot ||
				m.DefaultConfig.ProxyMetadata["ISTIO_META_DNS_CAPTURE"] != tt.wantMeta || (m.ParseError != "") != tt.wantError {
				t.Errorf("Mesh = %+v, want found=%v mode=%s root=%s dnsCapture=%q parseError=%v",
					m, tt.wantFound, tt.wantMode, tt.wantRoot, tt.wantMeta, tt.wantError)
			}
		})
	}
}

func TestParseMeshConfigAnalyzerFixture(t *testing.T) {
	data, err := os.ReadFile("../testdata/mesh/meshconfig/analyzer-meshconfig.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMeshConfig(string(data), "istio-system")
	if err != nil || m.OutboundTrafficPolicyMode != AllowAny || m.RootNamespace != "istio-system" {
		t.Errorf("ParseMeshConfig(analyzer fixture) = %+v, %v, want defaults", m, err)
	}
}
