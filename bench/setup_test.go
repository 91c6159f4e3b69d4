package bench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/internal/scale"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// The traced request: the gateway-tls-origination scenario's sleep pod to edition.cnn.com:80,
// through the egress gateway.
const (
	scenario   = "gateway-tls-origination"
	client     = "default/sleep-7b4c9d8f6-abcde"
	gatewayPod = "istio-system/istio-egressgateway-6d8c4b7f9-xk2lp"
	host       = "edition.cnn.com"
	port       = 80
)

var now = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

// envList reads a comma-separated list of ints from env, else def; under -short it is def.
func envList(name string, def []int) []int {
	v := os.Getenv(name)
	if v == "" || testing.Short() {
		return def
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// dumpSizes are the scaled dump sizes in MB: EGRESS_BENCH_DUMP_MB (make bench: 10,100,200),
// else 1 so that `go test -bench . -benchtime=1x` stays a cheap smoke.
func dumpSizes() []int { return envList("EGRESS_BENCH_DUMP_MB", []int{1}) }

// meshSizes are the generated mesh sizes: EGRESS_BENCH_MESH (make bench: 1000,3000,10000), else 1000.
func meshSizes() []int { return envList("EGRESS_BENCH_MESH", []int{1000}) }

func root(tb testing.TB) string {
	tb.Helper()
	r, err := scale.Root()
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func scenarioDir(tb testing.TB, name string) string {
	return filepath.Join(root(tb), "testdata", "scenarios", name)
}

// readScenario returns a scenario's snapshot and its dump files by "namespace/pod".
func readScenario(tb testing.TB, name string) (*mesh.Snapshot, map[string][]byte) {
	tb.Helper()
	dir := scenarioDir(tb, name)
	snap, err := mesh.LoadFiles([]string{filepath.Join(dir, "manifests")})
	if err != nil {
		tb.Fatalf("LoadFiles(%s): %v", dir, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "dumps", "*", "*.json"))
	raw := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		raw[filepath.Base(filepath.Dir(f))+"/"+strings.TrimSuffix(filepath.Base(f), ".json")] = b
	}
	return snap, raw
}

// parseAll parses every dump with parse.
func parseAll(tb testing.TB, raw map[string][]byte, parse func([]byte) (*envoy.Dump, error)) map[string]*envoy.Dump {
	tb.Helper()
	out := map[string]*envoy.Dump{}
	for k, b := range raw {
		d, err := parse(b)
		if err != nil {
			tb.Fatalf("parse dump of %s: %v", k, err)
		}
		out[k] = d
	}
	return out
}

func input(snap *mesh.Snapshot, dumps map[string]*envoy.Dump, h string, p int) trace.Input {
	return trace.Input{Snapshot: snap, Dumps: dumps, Host: h, Port: p, Client: client, ClientRef: "deploy/sleep", Source: "files", Now: now}
}

// scaledDump returns the scaled sidecar dump of mb MB, generated into .cache/scale once.
func scaledDump(tb testing.TB, mb int) []byte {
	tb.Helper()
	path, err := scale.CachedDump(root(tb), mb)
	if err != nil {
		tb.Fatalf("scale dump to %d MB: %v", mb, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
