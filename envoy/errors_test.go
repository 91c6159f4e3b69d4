package envoy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBadInput(t *testing.T) {
	tests := []struct {
		name string
		in   string
		kind InputKind
		msg  string // substring of the error
	}{
		{"empty", "", InputEmpty, "empty input"},
		{"whitespace", " \n\t\n", InputEmpty, "empty input"},
		{"binary", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", InputBinary, "binary data (starts with 1f 8b"},
		{"truncated", `{"configs": [{"@type": "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump"`, InputTruncated, "truncated JSON at byte 79"},
		{"syntax", `{"configs": [}`, InputSyntax, "invalid JSON at byte 14"},
		{"clusters text", "outbound|9080||reviews.default.svc.cluster.local::observability_name::outbound|9080||reviews.default.svc.cluster.local\noutbound|9080||reviews.default.svc.cluster.local::default_priority::max_connections::4294967295\n", InputClusters, "/clusters output"},
		{"clusters text host line", "outbound|9080||reviews.default.svc.cluster.local::10.1.1.5:9080::cx_active::0\n", InputClusters, "/clusters output"},
		{"clusters json", `{"cluster_statuses": [{"name": "outbound|80||x"}]}`, InputClusters, "/clusters?format=json"},
		{"listeners text", "0.0.0.0_80::0.0.0.0:80\nvirtualOutbound::0.0.0.0:15001\n", InputListeners, "/listeners output"},
		{"listeners json", `{"listener_statuses": []}`, InputListeners, "/listeners?format=json"},
		{"stats text", "cluster.xds-grpc.upstream_cx_total: 3\ncluster.xds-grpc.upstream_cx_active: 1\n", InputStats, "/stats output"},
		{"stats json", `{"stats": [{"name": "x", "value": 1}]}`, InputStats, "/stats?format=json"},
		{"istioctl clusters array", `[{"name": "outbound|80||x", "type": "EDS", "connectTimeout": "10s"}]`, InputIstioctlArray, "array of 1 envoy clusters (istioctl proxy-config cluster -o json)"},
		{"istioctl routes array", `[{"name": "80", "virtualHosts": []}]`, InputIstioctlArray, "envoy routes"},
		{"v2alpha", `{"configs": [{"@type": "type.googleapis.com/envoy.admin.v2alpha.BootstrapConfigDump"}]}`, InputV2Alpha, "v2alpha admin format of Envoy < 1.13"},
		{"kubernetes pod", `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sleep"}}`, InputKubernetes, "Kubernetes Pod object (apiVersion v1)"},
		{"other object", `{"foo": 1, "bar": 2}`, InputOtherJSON, "keys bar, foo"},
		{"plain text", "hello world\n", InputNotJSON, `not JSON (starts with "hello world")`},
		{"bad section", `{"configs": [{"@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump", "static_clusters": 5}]}`, InputInvalidSection, "configs[0] (envoy.admin.v3.ClustersConfigDump)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse([]byte(tt.in))
			var ie *InputError
			if !errors.As(err, &ie) || !errors.Is(err, ErrUnreadable) {
				t.Fatalf("Parse(%q) = %v, %v, want an *InputError wrapping ErrUnreadable", tt.in, d, err)
			}
			if ie.Kind != tt.kind || !strings.Contains(err.Error(), tt.msg) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Parse(%q) error = %s %q, want %s containing %q on one line", tt.in, ie.Kind, err, tt.kind, tt.msg)
			}
		})
	}
}

func TestParsePreamble(t *testing.T) {
	data := readFixture(t, "egress-gateway.json")
	for _, pre := range []string{"200\n", "\ufeff", "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n"} {
		d, err := ParseReader(strings.NewReader(pre + string(data)))
		if err != nil || d.Cluster("outbound|443||edition.cnn.com") == nil {
			t.Errorf("Parse with preamble %q = %v, want the dump", pre, err)
		}
	}
}

// TestParseFixtureFiles runs every public fixture and checks it either parses
// or fails with the expected kind of *InputError.
func TestParseFixtureFiles(t *testing.T) {
	wantKind := map[string]InputKind{
		"bookinfo-clusters-reviews-v3.json":  InputClusters,
		"bookinfo-listeners-reviews-v3.json": InputListeners,
		"istio1.1-v2alpha.json":              InputV2Alpha,
		"istio1.4-v2alpha.json":              InputV2Alpha,
		"istioctl-array-clusters.json":       InputIstioctlArray,
		"istioctl-array-endpoints.json":      InputIstioctlArray,
		"istioctl-array-listeners.json":      InputIstioctlArray,
		"istioctl-array-routes.json":         InputIstioctlArray,
		"istioctl-bootstrap-only.json":       InputIstioctlPart,
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "envoy", "public", "*.json"))
	if len(files) < 20 {
		t.Fatalf("found %d public fixtures, want at least 20", len(files))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(data)
			want, bad := wantKind[name]
			var ie *InputError
			switch {
			case bad && (!errors.As(err, &ie) || ie.Kind != want):
				t.Errorf("Parse(%s) = %v, want a %s error", name, err, want)
			case !bad && err != nil:
				t.Errorf("Parse(%s): %v", name, err)
			case !bad && len(d.Sections) == 0:
				t.Errorf("Parse(%s) read no configs sections", name)
			}
		})
	}
}

// TestParseScenarioDumps parses the istiod-generated dumps of the shared
// scenarios, when hack/dumpgen has produced them.
func TestParseScenarioDumps(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*", "dumps", "*", "*.json"))
	if len(files) == 0 {
		t.Skip("no generated scenario dumps (testdata/scenarios/*/dumps/*/*.json)")
	}
	for _, f := range files {
		t.Run(strings.TrimPrefix(f, filepath.Join("..", "testdata", "scenarios")+string(filepath.Separator)), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(d.Listeners) == 0 && len(d.Clusters) == 0 {
				t.Errorf("Parse(%s) found no listeners and no clusters", f)
			}
		})
	}
}
