package mesh

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
)

// TestLiveLoader applies a scenario to a real kube-apiserver with kubectl and loads it back.
func TestLiveLoader(t *testing.T) {
	c := testcluster.Start(t)
	c.Apply(t, filepath.Join(fixtures, "live", "egress-gateway.yaml"), writeCredential(t))
	ctx := context.Background()
	l, err := NewLiveForConfig(c.RestConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.LoadIstioConfig(ctx, []string{"default"}); err != nil {
		t.Fatalf("LoadIstioConfig: %v", err)
	}
	pods, err := l.ResolveWorkload(ctx, "default", "deploy/sleep")
	if err != nil || len(pods) != 1 || !HasSidecar(pods[0]) {
		t.Fatalf("ResolveWorkload(deploy/sleep) = %v, %v, want one pod with a sidecar", pods, err)
	}
	if _, err := l.ResolveWorkload(ctx, "default", "app=nothing"); err == nil ||
		err.Error() != "no pod matches app=nothing in namespace default" {
		t.Errorf("ResolveWorkload(app=nothing) error = %v", err)
	}
	mc, err := l.LoadMeshConfig(ctx, "istio-system")
	if err != nil || mc.OutboundTrafficPolicyMode != RegistryOnly {
		t.Errorf("LoadMeshConfig = %+v, %v, want REGISTRY_ONLY", mc, err)
	}
	si, err := l.LoadSecret(ctx, "istio-system", "client-credential")
	if err != nil || si.Access != AccessOK || deref(si.KeyMatchesLeaf) != "true" {
		t.Errorf("LoadSecret(client-credential) = %+v, %v, want ok and a matching key", si, err)
	}
	si, err = l.LoadSecret(ctx, "istio-system", "missing")
	if err != nil || si.Access != AccessNotFound {
		t.Errorf("LoadSecret(missing) = %+v, %v, want notfound", si, err)
	}
	s := l.Snapshot()
	checkLiveSnapshot(t, s)
	assertNoKeyMaterial(t, s, nil)
	t.Logf("live load made %d API requests", l.Requests())
}

func checkLiveSnapshot(t *testing.T, s *Snapshot) {
	t.Helper()
	vs := s.VirtualServicesForHost("edition.cnn.com")
	dr := s.DestinationRulesForHost("istio-egressgateway.istio-system.svc.cluster.local")
	gw := s.Gateways["default/istio-egressgateway"]
	if len(s.ServiceEntriesForHost("edition.cnn.com")) != 1 || len(vs) != 1 || len(dr) != 1 || gw == nil {
		t.Errorf("snapshot: se=%v vs=%d dr=%d gw=%v, want one of each", SortedKeys(s.ServiceEntries), len(vs), len(dr), gw != nil)
	}
	if gw != nil && gw.APIVersion != "networking.istio.io/v1" {
		t.Errorf("Gateway apiVersion = %q, want networking.istio.io/v1", gw.APIVersion)
	}
}

// TestLiveLoaderForbiddenSecret reads as a ServiceAccount whose Role has no secrets access.
func TestLiveLoaderForbiddenSecret(t *testing.T) {
	c := testcluster.Start(t)
	c.Apply(t, filepath.Join(fixtures, "live", "egress-gateway.yaml"))
	cfg := rest.CopyConfig(c.RestConfig)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:default:tracer"}
	l, err := NewLiveForConfig(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := l.ResolveWorkload(ctx, "default", "deploy/sleep"); err != nil {
		t.Fatalf("ResolveWorkload as tracer: %v", err)
	}
	si, err := l.LoadSecret(ctx, "default", "client-credential")
	if err != nil || si.Access != AccessForbidden {
		t.Errorf("LoadSecret as tracer = %+v, %v, want Access forbidden and no error", si, err)
	}
	err = l.LoadIstioConfig(ctx, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "list serviceentries in all namespaces: ") ||
		!strings.HasSuffix(err.Error(), "; the trace needs list on serviceentries.networking.istio.io (see README, RBAC)") {
		t.Errorf("LoadIstioConfig(all namespaces) as tracer error = %v, want a forbidden error with the RBAC hint", err)
	}
	if mc, err := l.LoadMeshConfig(ctx, ""); err != nil || mc.Access != AccessForbidden || mc.OutboundTrafficPolicyMode != ModeUnknown {
		t.Errorf("LoadMeshConfig as tracer = %+v, %v, want forbidden with the mode unknown", mc, err)
	}
}

// writeCredential writes a kubernetes.io/tls Secret with a freshly issued cert and key.
func writeCredential(t *testing.T) string {
	pki := newTestPKI(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	crt, keyPEM := pki.issue(t, key.Public(), 7, epoch), pkcs8(t, key)
	b64 := base64.StdEncoding.EncodeToString
	manifest := fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: client-credential, namespace: istio-system}\n"+
		"type: kubernetes.io/tls\ndata:\n  tls.crt: %s\n  tls.key: %s\n  ca.crt: %s\n", b64(crt), b64(keyPEM), b64(pki.caPEM))
	return filepath.Join(writeFiles(t, map[string]string{"credential.yaml": manifest}), "credential.yaml")
}
