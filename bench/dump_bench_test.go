package bench

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/internal/scale"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// BenchmarkDump is P1: an offline trace of one host (read nothing, parse both proxies'
// dumps, trace.Run) where the client's sidecar dump is scaled to each size, against
// json.Valid over the same bytes and `istioctl proxy-config all -f` on the same file.
func BenchmarkDump(b *testing.B) {
	snap, raw := readScenario(b, scenario)
	for _, mb := range dumpSizes() {
		data := scaledDump(b, mb)
		path, _ := scale.CachedDump(root(b), mb)
		name := "size=" + strconv.Itoa(mb) + "MB/"
		b.Run(name+"json.Valid", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if !json.Valid(data) {
					b.Fatal("scaled dump is not valid JSON")
				}
			}
		})
		b.Run(name+"trace-filtered", func(b *testing.B) {
			benchTrace(b, snap, raw, data, func(d []byte) (*envoy.Dump, error) { return envoy.ParseFiltered(d, envoy.ForHost(host, port)) })
		})
		b.Run(name+"trace-full", func(b *testing.B) {
			benchTrace(b, snap, raw, data, envoy.Parse)
		})
		b.Run(name+"istioctl", func(b *testing.B) { benchIstioctl(b, path, int64(len(data))) })
	}
}

// benchTrace parses the scaled client dump and the gateway dump with parse, then traces.
func benchTrace(b *testing.B, s *mesh.Snapshot, raw map[string][]byte, data []byte, parse func([]byte) (*envoy.Dump, error)) {
	gw := raw[gatewayPod]
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		side, err := parse(data)
		if err != nil {
			b.Fatal(err)
		}
		g, err := parse(gw)
		if err != nil {
			b.Fatal(err)
		}
		rep := trace.Run(input(s, map[string]*envoy.Dump{client: side, gatewayPod: g}, host, port))
		if rep.Verdict.Kind != trace.ViaGateway {
			b.Fatalf("verdict %s (%s), want %s", rep.Verdict.Kind, rep.Verdict.Summary, trace.ViaGateway)
		}
	}
}

// benchIstioctl runs istioctl (hack/tools/build-istioctl.sh) on the dump file.
func benchIstioctl(b *testing.B, path string, size int64) {
	bin := filepath.Join(root(b), ".cache", "bin", "istioctl")
	if _, err := os.Stat(bin); err != nil {
		b.Skipf("no %s: run hack/tools/build-istioctl.sh", bin)
	}
	b.SetBytes(size)
	for b.Loop() {
		cmd := exec.Command(bin, "proxy-config", "all", "-f", path)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s proxy-config all -f %s: %v", bin, path, err)
		}
	}
}
