package bench

import (
	"os"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/internal/scale"
)

// TestGenerateDumps generates the cached scaled dumps of EGRESS_BENCH_DUMP_MB ahead of the
// benchmarks (hack/bench.sh runs it first), so generation never lands inside a timing.
func TestGenerateDumps(t *testing.T) {
	if os.Getenv("EGRESS_BENCH_DUMP_MB") == "" || testing.Short() {
		t.Skip("EGRESS_BENCH_DUMP_MB unset: the benchmarks use a 1 MB dump")
	}
	for _, mb := range dumpSizes() {
		path, err := scale.CachedDump(root(t), mb)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", path, fi.Size())
	}
}
