package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
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
	costHost     = "edition.cnn.com"
)

// costVerdicts are the verdicts of the traced ports: 80 goes through the egress gateway,
// 443 leaves the sidecar directly and fails there (its TLS is originated again).
var costVerdicts = map[int]trace.VerdictKind{80: trace.ViaGateway, 443: trace.Blocked}

// liveCost is what one live trace cost.
type liveCost struct {
	apiRequests   int64  // through the apiserver: reads, pod GETs, pods/portforward
	apiSummary    string // the same by verb and resource
	adminRequests int64  // config_dump requests the proxies answered
	proxyBytes    int64  // bytes the proxies sent
	stderr        string
	// listenerRegex is the name_regex of the client's listener request, when narrowed.
	listenerRegex string
}

// TestLiveCost is P3 in make test: live traces of edition.cnn.com:80 and :443 against a
// real apiserver holding a small and a five times larger generated mesh, the sidecar's
// dump scaled to 8 MB and served with Envoy's admin semantics (package envoyadmin). It
// counts, it does not time:
//   - the API requests of a single-host trace do not grow with the mesh (GETs, label
//     selector LISTs, one LIST per Istio kind, one pod GET and pods/portforward per proxy);
//   - the narrow fetch (Envoy's mask and name_regex) of port 80 reads, besides route config
//     "80", at most 5% of the whole dumps. Route "80" is read whole: it holds one virtual
//     host per HTTP service on port 80 and name_regex selects whole route configs; in this
//     dump shape it alone is about 11% of the sidecar's dump, so the 10% goal of the issue
//     is out of reach for a port-80 trace. make bench (P3) reports the figures at 100 MB;
//   - the narrow fetch of port 443 reads at most 10% of the whole dumps when the live load
//     tells it the client and the host's addresses (envoy.WithClient): of the dump's VIP
//     listeners on 443, one per replica, it then reads none, as edition.cnn.com has no
//     address. Without that, it reads every one and the clusters they name.
func TestLiveCost(t *testing.T) {
	tpl, err := os.ReadFile(filepath.Join(testcluster.RepoRoot(), scale.TemplateDump))
	if err != nil {
		t.Fatal(err)
	}
	sidecar, _, err := scale.ScaleDump(tpl, 8<<20)
	if err != nil {
		t.Fatal(err)
	}
	costs := map[int]map[int][2]liveCost{} // by mesh size, port: narrow, full
	var route80 int64
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
		costs[n] = map[int][2]liveCost{}
		for _, port := range []int{80, 443} {
			narrow, full := costTrace(t, api, admins, port, false), costTrace(t, api, admins, port, true)
			costs[n][port] = [2]liveCost{narrow, full}
			t.Logf("mesh of %d objects, port %d: narrow %d API requests (%s), %d admin requests, %d proxy bytes; full %d API requests, %d admin requests, %d proxy bytes",
				len(objs), port, narrow.apiRequests, narrow.apiSummary, narrow.adminRequests, narrow.proxyBytes, full.apiRequests, full.adminRequests, full.proxyBytes)
			checkStderr(t, narrow, full)
		}
		_, r := admins[costClient].ConfigDump(url.Values{"mask": {"static_route_configs,dynamic_route_configs"}, "name_regex": {"80"}})
		route80 = int64(len(r))
	}
	small, large := costs[50], costs[300]
	for _, port := range []int{80, 443} {
		for i, mode := range []string{"narrow", "--full-dump"} {
			if s, l := small[port][i], large[port][i]; s.apiRequests != l.apiRequests {
				t.Errorf("port %d, %s trace: %d API requests in the small mesh, %d in the large one; want the same\nsmall: %s\nlarge: %s",
					port, mode, s.apiRequests, l.apiRequests, s.apiSummary, l.apiSummary)
			}
		}
		if r := small[port][0].apiRequests; r > maxTraceRequests+4 {
			t.Errorf("port %d: narrow trace made %d API requests, want at most %d (the load's budget + a pod GET and a port-forward per proxy)", port, r, maxTraceRequests+4)
		}
	}
	narrow, whole := large[80][0].proxyBytes, large[80][1].proxyBytes
	t.Logf("port 80 narrow fetch: %d of %d bytes = %.1f%% of the whole dumps; route config \"80\" alone %d bytes = %.1f%%; the rest %.1f%%",
		narrow, whole, pct(narrow, whole), route80, pct(route80, whole), pct(narrow-route80, whole))
	if p := pct(narrow-route80, whole); p > 5 {
		t.Errorf("port 80: narrow fetch read %.1f%% of the whole dumps besides route config \"80\", want at most 5%%", p)
	}
	if p := pct(narrow, whole); p > 15 {
		t.Errorf("port 80: narrow fetch read %.1f%% of the whole dumps, want at most 15%% here (route \"80\" is about 11%%)", p)
	}
	n443 := large[443][0]
	narrow, whole = n443.proxyBytes, large[443][1].proxyBytes
	t.Logf("port 443 narrow fetch: %d of %d bytes = %.1f%% of the whole dumps (client listeners asked with name_regex %q)", narrow, whole, pct(narrow, whole), n443.listenerRegex)
	if p := pct(narrow, whole); p > 10 {
		t.Errorf("port 443: narrow fetch read %.1f%% of the whole dumps, want at most 10%%", p)
	}
}

// checkStderr checks that the traces say how they read the proxies.
func checkStderr(t *testing.T, narrow, full liveCost) {
	t.Helper()
	for _, line := range []string{"fetching config from " + costClient + "... ok (", "narrowed config_dump requests)"} {
		if !strings.Contains(narrow.stderr, line) {
			t.Errorf("narrow trace stderr lacks %q:\n%s", line, narrow.stderr)
		}
	}
	if !strings.Contains(full.stderr, "whole dump, --full-dump)") {
		t.Errorf("--full-dump trace stderr does not say it read whole dumps:\n%s", full.stderr)
	}
}

func pct(a, b int64) float64 { return 100 * float64(a) / float64(b) }

// costTrace runs one live trace of costHost:port in-process through the counting proxy.
func costTrace(t *testing.T, api *testcluster.APICounter, admins map[string]*envoyadmin.Admin, port int, full bool) liveCost {
	t.Helper()
	args := []string{"trace", costHost + ":" + strconv.Itoa(port), "--from", "deploy/sleep", "-n", "default", "-o", "json", "--kubeconfig", api.Kubeconfig}
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
	seen := len(admins[costClient].Seen())
	api.Reset()
	var stdout, stderr bytes.Buffer
	code := plugin.Main(context.Background(), genericiooptions.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}, args)
	cost := liveCost{apiRequests: api.Requests(), apiSummary: api.Summary(), stderr: stderr.String()}
	r1, b1 := count()
	cost.adminRequests, cost.proxyBytes = r1-r0, b1-b0
	for _, uri := range admins[costClient].Seen()[seen:] {
		if u, err := url.Parse(uri); err == nil && strings.Contains(u.Query().Get("mask"), "dynamic_listeners") {
			cost.listenerRegex = u.Query().Get("name_regex")
		}
	}
	var rep trace.Report
	if code != plugin.ExitOK && code != plugin.ExitFindings || json.Unmarshal(stdout.Bytes(), &rep) != nil {
		t.Fatalf("kubectl egress %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	if want := costVerdicts[port]; rep.Verdict.Kind != want || len(rep.Inputs.MissingDumps) > 0 {
		t.Fatalf("verdict %s (%s), missing dumps %v; want %s with the dumps\n%s", rep.Verdict.Kind, rep.Verdict.Summary, rep.Inputs.MissingDumps, want, stderr.String())
	}
	return cost
}
