package plugin_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-egress/kubectl-egress/internal/realenvoy"
	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/secrets/secretstest"
)

// TestRealEnvoyDumpTracesAsOurs is the oracle for the istiod-assembled dumps: every scenario's
// dumps are fed to real Envoy 1.40 instances, and once they have taken everything, the
// /config_dump?include_eds each returns replaces the assembled one. The JSON trace of the
// scenario must then be the same (hops, clusters, TLS, verdict, findings), apart from times
// and versions.
func TestRealEnvoyDumpTracesAsOurs(t *testing.T) {
	realenvoy.Require(t)
	forEachScenario(t, func(t *testing.T, dir, target string) {
		t.Parallel()
		plain, withEDS := realEnvoyScenario(t, dir)
		// The harness issues the secrets the dumps redact from secretstest's CA, valid around
		// secretstest.Now: the traces judge certificates at that time.
		args := []string{"trace", target, "--from", "deploy/sleep", "-n", "default", "-o", "json", "--color", "never",
			"--now", secretstest.Now.Format(time.RFC3339)}
		ours := realEnvoyTraceJSON(t, append(args, "-f", dir))
		if d := jsonDiff(ours, realEnvoyTraceJSON(t, append(args, "-f", plain))); d != "" {
			t.Errorf("trace of Envoy's own /config_dump differs from the trace of the assembled dump (- assembled, + real envoy):\n%s", d)
		}
		// With include_eds Envoy adds the endpoints it holds. The assembled dumps carry no
		// EDS (hack/dumpgen does not export istiod's EDS) and the namespace has no DNS, so
		// Envoy holds none: the trace then reports EGR0105, rightly. Everything else must match.
		eds := realEnvoyTraceJSON(t, append(args, "-f", withEDS))
		if d := jsonDiff(withoutEndpoints(t, ours), withoutEndpoints(t, eds)); d != "" {
			t.Errorf("trace of Envoy's /config_dump?include_eds differs beyond endpoints (- assembled, + real envoy):\n%s", d)
		}
		if d := jsonDiff(ours, eds); d != "" {
			t.Logf("endpoint-only differences with include_eds (- assembled, + real envoy):\n%s", d)
		}
	})
}

// realEnvoyScenario copies the scenario's manifests into two temporary directories and writes,
// for every dump, the /config_dump and the /config_dump?include_eds of a real Envoy fed with it.
func realEnvoyScenario(t *testing.T, dir string) (plain, withEDS string) {
	t.Helper()
	plain, withEDS = t.TempDir(), t.TempDir()
	copyTree(t, filepath.Join(dir, "manifests"), filepath.Join(plain, "manifests"))
	copyTree(t, filepath.Join(dir, "manifests"), filepath.Join(withEDS, "manifests"))
	dumps, _ := filepath.Glob(filepath.Join(dir, "dumps", "*", "*.json"))
	for _, p := range dumps {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		feed, err := realenvoy.ParseDump(data)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		e := realenvoy.Start(t, feed, realenvoy.Options{})
		if _, unexpected := e.Settle(t, 20*time.Second); len(unexpected) > 0 {
			t.Errorf("%s: real envoy still warming %v", p, unexpected)
		}
		for _, n := range e.Nacks() {
			t.Errorf("%s: real envoy rejected %s: %s", p, n.TypeURL, n.Message)
		}
		rel, _ := filepath.Rel(dir, p)
		saveAdmin(t, e, "/config_dump", filepath.Join(plain, rel))
		saveAdmin(t, e, "/config_dump?include_eds", filepath.Join(withEDS, rel))
	}
	return plain, withEDS
}

func saveAdmin(t *testing.T, e *realenvoy.Envoy, path, dst string) {
	t.Helper()
	body, code, err := e.Get(path)
	if err != nil || code != 200 {
		t.Fatalf("real envoy %s: %d %v", path, code, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, body, 0o644); err != nil {
		t.Fatal(err)
	}
}

// endpointCount is the suffix the trace adds to a cluster hop when the dump has endpoints.
var endpointCount = regexp.MustCompile(`, \d+ endpoints?`)

// withoutEndpoints drops what only endpoints decide: EGR0105 findings and endpoint counts.
func withoutEndpoints(t *testing.T, report string) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(report), &v); err != nil {
		t.Fatal(err)
	}
	if fs, ok := v["findings"].([]any); ok {
		kept := []any{}
		for _, f := range fs {
			if m, _ := f.(map[string]any); m["code"] != "EGR0105" {
				kept = append(kept, f)
			}
		}
		v["findings"] = kept
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return endpointCount.ReplaceAllString(string(b), "")
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// realEnvoyTraceJSON runs the trace and returns its JSON report with times and versions removed.
func realEnvoyTraceJSON(t *testing.T, args []string) string {
	t.Helper()
	stdout, stderr, code := runMain(t, append(args, noCluster...)...)
	if code != plugin.ExitOK && code != plugin.ExitFindings {
		t.Fatalf("kubectl egress %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	var v any
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatalf("trace -o json: %v\n%s", err, stdout)
	}
	b, _ := json.MarshalIndent(dropVolatile(v), "", "  ")
	return string(b)
}

// volatile are report fields that say when, not what: Envoy stamps its own times.
var volatile = map[string]bool{"lastUpdated": true, "versionInfo": true, "version": true, "generatedAt": true}

func dropVolatile(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k := range x {
			if volatile[k] {
				delete(x, k)
			} else {
				x[k] = dropVolatile(x[k])
			}
		}
	case []any:
		for i := range x {
			x[i] = dropVolatile(x[i])
		}
	}
	return v
}

// jsonDiff is a line diff of two indented JSON texts: the lines only one side has, with
// their line numbers; empty when equal.
func jsonDiff(a, b string) string {
	if a == b {
		return ""
	}
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	inB, inA := map[string]int{}, map[string]int{}
	for _, l := range bl {
		inB[l]++
	}
	for _, l := range al {
		inA[l]++
	}
	var out []string
	for i, l := range al {
		if inB[l] == 0 {
			out = append(out, fmt.Sprintf("-%4d %s", i+1, l))
		}
	}
	for i, l := range bl {
		if inA[l] == 0 {
			out = append(out, fmt.Sprintf("+%4d %s", i+1, l))
		}
	}
	if len(out) == 0 {
		out = append(out, "(same lines, different order)")
	}
	return strings.Join(out, "\n")
}
