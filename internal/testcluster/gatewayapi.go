package testcluster

import "testing"

// InstallGatewayAPI applies the experimental Gateway API CRDs of testdata/crds (a superset
// of the standard ones), waits until every CRD is established and lists each once.
func (c *Cluster) InstallGatewayAPI(t testing.TB) {
	t.Helper()
	c.applyCRDs(t, "Gateway API", "gateway-api-experimental.gen.yaml")
}
