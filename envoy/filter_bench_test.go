package envoy

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// dumpFiles are every stored dump: the public fixtures and the istiod-generated scenarios.
func dumpFiles(t testing.TB) []string {
	t.Helper()
	pub, _ := filepath.Glob(filepath.Join("..", "testdata", "envoy", "*", "*.json"))
	top, _ := filepath.Glob(filepath.Join("..", "testdata", "envoy", "*.json"))
	scen, _ := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*", "dumps", "*", "*.json"))
	if len(scen) == 0 {
		t.Fatal("no scenario dumps under testdata/scenarios")
	}
	return slices.Concat(pub, top, scen)
}

// filterModel is what ParseFiltered(data, f) must equal: Parse's model with every list
// trimmed by f's predicates (f.References unset) and the type counts left out.
func filterModel(d *Dump, f Filter) *Dump {
	keep := func(p func(string) bool, name string) bool { return p == nil || p(name) }
	out := *d
	out.UnknownTypes, out.LegacyTypes = nil, nil
	out.Listeners = slices.DeleteFunc(slices.Clone(d.Listeners), func(l Listener) bool { return !keep(f.Listener, l.Name) })
	out.Clusters = slices.DeleteFunc(slices.Clone(d.Clusters), func(c Cluster) bool { return !keep(f.Cluster, c.Name) })
	out.Secrets = slices.DeleteFunc(slices.Clone(d.Secrets), func(s Secret) bool { return !keep(f.Secret, s.Name) })
	out.Endpoints = slices.DeleteFunc(slices.Clone(d.Endpoints), func(e ClusterEndpoints) bool { return !keep(f.Endpoints, e.Cluster) })
	out.RouteConfigs = nil
	for _, rc := range d.RouteConfigs {
		if !keep(f.RouteConfig, rc.Name) {
			continue
		}
		if f.VirtualHost != nil {
			rc.VirtualHosts = nilIfEmpty(slices.DeleteFunc(slices.Clone(rc.VirtualHosts), func(v VirtualHost) bool { return !f.VirtualHost(v.Domains) }))
		}
		out.RouteConfigs = append(out.RouteConfigs, rc)
	}
	out.Listeners, out.Clusters, out.Secrets = nilIfEmpty(out.Listeners), nilIfEmpty(out.Clusters), nilIfEmpty(out.Secrets)
	out.Endpoints, out.RouteConfigs = nilIfEmpty(out.Endpoints), nilIfEmpty(out.RouteConfigs)
	return &out
}

// odd keeps about half of the names, deterministically.
func odd(name string) bool { return len(name)%2 == 1 }

func TestParseFilteredMatchesParse(t *testing.T) {
	filters := []struct {
		name string
		f    Filter
	}{
		{"everything", Filter{}},
		{"nothing", Filter{Listener: None, RouteConfig: None, Cluster: None, Secret: None, Endpoints: None}},
		{"half by name", Filter{Listener: odd, RouteConfig: odd, Cluster: odd, Secret: odd, Endpoints: odd}},
		{"virtual hosts", Filter{VirtualHost: func(ds []string) bool { return len(ds) > 0 && odd(ds[0]) }}},
		{"outbound 80", Filter{Cluster: func(n string) bool { return strings.HasPrefix(n, "outbound|80|") }, Listener: func(n string) bool { return strings.HasSuffix(n, "_80") }}},
	}
	for _, file := range dumpFiles(t) {
		data := readFile(t, file)
		full, err := Parse(data)
		if err != nil {
			continue // unreadable inputs: see TestParseFilteredErrors
		}
		for _, tt := range filters {
			t.Run(filepath.Base(file)+"/"+tt.name, func(t *testing.T) {
				got, err := ParseFiltered(data, tt.f)
				if err != nil {
					t.Fatalf("ParseFiltered(%s) error = %v, want nil as Parse", file, err)
				}
				got.UnknownTypes, got.LegacyTypes = nil, nil
				if want := filterModel(full, tt.f); !reflect.DeepEqual(got, want) {
					g, _ := json.Marshal(got)
					w, _ := json.Marshal(want)
					t.Errorf("ParseFiltered(%s) differs from the filtered Parse model:\n got %.2000s\nwant %.2000s", file, g, w)
				}
			})
		}
	}
}

