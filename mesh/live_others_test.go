package mesh

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
)

// unmodelledObjects are one object of several OtherKinds, as a user would apply them.
const unmodelledObjects = `apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: sni-proxy, namespace: istio-system}
spec:
  workloadSelector: {labels: {istio: egressgateway}}
  configPatches:
  - applyTo: NETWORK_FILTER
    match: {context: GATEWAY}
    patch: {operation: INSERT_BEFORE, value: {name: envoy.filters.network.sni_dynamic_forward_proxy}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: cnn-egress-gateway, namespace: default}
spec:
  gatewayClassName: istio
  listeners: [{name: http, hostname: edition.cnn.com, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: direct-cnn, namespace: default}
spec:
  parentRefs: [{kind: ServiceEntry, group: networking.istio.io, name: cnn}]
  hostnames: [edition.cnn.com]
  rules: [{backendRefs: [{name: cnn-egress-gateway-istio, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: cnn-tls, namespace: default}
spec:
  parentRefs: [{name: cnn-egress-gateway}]
  hostnames: [edition.cnn.com]
  rules: [{backendRefs: [{name: cnn, port: 443}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: egress-deny, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: egressgateway}}
  action: DENY
  rules: [{}]
`

// TestLiveLoadOthers installs Istio's and Gateway API's CRDs in a real kube-apiserver and
// checks LoadOthers records the objects with one discovery GET and one LIST per installed
// kind, skips kinds whose CRD is absent, and records forbidden kinds as unchecked.
func TestLiveLoadOthers(t *testing.T) {
	c := testcluster.Start(t)
	ctx := context.Background()
	t.Run("Gateway API not installed", func(t *testing.T) {
		l, err := NewLiveForConfig(c.RestConfig, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.LoadOthers(ctx); err != nil {
			t.Fatalf("LoadOthers without Gateway API CRDs: %v", err)
		}
		if got, want := l.Requests(), int64(1+istioOtherKinds()); got != want {
			t.Errorf("Requests() = %d, want %d (discovery + one LIST per installed Istio kind)", got, want)
		}
	})
	c.InstallGatewayAPI(t)
	c.Apply(t, writeManifest(t, unmodelledObjects))
	l, err := NewLiveForConfig(c.RestConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.LoadOthers(ctx); err != nil {
		t.Fatalf("LoadOthers: %v", err)
	}
	if got, want := l.Requests(), int64(1+len(OtherKinds)); got != want {
		t.Errorf("Requests() = %d, want %d (discovery + one LIST per kind)", got, want)
	}
	checkRecorded(t, l.Snapshot())
	t.Run("forbidden kinds are unchecked, not errors", func(t *testing.T) {
		s := forbiddenLoad(t, c)
		if len(s.Unchecked) != len(OtherKinds)-1 || len(s.Others) != 1 {
			t.Errorf("Unchecked = %+v, Others = %v; want every kind but EnvoyFilter unchecked and the EnvoyFilter read", s.Unchecked, SortedKeys(s.Others))
		}
		for _, u := range s.Unchecked {
			if !strings.Contains(u.Reason, "forbidden") {
				t.Errorf("Unchecked %+v: reason should say forbidden", u)
			}
		}
	})
}

func istioOtherKinds() int {
	n := 0
	for _, k := range OtherKinds {
		if strings.HasSuffix(k.Group, "istio.io") {
			n++
		}
	}
	return n
}

func checkRecorded(t *testing.T, s *Snapshot) {
	t.Helper()
	ef := s.Others[otherKey(istioGroup, "EnvoyFilter", "istio-system", "sni-proxy")]
	if ef == nil || ef.Selector["istio"] != "egressgateway" || strings.Join(ef.ApplyTo, ",") != "NETWORK_FILTER" || strings.Join(ef.Contexts, ",") != "GATEWAY" {
		t.Errorf("EnvoyFilter = %+v, want selector istio=egressgateway, NETWORK_FILTER in GATEWAY", ef)
	}
	gw := s.Others[otherKey(GatewayAPIGroup, "Gateway", "default", "cnn-egress-gateway")]
	if gw == nil || gw.GatewayClassName != "istio" || strings.Join(gw.Hostnames, ",") != "edition.cnn.com" || gw.String() != "Gateway API Gateway default/cnn-egress-gateway" {
		t.Errorf("Gateway = %+v, want class istio and listener hostname edition.cnn.com", gw)
	}
	hr := s.Others[otherKey(GatewayAPIGroup, "HTTPRoute", "default", "direct-cnn")]
	if hr == nil || len(hr.ParentRefs) != 1 || hr.ParentRefs[0] != (Ref{Group: istioGroup, Kind: "ServiceEntry", Name: "cnn"}) || len(hr.BackendRefs) != 1 {
		t.Errorf("HTTPRoute = %+v, want parentRef ServiceEntry cnn and one backendRef", hr)
	}
	if tr := s.Others[otherKey(GatewayAPIGroup, "TLSRoute", "default", "cnn-tls")]; tr == nil {
		t.Errorf("TLSRoute default/cnn-tls not recorded; others: %v", SortedKeys(s.Others))
	}
	ap := s.Others[otherKey(securityGroup, "AuthorizationPolicy", "istio-system", "egress-deny")]
	if ap == nil || ap.Mode != "DENY" {
		t.Errorf("AuthorizationPolicy = %+v, want action DENY", ap)
	}
	if _, ok := s.Origin(ObjectID{Kind: "HTTPRoute." + GatewayAPIGroup, Namespace: "default", Name: "direct-cnn"}); !ok {
		t.Errorf("HTTPRoute has no origin")
	}
}

func writeManifest(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "objects.yaml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// forbiddenLoad loads as a user who may list EnvoyFilters only.
func forbiddenLoad(t *testing.T, c *testcluster.Cluster) *Snapshot {
	t.Helper()
	ctx := context.Background()
	kc := kubernetes.NewForConfigOrDie(c.RestConfig)
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "envoyfilters-only"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{istioGroup}, Resources: []string{"envoyfilters"}, Verbs: []string{"list"}}}}
	crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "envoyfilters-only"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "bob"}},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: cr.Name}}
	if _, err := kc.RbacV1().ClusterRoles().Create(ctx, cr, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg := rest.CopyConfig(c.RestConfig)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "bob", Groups: []string{"system:authenticated"}}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		l, err := NewLiveForConfig(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.LoadOthers(ctx); err != nil {
			t.Fatalf("LoadOthers as bob: %v", err)
		}
		if len(l.Snapshot().Others) == 1 || time.Now().After(deadline) {
			return l.Snapshot()
		}
	}
}
