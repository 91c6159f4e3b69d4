package bench

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/secrets"
)

// The check-secrets input: the gateway-mtls-origination scenario (a MUTUAL credential of
// the egress gateway), whose gateway dump is replaced by the scaled dump under test.
const (
	secretsScenario = "gateway-mtls-origination"
	secretsProxy    = "istio-system/istio-egressgateway-6d8c4b7f9-xk2lp"
)

// BenchmarkSecretsDump is P4: check-secrets (parse the proxy dump for the planned
// credentials, secrets.Run) against the offline trace of P1 on the same bytes: the scaled
// sidecar dumps of EGRESS_BENCH_DUMP_MB and a dump of EGRESS_BENCH_TINY_LISTENERS tiny
// listeners. secrets-full is the check over Parse (what check-secrets did before).
func BenchmarkSecretsDump(b *testing.B) {
	snap, raw := readScenario(b, scenario)
	inputs := map[string][]byte{}
	var names []string
	for _, mb := range dumpSizes() {
		n := "size=" + strconv.Itoa(mb) + "MB"
		inputs[n], names = scaledDump(b, mb), append(names, n)
	}
	for _, n := range envList("EGRESS_BENCH_TINY_LISTENERS", []int{10000}) {
		name := "listeners=" + strconv.Itoa(n)
		inputs[name], names = tinyListeners(b, raw[client], n), append(names, name)
	}
	base := secretsInput(b, filepath.Join(root(b), "testdata", "scenarios", secretsScenario), fullParse)
	var creds []string
	for _, c := range secrets.Plan(base) {
		creds = append(creds, c.Name)
	}
	for _, name := range names {
		data := inputs[name]
		b.Run(name+"/trace-filtered", func(b *testing.B) {
			benchTrace(b, snap, raw, data, func(d []byte) (*envoy.Dump, error) { return envoy.ParseFiltered(d, envoy.ForHost(host, port)) })
		})
		b.Run(name+"/secrets-filtered", func(b *testing.B) {
			benchSecrets(b, base, data, func(d []byte) (*envoy.Dump, error) { return envoy.ParseFiltered(d, envoy.ForCredentials(creds)) })
		})
		b.Run(name+"/secrets-full", func(b *testing.B) { benchSecrets(b, base, data, envoy.Parse) })
	}
}

func benchSecrets(b *testing.B, base secrets.Input, data []byte, parse func([]byte) (*envoy.Dump, error)) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := parse(data)
		if err != nil {
			b.Fatal(err)
		}
		in := base
		in.Dumps = map[string]*envoy.Dump{secretsProxy: d}
		if rep := secrets.Run(in); len(rep.Credentials) == 0 {
			b.Fatal("check-secrets found no credential")
		}
	}
}

// tinyListeners is tpl (a dump) with n minimal listeners (<ip>_9000, as Istio names a
// listener) added to its dynamic_listeners.
func tinyListeners(tb testing.TB, tpl []byte, n int) []byte {
	tb.Helper()
	key := []byte(`"dynamic_listeners": [`)
	i := bytes.Index(tpl, key)
	if i < 0 {
		tb.Fatal("template dump has no dynamic_listeners")
	}
	i += len(key)
	out := make([]byte, 0, len(tpl)+n*100)
	out = append(out, tpl[:i]...)
	for k := range n {
		ip := fmt.Sprintf("10.%d.%d.%d", 200+k>>16, k>>8&255, k&255)
		out = append(out, `{"name":"`+ip+`_9000","active_state":{"listener":{"name":"`+ip+`_9000","address":{"socket_address":{"address":"`+ip+`","port_value":9000}}}}},`...)
	}
	return append(out, tpl[i:]...)
}
