package trace

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/scenarios/*/golden")

const scenarioClient = "default/sleep-7b4c9d8f6-abcde"

// scenarioCase traces one host from the scenario's sleep pod. golden marks the case
// whose Report is kept in testdata/scenarios/<scenario>/golden/trace.json.
type scenarioCase struct {
	scenario string
	host     string
	port     int
	protocol string
	golden   bool
	want     VerdictKind
	response string   // substring of Verdict.Response
	codes    []string // finding codes that must be present
	broken   bool     // false: no Error finding allowed
}

var scenarioCases = []scenarioCase{
	{scenario: "allow-any", host: "edition.cnn.com", port: 80, golden: true, want: Bypass, codes: []string{"EGR0102"}},
	{scenario: "allow-any", host: "edition.cnn.com", want: Bypass, codes: []string{"EGR0102"}},
	{scenario: "registry-only-with-se", host: "edition.cnn.com", port: 443, golden: true, want: Direct},
	{scenario: "registry-only-with-se", host: "edition.cnn.com", port: 80, want: Direct},
	{scenario: "vs-timeout", host: "httpbin.org", golden: true, want: Direct},
	{scenario: "sidecar-tls-origination", host: "edition.cnn.com", port: 80, golden: true, want: Direct},
	{scenario: "sidecar-tls-origination", host: "edition.cnn.com", port: 443, want: Direct},
	{scenario: "sidecar-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80, golden: true, want: Direct},
	{scenario: "gateway-http", host: "edition.cnn.com", port: 80, golden: true, want: ViaGateway, codes: []string{"EGR0201"}},
	{scenario: "gateway-http", host: "edition.cnn.com", port: 443, want: Bypass, codes: []string{"EGR0201"}},
	{scenario: "gateway-tls-passthrough", host: "edition.cnn.com", port: 443, golden: true, want: ViaGateway},
	{scenario: "gateway-tls-origination", host: "edition.cnn.com", port: 80, golden: true, want: ViaGateway},
	{scenario: "gateway-tls-origination", host: "edition.cnn.com", port: 443, protocol: "https", want: Blocked, response: "TLS inside TLS", codes: []string{"EGR0404"}, broken: true},
	{scenario: "gateway-mtls-origination", host: "my-nginx.mesh-external.svc.cluster.local", port: 80, golden: true, want: ViaGateway},
	{scenario: "gateway-wildcard", host: "en.wikipedia.org", port: 443, golden: true, want: ViaGateway},
	{scenario: "broken-registry-only-no-se", host: "edition.cnn.com", port: 80, golden: true, want: Blocked, response: "502", codes: []string{"EGR0101"}, broken: true},
	{scenario: "broken-registry-only-no-se", host: "edition.cnn.com", port: 443, want: Blocked, response: "BlackHoleCluster", codes: []string{"EGR0101"}, broken: true},
	{scenario: "broken-vs-missing-mesh", host: "edition.cnn.com", port: 80, golden: true, want: Bypass, codes: []string{"EGR0202"}, broken: true},
	{scenario: "broken-dr-subset-missing", host: "edition.cnn.com", port: 80, golden: true, want: Blocked, response: "503 NC", codes: []string{"EGR0206", "EGR0305"}, broken: true},
	{scenario: "broken-exportto-hides-se", host: "edition.cnn.com", port: 80, golden: true, want: Blocked, response: "503 NC", codes: []string{"EGR0301", "EGR0305"}, broken: true},
	{scenario: "broken-credential-secret-missing", host: "my-nginx.mesh-external.svc.cluster.local", port: 80, golden: true, want: Blocked, response: "503 NC", codes: []string{"EGR0401", "EGR0602"}, broken: true},
	{scenario: "broken-http-se-on-443", host: "httpbin.org", port: 443, protocol: "https", golden: true, want: Blocked, response: "connection reset", codes: []string{"EGR0103"}, broken: true},
	{scenario: "broken-http-se-on-443", host: "www.google.com", port: 443, want: Direct, codes: []string{"EGR0103"}, broken: true},
	{scenario: "broken-dr-credential-no-workloadselector", host: "my-nginx.mesh-external.svc.cluster.local", port: 80, golden: true, want: Blocked, response: "400 plain HTTP", codes: []string{"EGR0402", "EGR0403"}, broken: true},
}

func TestScenarios(t *testing.T) {
	for _, tc := range scenarioCases {
		name := tc.scenario + "/" + tc.host
		if tc.port > 0 {
			name += ":" + itoa(tc.port)
		}
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("..", "testdata", "scenarios", tc.scenario)
			in := loadScenario(t, dir)
			in.Host, in.Port, in.Protocol = tc.host, tc.port, tc.protocol
			rep := Run(in)
			checkScenario(t, tc, rep)
			if tc.golden {
				compareGolden(t, filepath.Join(dir, "golden", "trace.json"), rep)
			}
		})
	}
}

func checkScenario(t *testing.T, tc scenarioCase, rep *Report) {
	t.Helper()
	if rep.Verdict.Kind != tc.want {
		t.Errorf("Verdict.Kind = %q (%s), want %q", rep.Verdict.Kind, rep.Verdict.Summary, tc.want)
	}
	if !strings.Contains(rep.Verdict.Response, tc.response) {
		t.Errorf("Verdict.Response = %q, want it to contain %q", rep.Verdict.Response, tc.response)
	}
	var codes []string
	for _, f := range rep.Findings {
		codes = append(codes, f.Code)
		if f.Level == LevelError && !tc.broken {
			t.Errorf("unexpected Error finding in a working scenario: %+v", f)
		}
	}
	for _, c := range tc.codes {
		if !slices.Contains(codes, c) {
			t.Errorf("findings = %v, want %s", codes, c)
		}
	}
	if len(rep.Inputs.MissingDumps) > 0 {
		t.Errorf("Inputs.MissingDumps = %v, want none (every scenario ships its dumps)", rep.Inputs.MissingDumps)
	}
}

// loadScenario reads a scenario's manifests (plus extra manifest files) and dumps into an
// Input from its sleep pod.
func loadScenario(t *testing.T, dir string, extra ...string) Input {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("scenario %s not generated yet", dir)
	}
	snap, err := mesh.LoadFiles(append([]string{filepath.Join(dir, "manifests")}, extra...))
	if err != nil {
		t.Fatalf("LoadFiles(%s): %v", dir, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "dumps", "*", "*.json"))
	dumps := map[string]*envoy.Dump{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := envoy.Parse(b)
		if err != nil {
			t.Fatalf("envoy.Parse(%s): %v", f, err)
		}
		dumps[filepath.Base(filepath.Dir(f))+"/"+strings.TrimSuffix(filepath.Base(f), ".json")] = d
	}
	return Input{Snapshot: snap, Dumps: dumps, Client: scenarioClient, ClientRef: "deploy/sleep", Source: "files",
		Now: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func compareGolden(t *testing.T, path string, rep *Report) {
	t.Helper()
	got, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s: %v (run go test ./trace -update)", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Report differs from %s (run go test ./trace -update and review the diff):\n%s", path, got)
	}
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + jsonInt(n)) }

func jsonInt(n int) string { b, _ := json.Marshal(n); return string(b) }
