package testcluster

import (
	"path/filepath"
	"testing"
	"time"
)

// InstallGatewayAPI applies the experimental Gateway API CRDs of testdata/crds (a superset
// of the standard ones), waits until every CRD is established and lists each once.
func (c *Cluster) InstallGatewayAPI(t testing.TB) {
	t.Helper()
	crds := filepath.Join(RepoRoot(), "testdata", "crds", "gateway-api-experimental.gen.yaml")
	if out, err := c.Kubectl(t, nil, "apply", "--server-side", "-f", crds); err != nil {
		t.Fatalf("install Gateway API CRDs: %v\n%s", err, out)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := c.Kubectl(t, nil, "wait", "--for=condition=Established", "crd", "--all", "--timeout=30s")
		if err == nil {
			c.warmCRDs(t)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Gateway API CRDs not established: %v\n%s", err, out)
		}
		time.Sleep(time.Second)
	}
}
