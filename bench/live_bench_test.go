package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-egress/kubectl-egress/internal/envoyadmin"
	"github.com/kubectl-egress/kubectl-egress/internal/scale"
	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// liveMeshSizes are the meshes BenchmarkLive creates in a real apiserver: EGRESS_BENCH_MESH
// (make bench), else 100 so that the -benchtime=1x smoke of make test stays short.
func liveMeshSizes() []int { return envList("EGRESS_BENCH_MESH", []int{100}) }

// live is a real kube-apiserver holding the scenario and a generated mesh, whose proxies'
// admins serve the scenario's dumps (the sidecar's scaled) through pods/portforward.
type live struct {
	api       *testcluster.APICounter
	admins    map[string]*envoyadmin.Admin
	fullBytes int64 // the whole dumps' bytes, what a --full-dump trace reads
	route80   int64 // the sidecar admin's answer for route config "80", which a narrow fetch reads whole
	objects   int
}

// liveCost is what one trace cost: API requests and bytes through the apiserver, and the
// proxies' admin requests and response bytes.
type liveCost struct {
	apiRequests, apiBytes, adminRequests, proxyBytes int64
	stderr                                           string
}

// startLive starts the cluster, deploys the scenario with the sidecar dump replaced by
// sidecar, and creates scale.Sized(n)'s objects with client-go, 16 at a time.
func startLive(tb testing.TB, sidecar []byte, n int) *live {
	tb.Helper()
	c := testcluster.Start(tb)
	k := c.StartKubelet(tb)
	admins := c.DeployScenario(tb, k, scenarioDir(tb, scenario), map[string][]byte{client: sidecar})
	objs, _, err := scale.MeshObjects(scale.Sized(n))
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	c.CreateObjects(tb, objs, 16)
	tb.Logf("created %d objects (scale.Sized(%d)) in %s", len(objs), n, time.Since(start).Round(time.Millisecond))
	l := &live{api: c.CountingProxy(tb), admins: admins, objects: len(objs)}
	_, raw := readScenario(tb, scenario)
	l.fullBytes = int64(len(sidecar) + len(raw[gatewayPod]))
	_, route := admins[client].ConfigDump(url.Values{"mask": {"static_route_configs,dynamic_route_configs"}, "name_regex": {"80"}})
	l.route80 = int64(len(route))
	l.trace(tb, port, false) // warm-up: the apiserver settles after the creations, caches fill
	return l
}

// liveVerdicts are the verdicts of the traces BenchmarkLive measures, by port: port 80
// goes through the egress gateway; port 443 leaves the sidecar directly and fails there
// (the client's TLS is originated again).
var liveVerdicts = map[int]trace.VerdictKind{80: trace.ViaGateway, 443: trace.Blocked}

// trace runs one live trace of host:p in-process through the counting proxy and returns
// its cost; the verdict must be the scenario's, from both dumps.
func (l *live) trace(tb testing.TB, p int, full bool, extra ...string) liveCost {
	tb.Helper()
	args := []string{"trace", host + ":" + strconv.Itoa(p), "--from", "deploy/sleep", "-n", "default", "-o", "json", "--kubeconfig", l.api.Kubeconfig}
	if full {
		args = append(args, "--full-dump")
	}
	args = append(args, extra...)
	adminReqs, adminBytes := l.adminCounts()
	l.api.Reset()
	var stdout, stderr bytes.Buffer
	code := plugin.Main(context.Background(), genericiooptions.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}, args)
	cost := liveCost{apiRequests: l.api.Requests(), apiBytes: l.api.Bytes(), stderr: stderr.String()}
	r2, b2 := l.adminCounts()
	cost.adminRequests, cost.proxyBytes = r2-adminReqs, b2-adminBytes
	var rep trace.Report
	if code != plugin.ExitOK && code != plugin.ExitFindings || json.Unmarshal(stdout.Bytes(), &rep) != nil {
		tb.Fatalf("kubectl egress %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	if want := liveVerdicts[p]; rep.Verdict.Kind != want || len(rep.Inputs.MissingDumps) > 0 {
		tb.Fatalf("verdict %s (%s), missing dumps %v; want %s with the dumps\n%s", rep.Verdict.Kind, rep.Verdict.Summary, rep.Inputs.MissingDumps, want, stderr.String())
	}
	return cost
}

func (l *live) adminCounts() (requests, bytes int64) {
	for _, a := range l.admins {
		requests += a.Requests.Load()
		bytes += a.Bytes.Load()
	}
	return requests, bytes
}

// BenchmarkLive is P3: the cost of one live trace of edition.cnn.com:80 and :443 from the
// scenario's sleep pod against a real kube-apiserver holding scale.Sized(n) generated
// objects, with the sidecar's dump scaled to the largest EGRESS_BENCH_DUMP_MB and served
// with Envoy's admin semantics (package envoyadmin) through pods/portforward. "narrow" is
// the default fetch (Envoy's mask and name_regex), "full" is --full-dump. Metrics: API
// requests and response bytes through the apiserver, admin requests and bytes read from
// the proxies, those bytes as a percentage of the whole dumps, and, for port 80, the part
// of the dumps that route config "80" is: a port-80 trace reads it whole (it holds one
// virtual host per HTTP service; name_regex selects whole route configs). Port 443 shows
// the VIP listeners: the scaled dump gives each replica one on 443, and only those the
// trace can pick should be read.
func BenchmarkLive(b *testing.B) {
	mb := slices.Max(dumpSizes())
	sidecar := scaledDump(b, mb)
	for _, n := range liveMeshSizes() {
		l := startLive(b, sidecar, n)
		for _, p := range []int{80, 443} {
			for _, mode := range []string{"narrow", "full"} {
				b.Run("objects="+strconv.Itoa(n)+"/port="+strconv.Itoa(p)+"/"+mode, func(b *testing.B) {
					var c liveCost
					for b.Loop() {
						c = l.trace(b, p, mode == "full")
					}
					b.ReportMetric(float64(c.apiRequests), "api-requests/op")
					b.ReportMetric(float64(c.apiBytes), "api-bytes/op")
					b.ReportMetric(float64(c.adminRequests), "admin-requests/op")
					b.ReportMetric(float64(c.proxyBytes), "proxy-bytes/op")
					b.ReportMetric(100*float64(c.proxyBytes)/float64(l.fullBytes), "%-of-dumps")
					if p == 80 {
						b.ReportMetric(100*float64(l.route80)/float64(l.fullBytes), "%-route-80")
					}
				})
			}
		}
	}
}
