package mesh

import (
	"path/filepath"
	"strings"
	"testing"
)

const seYAML = `apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata:
  name: cnn
spec:
  hosts: [edition.cnn.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
`

func TestLoadFilesBadInput(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{name: "broken yaml", files: map[string]string{"x.yaml": "kind: Pod\nmetadata:\n  name: a\n   bad: [\n"},
			want: []string{"x.yaml: document 1: yaml: line"}},
		{name: "multi-doc with one broken doc", files: map[string]string{"x.yaml": seYAML + "---\nkind: Pod\nmetadata: {name: [\n"},
			want: []string{"x.yaml: document 2: yaml: line"}},
		{name: "duplicate objects across files", files: map[string]string{"a.yaml": seYAML, "b/c.yaml": seYAML},
			want: []string{"b/c.yaml: document 1: duplicate ServiceEntry default/cnn (first defined in ", "a.yaml document 1)"}},
		{name: "duplicate in one file, v1alpha3 and v1", files: map[string]string{"a.yaml": seYAML + "---\n" +
			strings.Replace(seYAML, "v1beta1", "v1alpha3", 1)},
			want: []string{"a.yaml: document 2: duplicate ServiceEntry default/cnn", "a.yaml document 1)"}},
		{name: "unknown spec field", files: map[string]string{"a.yaml": strings.Replace(seYAML, "resolution:", "resolutoin:", 1)},
			want: []string{"a.yaml: document 1: ServiceEntry cnn: spec:", `unknown field "resolutoin"`}},
		{name: "unknown top-level field", files: map[string]string{"a.yaml": seYAML + "sepc: {}\n"},
			want: []string{"a.yaml: document 1: ServiceEntry cnn:", `unknown field "sepc"`}},
		{name: "bad enum value", files: map[string]string{"a.yaml": strings.Replace(seYAML, "resolution: DNS", "resolution: DSN", 1)},
			want: []string{"ServiceEntry cnn: spec:"}},
		{name: "List with a bad item", files: map[string]string{"l.yaml": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.istio.io/v1\n  kind: Gateway\n  metadata: {name: g}\n  spec: {selectr: {}}\n"},
			want: []string{"l.yaml: document 1: List item 1: Gateway g: spec:"}},
		{name: "missing path", files: map[string]string{}, want: []string{"nope.yaml: no such file or directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			paths := []string{dir}
			if len(tt.files) == 0 {
				paths = []string{filepath.Join(dir, "nope.yaml")}
			}
			_, err := LoadFiles(paths)
			assertInputError(t, err, tt.want)
		})
	}
}

func TestLoadFilesSkipsAndDefaults(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.yaml": "# only a comment\n---\n" + seYAML + `---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: logs, namespace: foo}
---
apiVersion: networking.istio.io/v2
kind: VirtualService
metadata: {name: future}
---
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: old}
`,
		"b.json":  `{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}},{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ns1"}}]}`,
		"c.txt":   "not: loaded",
		"d/e.yml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n",
	})
	s, err := LoadFiles([]string{dir})
	if err != nil {
		t.Fatalf("LoadFiles: %v", err)
	}
	se := s.ServiceEntries["default/cnn"]
	if se == nil || se.APIVersion != "networking.istio.io/v1" || se.Kind != "ServiceEntry" {
		t.Fatalf("ServiceEntries[default/cnn] = %+v, want a networking.istio.io/v1 ServiceEntry", se)
	}
	if p := s.Pods["default/p"]; p == nil {
		t.Errorf("Pods[default/p] missing: namespace should default to default; pods: %v", SortedKeys(s.Pods))
	}
	if s.Namespaces["ns1"] == nil || s.Namespaces["ns1"].Namespace != "" {
		t.Errorf("Namespaces[ns1] = %+v, want a cluster-scoped namespace", s.Namespaces["ns1"])
	}
	want := []string{
		"Telemetry foo/logs: kind not modelled by kubectl-egress",
		"VirtualService future: unsupported apiVersion networking.istio.io/v2 for VirtualService (want networking.istio.io/v1alpha3|v1beta1|v1)",
		"Deployment old: unsupported apiVersion extensions/v1beta1 for Deployment (want apps/v1)",
		"ConfigMap default/other: only the mesh config ConfigMap istio-system/istio is used",
	}
	var got []string
	for _, sk := range s.Skipped {
		id := ObjectID{Kind: sk.Kind, Namespace: sk.Namespace, Name: sk.Name}
		got = append(got, id.String()+": "+sk.Reason)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Skipped =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasSuffix(s.Skipped[0].Source, "a.yaml document 3") {
		t.Errorf("Skipped[0].Source = %q, want it to end in a.yaml document 3", s.Skipped[0].Source)
	}
}
