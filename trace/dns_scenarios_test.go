package trace

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dnsScenarioCase traces a hostAliases/dnsConfig scenario, with its dumps or (noDumps)
// from the manifests only, and asserts the verdict, findings and the hop names walked.
type dnsScenarioCase struct {
	scenarioCase
	noDumps bool
	hops    []string // Report.Hops names, in order
}

var dnsScenarioCases = []dnsScenarioCase{
	{scenarioCase: scenarioCase{scenario: "hostaliases-sidecar-to-gateway", host: "edition.cnn.com", port: 443, golden: true, want: ViaGateway, codes: []string{"EGR0511", "EGR0603"}},
		hops: []string{scenarioClient, "10.96.20.20_443", "outbound|443||istio-egressgateway.istio-system.svc.cluster.local", "0.0.0.0_8443", "outbound|443||edition.cnn.com", "edition.cnn.com:443"}},
	{scenarioCase: scenarioCase{scenario: "hostaliases-sidecar-to-gateway", host: "edition.cnn.com", port: 443, want: ViaGateway, codes: []string{"EGR0511"}}, noDumps: true,
		hops: []string{scenarioClient, "10.96.20.20_443", "outbound|443||istio-egressgateway.istio-system.svc.cluster.local", "0.0.0.0_8443",
			"VirtualService default/direct-cnn-through-egress-gateway", "outbound|443||edition.cnn.com", "edition.cnn.com:443"}},
	{scenarioCase: scenarioCase{scenario: "hostaliases-no-sidecar-to-gateway", host: "edition.cnn.com", port: 80, golden: true, want: ViaGateway, codes: []string{"EGR0501", "EGR0513"}},
		hops: []string{scenarioClient, "0.0.0.0_8080", "http.8080", "outbound|80||edition.cnn.com", "edition.cnn.com:80"}},
	{scenarioCase: scenarioCase{scenario: "hostaliases-no-sidecar-to-gateway", host: "edition.cnn.com", port: 80, want: ViaGateway, codes: []string{"EGR0513"}}, noDumps: true,
		hops: []string{scenarioClient, "0.0.0.0_8080", "VirtualService default/direct-cnn-through-egress-gateway", "outbound|80||edition.cnn.com", "edition.cnn.com:80"}},
	{scenarioCase: scenarioCase{scenario: "hostaliases-no-sidecar-to-gateway-pod", host: "edition.cnn.com", port: 80, golden: true, want: Blocked, response: "connection refused", codes: []string{"EGR0513", "EGR0517"}, broken: true},
		hops: []string{scenarioClient, "0.0.0.0_80"}},
	{scenarioCase: scenarioCase{scenario: "hostaliases-no-sidecar-to-gateway-pod", host: "edition.cnn.com", port: 80, want: Blocked, response: "connection refused", codes: []string{"EGR0517"}}, noDumps: true,
		hops: []string{scenarioClient, "0.0.0.0_80"}},
	{scenarioCase: scenarioCase{scenario: "hostaliases-fixed-ip", host: "edition.cnn.com", port: 443, golden: true, want: Bypass, codes: []string{"EGR0510", "EGR0102"}},
		hops: []string{scenarioClient, "virtualOutbound", "PassthroughCluster", "203.0.113.10:443"}},
	{scenarioCase: scenarioCase{scenario: "hostaliases-fixed-ip", host: "edition.cnn.com", port: 443, want: Bypass, codes: []string{"EGR0510"}}, noDumps: true},
	{scenarioCase: scenarioCase{scenario: "dns-policy-none", host: "edition.cnn.com", port: 80, golden: true, want: ViaGateway, codes: []string{"EGR0514", "EGR0516"}},
		hops: []string{scenarioClient, "0.0.0.0_80", "80", "outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local", "0.0.0.0_8080", "http.8080", "outbound|80||edition.cnn.com", "edition.cnn.com:80"}},
}

func TestDNSScenarios(t *testing.T) {
	for _, tc := range dnsScenarioCases {
		name := tc.scenario + "/" + tc.host + ":" + itoa(tc.port)
		if tc.noDumps {
			name += "/no-dumps"
		}
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("..", "testdata", "scenarios", tc.scenario)
			in := loadScenario(t, dir)
			if tc.noDumps {
				in.Dumps = nil
			}
			in.Host, in.Port, in.Protocol = tc.host, tc.port, tc.protocol
			rep := Run(in)
			if !tc.noDumps {
				checkScenario(t, tc.scenarioCase, rep)
			} else {
				checkIntentOnly(t, tc.scenarioCase, rep)
			}
			if got := hopNames(rep); tc.hops != nil && !slices.Equal(got, tc.hops) {
				t.Errorf("hops = %q, want %q", got, tc.hops)
			}
			if tc.golden {
				compareGolden(t, filepath.Join(dir, "golden", "trace.json"), rep)
			}
		})
	}
}

// checkIntentOnly is checkScenario for a trace without dumps: verdict, response and codes.
func checkIntentOnly(t *testing.T, tc scenarioCase, rep *Report) {
	t.Helper()
	if rep.Verdict.Kind != tc.want || !strings.Contains(rep.Verdict.Response, tc.response) {
		t.Errorf("Verdict = %q %q (%s), want %q %q", rep.Verdict.Kind, rep.Verdict.Response, rep.Verdict.Summary, tc.want, tc.response)
	}
	for _, c := range tc.codes {
		if !slices.ContainsFunc(rep.Findings, func(f Finding) bool { return f.Code == c }) {
			t.Errorf("findings = %v, want %s", codesOf(rep), c)
		}
	}
}

func hopNames(rep *Report) []string {
	out := make([]string, len(rep.Hops))
	for i, h := range rep.Hops {
		out[i] = h.Name
	}
	return out
}

// copiedFrom is the README line naming the generated scenario whose dumps a hand-edited
// scenario copies.
var copiedFrom = regexp.MustCompile("copied byte for byte from `testdata/scenarios/([a-z0-9-]+)/dumps`")

// TestCopiedDumps keeps the dumps of scenarios built from a generated one (pod fields
// istiod ignores: hostAliases, dnsConfig) equal to their source's, so regenerating the
// source with hack/dumpgen cannot leave stale copies behind.
func TestCopiedDumps(t *testing.T) {
	readmes, _ := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*", "README.md"))
	n := 0
	for _, rm := range readmes {
		b, err := os.ReadFile(rm)
		if err != nil {
			t.Fatal(err)
		}
		m := copiedFrom.FindSubmatch(b)
		if m == nil {
			continue
		}
		n++
		dir := filepath.Dir(rm)
		src := filepath.Join(filepath.Dir(dir), string(m[1]), "dumps")
		files, _ := filepath.Glob(filepath.Join(dir, "dumps", "*", "*.json"))
		if len(files) == 0 {
			t.Errorf("%s copies dumps from %s but has none", dir, src)
		}
		for _, f := range files {
			rel, _ := filepath.Rel(filepath.Join(dir, "dumps"), f)
			got, err1 := os.ReadFile(f)
			want, err2 := os.ReadFile(filepath.Join(src, rel))
			if err1 != nil || err2 != nil || !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (%v, %v): copy it again", f, filepath.Join(src, rel), err1, err2)
			}
		}
	}
	if n < 5 {
		t.Errorf("%d scenarios copy their dumps, want at least the 5 hostAliases/dnsConfig ones", n)
	}
}
