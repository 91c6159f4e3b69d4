package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-egress/kubectl-egress/internal/envoyadmin"
	"github.com/kubectl-egress/kubectl-egress/internal/scale"
	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

const (
	costScenario = "gateway-tls-origination"
	costClient   = "default/sleep-7b4c9d8f6-abcde"
	costTarget   = "edition.cnn.com:80"
)

// liveCost is what one live trace cost.
type liveCost struct {
	apiRequests   int64  // through the apiserver: reads, pod GETs, pods/portforward
	apiSummary    string // the same by verb and resource
	adminRequests int64  // config_dump requests the proxies answered
	proxyBytes    int64  // bytes the proxies sent
	stderr        string
}

// TestLiveCost is P3 in make test: one live trace against a real apiserver holding a
// small and a five times larger generated mesh, the sidecar's dump scaled to 8 MB and
// served with Envoy's admin semantics (package envoyadmin). It counts, it does not time:
//   - the API requests of a single-host trace do not grow with the mesh (GETs, label
//     selector LISTs, one LIST per Istio kind, one pod GET and pods/portforward per proxy);
//   - the narrow fetch (Envoy's mask and name_regex) reads, besides route config "80",
//     at most 5% of the whole dumps. Route "80" is read whole: it holds one virtual host
//     per HTTP service on port 80 and name_regex selects whole route configs; in this dump
//     shape it alone is about 11% of the sidecar's dump, so the 10% goal of the issue is
//     out of reach for a port-80 trace. make bench (P3) reports the figures at 100 MB.
func TestLiveCost(t *testing.T) {
	tpl, err := os.ReadFile(filepath.Join(testcluster.RepoRoot(), scale.TemplateDump))
	if err != nil {
		t.Fatal(err)
	}
	sidecar, _, err := scale.ScaleDump(tpl, 8<<20)
	if err != nil {
		t.Fatal(err)
	}
	costs := map[int][2]liveCost{}
	var route80, whole int64
	for _, n := range []int{50, 300} {
		c := testcluster.Start(t)
		k := c.StartKubelet(t)
		admins := c.DeployScenario(t, k, filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", costScenario), map[string][]byte{costClient: sidecar})
		objs, _, err := scale.MeshObjects(scale.Sized(n))
		if err != nil {
			t.Fatal(err)
		}
		c.CreateObjects(t, objs, 8)
		api := c.CountingProxy(t)
		narrow, full := costTrace(t, api, admins, false), costTrace(t, api, admins, true)
		costs[n] = [2]liveCost{narrow, full}
		t.Logf("mesh of %d objects: narrow %d API requests (%s), %d admin requests, %d proxy bytes; full %d API requests, %d admin requests, %d proxy bytes",
			len(objs), narrow.apiRequests, narrow.apiSummary, narrow.adminRequests, narrow.proxyBytes, full.apiRequests, full.adminRequests, full.proxyBytes)
		for _, line := range []string{"fetching config from " + costClient + "... ok (", "narrowed config_dump requests)"} {
			if !strings.Contains(narrow.stderr, line) {
				t.Errorf("narrow trace stderr lacks %q:\n%s", line, narrow.stderr)
			}
		}
		if !strings.Contains(full.stderr, "whole dump, --full-dump)") {
			t.Errorf("--full-dump trace stderr does not say it read whole dumps:\n%s", full.stderr)
		}
		_, r := admins[costClient].ConfigDump(url.Values{"mask": {"static_route_configs,dynamic_route_configs"}, "name_regex": {"80"}})
		route80, whole = int64(len(r)), full.proxyBytes
	}
	small, large := costs[50], costs[300]
	for i, mode := range []string{"narrow", "--full-dump"} {
		if small[i].apiRequests != large[i].apiRequests {
			t.Errorf("%s trace: %d API requests in the small mesh, %d in the large one; want the same\nsmall: %s\nlarge: %s",
				mode, small[i].apiRequests, large[i].apiRequests, small[i].apiSummary, large[i].apiSummary)
		}
	}
	if small[0].apiRequests > maxTraceRequests+4 {
		t.Errorf("narrow trace made %d API requests, want at most %d (the load's budget + a pod GET and a port-forward per proxy)", small[0].apiRequests, maxTraceRequests+4)
	}
	narrow := large[0].proxyBytes
	t.Logf("narrow fetch: %d of %d bytes = %.1f%% of the whole dumps; route config \"80\" alone %d bytes = %.1f%%; the rest %.1f%%",
		narrow, whole, pct(narrow, whole), route80, pct(route80, whole), pct(narrow-route80, whole))
	if p := pct(narrow-route80, whole); p > 5 {
		t.Errorf("narrow fetch read %.1f%% of the whole dumps besides route config \"80\", want at most 5%%", p)
	}
	if p := pct(narrow, whole); p > 15 {
		t.Errorf("narrow fetch read %.1f%% of the whole dumps, want at most 15%% here (route \"80\" is about 11%%)", p)
	}
}

func pct(a, b int64) float64 { return 100 * float64(a) / float64(b) }

// costTrace runs one live trace in-process through the counting proxy.
func costTrace(t *testing.T, api *testcluster.APICounter, admins map[string]*envoyadmin.Admin, full bool) liveCost {
	t.Helper()
	args := []string{"trace", costTarget, "--from", "deploy/sleep", "-n", "default", "-o", "json", "--kubeconfig", api.Kubeconfig}
	if full {
		args = append(args, "--full-dump")
	}
	count := func() (r, b int64) {
		for _, a := range admins {
			r, b = r+a.Requests.Load(), b+a.Bytes.Load()
		}
		return r, b
	}
	r0, b0 := count()
	api.Reset()
	var stdout, stderr bytes.Buffer
	code := plugin.Main(context.Background(), genericiooptions.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}, args)
	cost := liveCost{apiRequests: api.Requests(), apiSummary: api.Summary(), stderr: stderr.String()}
	r1, b1 := count()
	cost.adminRequests, cost.proxyBytes = r1-r0, b1-b0
	var rep trace.Report
	if code != plugin.ExitOK && code != plugin.ExitFindings || json.Unmarshal(stdout.Bytes(), &rep) != nil {
		t.Fatalf("kubectl egress %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	if rep.Verdict.Kind != trace.ViaGateway || len(rep.Inputs.MissingDumps) > 0 {
		t.Fatalf("verdict %s (%s), missing dumps %v; want %s with both dumps\n%s", rep.Verdict.Kind, rep.Verdict.Summary, rep.Inputs.MissingDumps, trace.ViaGateway, stderr.String())
	}
	return cost
}
