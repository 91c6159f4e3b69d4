package e2e

import (
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// TestTraceDNSLive traces the hostAliases and dnsConfig scenarios live: the pod's
// spec.hostAliases/dnsConfig come from a real apiserver, the dumps from each proxy's Envoy
// admin over pods/portforward, fetched narrowly for the alias address (trace.FetchOptions)
// and for the gateway the alias reaches (trace.ProxiesNeeded, also without a sidecar).
// Verdict, hops and finding codes must equal the offline trace of the same files.
func TestTraceDNSLive(t *testing.T) {
	for _, tc := range []struct {
		name  string
		codes []string
	}{
		{"hostaliases-sidecar-to-gateway", []string{"EGR0511"}},
		{"hostaliases-no-sidecar-to-gateway", []string{"EGR0513"}},
		{"dns-policy-none", []string{"EGR0514", "EGR0516"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", tc.name)
			target := demoTarget(t, tc.name)
			c := testcluster.Start(t)
			k := c.StartKubelet(t)
			proxies := mesh.SortedKeys(c.DeployScenario(t, k, dir, nil))

			offline := traceOffline(t, "trace", target, "--from", "deploy/sleep", "-n", "default", "-f", dir, "-o", "json")
			live, stderr := traceMain(t, target, "--kubeconfig", c.Kubeconfig)
			if !reflect.DeepEqual(live.Verdict, offline.Verdict) {
				t.Errorf("live verdict = %+v\noffline verdict = %+v", live.Verdict, offline.Verdict)
			}
			if !reflect.DeepEqual(live.Hops, offline.Hops) {
				t.Errorf("live hops differ from offline hops:\nlive    %+v\noffline %+v", live.Hops, offline.Hops)
			}
			if !slices.Equal(live.Inputs.Proxies, proxies) || len(live.Inputs.MissingDumps) != 0 {
				t.Errorf("live inputs = %+v, want proxies %v read and none missing\nstderr:\n%s", live.Inputs, proxies, stderr)
			}
			var codes []string
			for _, f := range live.Findings {
				codes = append(codes, f.Code)
			}
			for _, c := range tc.codes {
				if !slices.Contains(codes, c) {
					t.Errorf("live findings = %v, want %s", codes, c)
				}
			}
		})
	}
}
