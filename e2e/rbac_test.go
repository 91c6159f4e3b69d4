package e2e

import (
	"context"
	"path/filepath"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// TestRBACManifest applies deploy/rbac.yaml to a real kube-apiserver and asks it, with
// SubjectAccessReviews, what a member of the bound group may do: every permission the
// caveats document, and nothing more on secrets.
func TestRBACManifest(t *testing.T) {
	c := testcluster.Start(t)
	kc, err := kubernetes.NewForConfig(c.RestConfig)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "istio-system"}}
	if _, err := kc.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	c.Apply(t, filepath.Join(testcluster.RepoRoot(), "deploy", "rbac.yaml"))
	// Both bindings in effect before the reviews (the authorizer learns of them by watch).
	groups := []string{"kubectl-egress-users", "system:authenticated"}
	testcluster.WaitAllowed(t, kc, "alice", groups, authorizationv1.ResourceAttributes{Verb: "list", Resource: "pods"})
	testcluster.WaitAllowed(t, kc, "alice", groups, authorizationv1.ResourceAttributes{Verb: "get", Resource: "configmaps", Namespace: "istio-system", Name: "istio"})

	tests := []struct {
		name                                         string
		verb, group, resource, sub, namespace, named string
		want                                         bool
	}{
		{name: "list serviceentries everywhere", verb: "list", group: "networking.istio.io", resource: "serviceentries", want: true},
		{name: "get destinationrules", verb: "get", group: "networking.istio.io", resource: "destinationrules", namespace: "istio-system", want: true},
		{name: "list virtualservices", verb: "list", group: "networking.istio.io", resource: "virtualservices", namespace: "default", want: true},
		{name: "list gateways", verb: "list", group: "networking.istio.io", resource: "gateways", want: true},
		{name: "list sidecars", verb: "list", group: "networking.istio.io", resource: "sidecars", want: true},
		{name: "get pods", verb: "get", resource: "pods", namespace: "default", want: true},
		{name: "list pods", verb: "list", resource: "pods", want: true},
		{name: "list services", verb: "list", resource: "services", want: true},
		{name: "list networkpolicies", verb: "list", group: "networking.k8s.io", resource: "networkpolicies", want: true},
		{name: "list deployments", verb: "list", group: "apps", resource: "deployments", namespace: "default", want: true},
		{name: "get namespaces", verb: "get", resource: "namespaces", named: "default", want: true},
		{name: "port-forward to a proxy", verb: "create", resource: "pods", sub: "portforward", namespace: "istio-system", want: true},
		{name: "get a credential secret in istio-system", verb: "get", resource: "secrets", namespace: "istio-system", named: "client-credential", want: true},
		{name: "get mesh config", verb: "get", resource: "configmaps", namespace: "istio-system", named: "istio", want: true},
		{name: "no secrets list cluster-wide", verb: "list", resource: "secrets", want: false},
		{name: "no secrets list in istio-system", verb: "list", resource: "secrets", namespace: "istio-system", want: false},
		{name: "no secrets get outside istio-system", verb: "get", resource: "secrets", namespace: "default", named: "db-password", want: false},
		{name: "no other configmaps", verb: "get", resource: "configmaps", namespace: "istio-system", named: "istio-ca-root-cert", want: false},
		{name: "no writes to Istio objects", verb: "update", group: "networking.istio.io", resource: "serviceentries", namespace: "default", want: false},
		{name: "no pod deletes", verb: "delete", resource: "pods", namespace: "default", want: false},
		{name: "no exec", verb: "create", resource: "pods", sub: "exec", namespace: "default", want: false},
	}
	for _, k := range mesh.OtherKinds {
		tests = append(tests, struct {
			name                                         string
			verb, group, resource, sub, namespace, named string
			want                                         bool
		}{name: "list " + k.Resource + "." + k.Group + " everywhere", verb: "list", group: k.Group, resource: k.Resource, want: true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
				User:   "alice",
				Groups: []string{"kubectl-egress-users", "system:authenticated"},
				ResourceAttributes: &authorizationv1.ResourceAttributes{
					Verb: tt.verb, Group: tt.group, Resource: tt.resource, Subresource: tt.sub,
					Namespace: tt.namespace, Name: tt.named,
				},
			}}
			got, err := kc.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got.Status.Allowed != tt.want {
				t.Errorf("%s %s/%s %s in %q as group kubectl-egress-users: allowed = %v, want %v (%s)",
					tt.verb, tt.resource, tt.sub, tt.named, tt.namespace, got.Status.Allowed, tt.want, got.Status.Reason)
			}
		})
	}
	t.Run("a user outside the group gets nothing", func(t *testing.T) {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: "bob", Groups: []string{"system:authenticated"},
			ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "list", Resource: "pods"},
		}}
		got, err := kc.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status.Allowed {
			t.Errorf("list pods as bob (not in kubectl-egress-users): allowed, want denied")
		}
	})
}
