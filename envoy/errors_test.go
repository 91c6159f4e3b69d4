package envoy

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
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
	data := readFixture(t, editedFixture)
	for _, pre := range []string{"200\n", "\ufeff", "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n"} {
		d, err := ParseReader(strings.NewReader(pre + string(data)))
		if err != nil || d.Cluster(nginxCluster) == nil {
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

// TestParseScenarioDumps checks every scenario under testdata/scenarios: a
// README.md, a manifests/ directory with files, at least one
// dumps/<namespace>/<pod>.json, exactly the dumps its README lists, and every
// dump parsing with the node type of its namespace (sidecar in default,
// router in istio-system) and the pod of its file name. It fails, rather than
// skips, when there are no scenarios.
func TestParseScenarioDumps(t *testing.T) {
	root := filepath.Join("..", "testdata", "scenarios")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatalf("testdata/scenarios: %v", err)
	}
	var scenarios []string
	for _, e := range entries {
		if e.IsDir() {
			scenarios = append(scenarios, e.Name())
		} else {
			t.Errorf("testdata/scenarios/%s is not a scenario directory", e.Name())
		}
	}
	if len(scenarios) == 0 {
		t.Fatal("testdata/scenarios holds no scenario directories; regenerate them with hack/dumpgen (make fixtures)")
	}
	nodeType := map[string]ProxyType{"default": ProxySidecar, "istio-system": ProxyRouter}
	listed := regexp.MustCompile("`(dumps/[^`]+\\.json)`")
	for _, name := range scenarios {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(root, name)
			readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
			if err != nil {
				t.Errorf("README.md: %v", err)
			}
			if m, err := os.ReadDir(filepath.Join(dir, "manifests")); err != nil || len(m) == 0 {
				t.Errorf("manifests/: %d entries, %v; want a directory of manifests", len(m), err)
			}
			var want []string // dumps the README lists
			for _, m := range listed.FindAllStringSubmatch(string(readme), -1) {
				want = append(want, m[1])
			}
			files, _ := filepath.Glob(filepath.Join(dir, "dumps", "*", "*.json"))
			if len(files) == 0 {
				t.Fatal("no dumps/<namespace>/<pod>.json")
			}
			var got []string
			for _, f := range files {
				rel, _ := filepath.Rel(dir, f)
				got = append(got, filepath.ToSlash(rel))
			}
			slices.Sort(want)
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("README.md lists dumps %q, dumps/ holds %q", want, got)
			}
			for _, rel := range got {
				ns, pod := path.Base(path.Dir(rel)), strings.TrimSuffix(path.Base(rel), ".json")
				t.Run(ns+"/"+pod, func(t *testing.T) {
					data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
					if err != nil {
						t.Fatal(err)
					}
					d, err := Parse(data)
					if err != nil {
						t.Fatalf("Parse: %v", err)
					}
					typ, ok := nodeType[ns]
					if !ok {
						t.Fatalf("dumps/%s: no expected proxy type for namespace %s (want default or istio-system)", ns, ns)
					}
					if d.Node.Type != typ || d.Node.Namespace != ns || d.Node.PodName != pod {
						t.Errorf("Node = %s %s/%s, want %s %s/%s", d.Node.Type, d.Node.Namespace, d.Node.PodName, typ, ns, pod)
					}
					if len(d.Listeners) == 0 || len(d.Clusters) == 0 {
						t.Errorf("found %d listeners and %d clusters, want some of both", len(d.Listeners), len(d.Clusters))
					}
				})
			}
		})
	}
}
