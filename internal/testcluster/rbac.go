package testcluster

import (
	"context"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// ServiceAccountUser is the user name and groups a ServiceAccount's token authenticates as.
func ServiceAccountUser(namespace, name string) (string, []string) {
	return "system:serviceaccount:" + namespace + ":" + name,
		[]string{"system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"}
}

// WaitAllowed waits until the apiserver's RBAC authorizer, which learns of new Roles and
// bindings from its own watch a moment after they are created, allows user the access in
// attrs. Tests that create RBAC and then act as its subject call it first; it fails the
// test after 30s.
func WaitAllowed(t testing.TB, kc kubernetes.Interface, user string, groups []string, attrs authorizationv1.ResourceAttributes) {
	t.Helper()
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: user, Groups: groups, ResourceAttributes: &attrs}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := kc.AuthorizationV1().SubjectAccessReviews().Create(context.Background(), sar, metav1.CreateOptions{})
		if err == nil && got.Status.Allowed {
			return
		}
		if time.Now().After(deadline) {
			reason := ""
			if err != nil {
				reason = err.Error()
			} else {
				reason = got.Status.Reason
			}
			t.Fatalf("RBAC never allowed %s to %s %s in %q within 30s: %s", user,
				attrs.Verb, strings.Trim(attrs.Resource+"/"+attrs.Subresource, "/"), attrs.Namespace, reason)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
