package realenvoy

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
)

// fixture is one saved /config_dump the harness can feed to Envoy.
type fixture struct {
	name   string // path relative to the repository root (or /work/shared/...)
	path   string
	record string // where its removal record lives
}

// loadRecord is where the record of what real Envoy did with the fixture lives, beside the
// removal record.
func (fx fixture) loadRecord() string {
	return strings.TrimSuffix(fx.record, ".istio-only-removed.txt") + ".envoy-load.txt"
}

// sharedPublic holds more real public dumps on the project's machines (not in the repository).
const sharedPublic = "/work/shared/fixtures/public"

// scenarioFixtures are the istiod-generated dumps of testdata/scenarios.
func scenarioFixtures(t *testing.T) []fixture {
	t.Helper()
	root := testcluster.RepoRoot()
	paths, _ := filepath.Glob(filepath.Join(root, "testdata", "scenarios", "*", "dumps", "*", "*.json"))
	if len(paths) == 0 {
		t.Fatal("no scenario dumps under testdata/scenarios/*/dumps")
	}
	var out []fixture
	for _, p := range paths {
		rel, _ := filepath.Rel(root, p)
		out = append(out, fixture{name: rel, path: p, record: strings.TrimSuffix(p, ".json") + ".istio-only-removed.txt"})
	}
	return out
}

// publicFixtures are the other v3 /config_dump files: testdata/envoy (edited + public) and,
// when present on this machine, /work/shared/fixtures/public. Files that are not whole v3
// dumps (istioctl arrays, v2alpha, /clusters output) are returned in skipped with the reason.
func publicFixtures(t *testing.T) (out []fixture, skipped map[string]string) {
	t.Helper()
	root := testcluster.RepoRoot()
	skipped = map[string]string{}
	var paths []string
	for _, g := range []string{"testdata/envoy/*.json", "testdata/envoy/public/*.json", "testdata/envoy/real/*.json"} {
		m, _ := filepath.Glob(filepath.Join(root, g))
		paths = append(paths, m...)
	}
	_ = filepath.WalkDir(sharedPublic, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	for _, p := range paths {
		name := p
		if rel, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(rel, "..") {
			name = rel
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if why := notWholeDump(data); why != "" {
			skipped[name] = why
			continue
		}
		if _, err := ParseDump(data); err != nil {
			skipped[name] = err.Error()
			continue
		}
		rec := strings.TrimSuffix(p, ".json") + ".istio-only-removed.txt"
		if strings.HasPrefix(p, sharedPublic) {
			flat := strings.ReplaceAll(strings.TrimPrefix(p, sharedPublic+"/"), "/", "__")
			rec = filepath.Join(root, "testdata", "envoy", "real", "shared-public", strings.TrimSuffix(flat, ".json")+".istio-only-removed.txt")
		}
		out = append(out, fixture{name: name, path: p, record: rec})
	}
	return out, skipped
}

// notWholeDump says why data is not a v3 /config_dump with a bootstrap node.
func notWholeDump(data []byte) string {
	var d struct {
		Configs []struct {
			Type string `json:"@type"`
		} `json:"configs"`
	}
	if err := json.Unmarshal(data, &d); err != nil || len(d.Configs) == 0 {
		return "not a {\"configs\": [...]} /config_dump (istioctl array, /clusters, or other output)"
	}
	for _, c := range d.Configs {
		if strings.HasPrefix(c.Type, "type.googleapis.com/envoy.admin.v3.") && strings.HasSuffix(c.Type, "BootstrapConfigDump") {
			return ""
		}
		if strings.Contains(c.Type, "v2alpha") {
			return "v2alpha admin dump (Envoy ≤1.12 era): Envoy " + Version + " has no v2 API"
		}
	}
	return "no v3 BootstrapConfigDump: the proxy's node identity is unknown"
}

// TestRemovalRecords keeps the record of what was removed from each fixture beside it, and
// checks every removal is an Istio-only extension.
func TestRemovalRecords(t *testing.T) {
	pub, _ := publicFixtures(t)
	for _, fx := range append(scenarioFixtures(t), pub...) {
		t.Run(fx.name, func(t *testing.T) {
			f := mustFeed(t, fx.path)
			for _, r := range f.Removals {
				if !strings.Contains(r.Type, "istio") && !strings.Contains(r.Type, "stats.PluginConfig") && !strings.Contains(r.Type, "metadataexchange") && !strings.Contains(r.Type, "peer_metadata") && !strings.Contains(r.Type, "null VM") && !(istioNames[r.Name] && strings.HasPrefix(r.Type, "untyped")) {
					t.Errorf("removed %v, which is not an Istio-proxy-only extension", r)
				}
			}
			compareRecord(t, fx.record, f.RemovalReport(fx.name))
		})
	}
}

func mustFeed(t *testing.T, path string) *Feed {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseDump(data)
	if err != nil {
		t.Fatalf("ParseDump(%s): %v", path, err)
	}
	return f
}

// TestStripKeepsWhatMatters checks, on every fixture, that removal never touches a listener's
// filter-chain matches, a route, a cluster's type, endpoints or transport socket.
func TestStripKeepsWhatMatters(t *testing.T) {
	pub, _ := publicFixtures(t)
	for _, fx := range append(scenarioFixtures(t), pub...) {
		t.Run(fx.name, func(t *testing.T) {
			data, err := os.ReadFile(fx.path)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := ParseDumpUnstripped(data)
			if err != nil {
				t.Fatal(err)
			}
			got := mustFeed(t, fx.path)
			if len(got.Listeners) != len(raw.Listeners) || len(got.Clusters) != len(raw.Clusters) {
				t.Fatalf("strip changed the resource counts: listeners %d→%d, clusters %d→%d", len(raw.Listeners), len(got.Listeners), len(raw.Clusters), len(got.Clusters))
			}
			for i := range raw.Listeners {
				same(t, "listener "+str(raw.Listeners[i]["name"])+" filter-chain matches", chainMatches(raw.Listeners[i]), chainMatches(got.Listeners[i]))
				same(t, "listener "+str(raw.Listeners[i]["name"])+" address", raw.Listeners[i]["address"], got.Listeners[i]["address"])
			}
			for i := range raw.Clusters {
				for _, k := range []string{"name", "type", "cluster_type", "load_assignment", "transport_socket", "transport_socket_matches", "eds_cluster_config"} {
					same(t, "cluster "+str(raw.Clusters[i]["name"])+" "+k, raw.Clusters[i][k], got.Clusters[i][k])
				}
			}
			same(t, "route configs", raw.Routes, got.Routes)
			same(t, "endpoints", raw.Endpoints, got.Endpoints)
			same(t, "secrets", raw.Secrets, got.Secrets)
		})
	}
}

func chainMatches(l map[string]any) []any {
	var out []any
	for _, c := range asMaps(l["filter_chains"]) {
		out = append(out, []any{c["filter_chain_match"], c["transport_socket"], c["name"]})
	}
	return append(out, l["default_filter_chain"] != nil)
}

func same(t *testing.T, what string, a, b any) {
	t.Helper()
	if !reflect.DeepEqual(a, b) {
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Errorf("%s changed by the removal:\n before %s\n after  %s", what, ja, jb)
		}
	}
}
