package plugin_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// TestOldDumpVirtualOutbound traces an external host through a real Istio 1.6 sidecar dump
// (testdata/envoy/public/istio1.6-productpage.json, istioctl's test data). Its virtualOutbound
// has a chain for the pod's own IP (prefix_ranges 172.30.144.174/32 → BlackHoleCluster) before
// the catch-all chain (→ PassthroughCluster). Envoy matches destination IP by longest prefix,
// and the request to edition.cnn.com is not addressed to the pod's own IP: it takes the
// catch-all chain and leaves through PassthroughCluster (envoy.Listener.FilterChainFor).
// The first plaintext chain, as the walk used to take, would be the black hole.
func TestOldDumpVirtualOutbound(t *testing.T) {
	dir := t.TempDir()
	pod := `apiVersion: v1
kind: Pod
metadata:
  name: productpage-v1-c7765c886-v99jb
  namespace: default
  labels: {app: productpage}
  annotations: {sidecar.istio.io/status: '{}'}
spec:
  containers:
  - {name: productpage, image: productpage}
  - {name: istio-proxy, image: proxyv2}
status: {podIP: 172.30.144.174, phase: Running}
`
	if err := os.WriteFile(filepath.Join(dir, "pod.yaml"), []byte(pod), 0o600); err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join("..", "testdata", "envoy", "public", "istio1.6-productpage.json")
	out, errOut, code := runMain(t, "trace", "edition.cnn.com:443", "--from", "pod/productpage-v1-c7765c886-v99jb", "-n", "default",
		"-f", dir, "--dump", "default/productpage-v1-c7765c886-v99jb="+dump, "-o", "json", "--kubeconfig", "/nonexistent/kubeconfig")
	if code != plugin.ExitOK && code != plugin.ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r trace.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Verdict.Kind != trace.Bypass {
		t.Errorf("verdict = %s (%s), want bypass through PassthroughCluster", r.Verdict.Kind, r.Verdict.Summary)
	}
	for _, h := range r.Hops {
		if h.Kind == trace.HopCluster && h.Name != "PassthroughCluster" {
			t.Errorf("cluster hop = %s, want PassthroughCluster (the pod's own-IP chain goes to BlackHoleCluster)", h.Name)
		}
	}
}