// TestParseFilteredErrors: for unreadable input ParseFiltered fails exactly as Parse does.
func TestParseFilteredErrors(t *testing.T) {
	scen := readFile(t, filepath.Join("..", "testdata", "scenarios", "gateway-tls-origination", "dumps", "default", "sleep-7b4c9d8f6-abcde.json"))
	inputs := map[string][]byte{
		"empty": nil, "binary": {0, 1, 2, 0xff}, "truncated": scen[:len(scen)/2], "array": []byte(`[{"name":"x"}]`),
		"no configs": []byte(`{"bootstrap":{}}`), "null configs": []byte(`{"configs":null}`), "object configs": []byte(`{"configs":{}}`),
		"folded key": []byte(`{"Configs":[]}`), "two keys": []byte(`{"configs":[],"CONFIGS":[{"@type":"x"}]}`),
		"bad section": bytes.Replace(scen, []byte(`"connect_timeout": "`), []byte(`"connect_timeout": "x`), 1),
		"v2alpha":     []byte(`{"configs":[{"@type":"type.googleapis.com/envoy.admin.v2alpha.ClustersConfigDump"}]}`),
	}
	for _, f := range dumpFiles(t) {
		inputs[filepath.Base(f)] = readFile(t, f)
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			_, want := Parse(data)
			_, got := ParseFiltered(data, ForHost("edition.cnn.com", 80))
			if want == nil {
				if got != nil {
					t.Errorf("ParseFiltered error = %v, want nil as Parse", got)
				}
				return
			}
			var ge, we *InputError
			if !errors.As(got, &ge) || !errors.As(want, &we) || ge.Kind != we.Kind || ge.Msg != we.Msg || ge.Offset != we.Offset {
				t.Errorf("ParseFiltered error = %v, want Parse's %v", got, want)
			}
		})
	}
}

// TestForHostReferences: the closure keeps the route config, clusters and nothing unrelated.
func TestForHostReferences(t *testing.T) {
	data := readFile(t, filepath.Join("..", "testdata", "scenarios", "gateway-tls-origination", "dumps", "default", "sleep-7b4c9d8f6-abcde.json"))
	d, err := ParseFiltered(data, ForHost("edition.cnn.com", 80))
	if err != nil {
		t.Fatal(err)
	}
	rc := d.RouteConfig("80")
	if rc == nil || len(rc.VirtualHosts) != 2 || rc.VirtualHosts[0].Name != "edition.cnn.com:80" || rc.VirtualHosts[1].Name != "allow_any" {
		t.Errorf("RouteConfig(80) = %+v, want virtual hosts edition.cnn.com:80 and allow_any", rc)
	}
	for _, name := range []string{"outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local", "outbound|443||edition.cnn.com", "PassthroughCluster"} {
		if d.Cluster(name) == nil {
			t.Errorf("Cluster(%q) = nil, want it kept", name)
		}
	}
	if c := d.Cluster("outbound|80||sleep.default.svc.cluster.local"); c != nil {
		t.Errorf("Cluster(%q) kept, want it filtered out", c.Name)
	}
	if l := d.Listener("10.96.20.20_443"); l != nil {
		t.Errorf("Listener(%q) kept, want it filtered out", l.Name)
	}
}

func TestDomainCovers(t *testing.T) {
	tests := []struct {
		domain, host string
		want         bool
	}{
		{"edition.cnn.com", "edition.cnn.com", true},
		{"edition.cnn.com:80", "edition.cnn.com", true},
		{"edition.cnn.com.", "edition.cnn.com", true},
		{"*", "edition.cnn.com", true},
		{"*.cnn.com", "edition.cnn.com", true},
		{"edition.*", "edition.cnn.com", true},
		{"sleep", "sleep.default.svc.cluster.local", true},
		{"sleep.default", "sleep.default.svc.cluster.local", true},
		{"*.wikipedia.org", "edition.cnn.com", false},
		{"cnn.com", "edition.cnn.com", false},
		{"sleep.default.svc.cluster.local:80", "edition.cnn.com", false},
	}
	for _, tt := range tests {
		if got := domainCovers(tt.domain, tt.host); got != tt.want {
			t.Errorf("domainCovers(%q, %q) = %v, want %v", tt.domain, tt.host, got, tt.want)
		}
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func BenchmarkParseFiltered(b *testing.B) {
	data := largestFixture(b)
	f := ForHost("reviews.default.svc.cluster.local", 9080)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFiltered(data, f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSkipValue(b *testing.B) {
	data := largestFixture(b)
	start, err := stripPreamble(data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if skipValue(data, start) != len(bytes.TrimRight(data, " \t\r\n")) {
			b.Fatal("skipValue did not reach the end")
		}
	}
}
