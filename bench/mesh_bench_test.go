package bench

import (
	"strconv"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/internal/scale"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/secrets"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// scaledMesh is the scenario's snapshot plus scale.Sized(n) generated objects, its
// credential certificates and the scenario's parsed dumps.
func scaledMesh(b *testing.B, n int) (*mesh.Snapshot, map[string]mesh.SecretCerts, map[string]*envoy.Dump) {
	b.Helper()
	snap, raw := readScenario(b, scenario)
	certs, err := scale.AddMesh(snap, scale.Sized(n))
	if err != nil {
		b.Fatal(err)
	}
	return snap, certs, parseAll(b, raw, envoy.Parse)
}

// BenchmarkMesh is P2: trace.Run of one host and secrets.Run over every credential, after
// the load, in meshes of n ServiceEntries, VirtualServices and DestinationRules, n/2 pods
// and n/10 credential Secrets.
func BenchmarkMesh(b *testing.B) {
	for _, n := range meshSizes() {
		snap, certs, dumps := scaledMesh(b, n)
		name := "objects=" + strconv.Itoa(n) + "/"
		b.Run(name+"trace", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if rep := trace.Run(input(snap, dumps, host, port)); rep.Verdict.Kind != trace.ViaGateway {
					b.Fatalf("verdict %s (%s), want %s", rep.Verdict.Kind, rep.Verdict.Summary, trace.ViaGateway)
				}
			}
		})
		b.Run(name+"secrets", func(b *testing.B) {
			in := secrets.Input{Snapshot: snap, Certs: certs, Dumps: dumps, Now: now, Source: "files"}
			b.ReportAllocs()
			for b.Loop() {
				if rep := secrets.Run(in); len(rep.Credentials) < n/10 {
					b.Fatalf("secrets.Run checked %d credentials, want at least %d", len(rep.Credentials), n/10)
				}
			}
		})
	}
}
