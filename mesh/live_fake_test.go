package mesh

import (
	"context"
	"strings"
	"testing"

	istiofake "istio.io/client-go/pkg/clientset/versioned/fake"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// TestLiveWithFakes exercises the live loader's request counting, error wording and
// forbidden handling without an API server.
func TestLiveWithFakes(t *testing.T) {
	ctx := context.Background()
	kube := kubefake.NewClientset(
		newPod("sleep-1", withLabels("app", "sleep")),
		newDeployment("default", "sleep", map[string]string{"app": "sleep"}),
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "istio-system", Name: "istio"},
			Data: map[string]string{"mesh": "outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n"}},
	)
	forbid := func(resource string) k8stesting.ReactionFunc {
		return func(a k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: resource}, "x", nil)
		}
	}
	kube.PrependReactor("get", "secrets", forbid("secrets"))
	kube.PrependReactor("get", "services", forbid("services"))
	istio := istiofake.NewSimpleClientset(newSE("default", "cnn", "edition.cnn.com"), newDR("default", "cnn", "edition.cnn.com"))
	l := NewLive(kube, istio, nil)

	if err := l.LoadIstioConfig(ctx, nil); err != nil {
		t.Fatalf("LoadIstioConfig: %v", err)
	}
	pods, err := l.ResolveWorkload(ctx, "default", "deploy/sleep")
	if err != nil || len(pods) != 1 || pods[0].Name != "sleep-1" {
		t.Fatalf("ResolveWorkload(deploy/sleep) = %v, %v, want [sleep-1]", pods, err)
	}
	mc, err := l.LoadMeshConfig(ctx, "")
	if err != nil || !mc.Found || mc.OutboundTrafficPolicyMode != RegistryOnly {
		t.Errorf("LoadMeshConfig = %+v, %v, want found REGISTRY_ONLY", mc, err)
	}
	si, err := l.LoadSecret(ctx, "istio-system", "client-credential")
	if err != nil || si.Access != AccessForbidden {
		t.Errorf("LoadSecret(forbidden) = %+v, %v, want Access forbidden and no error", si, err)
	}
	_, err = l.LoadService(ctx, "default", "sleep")
	if want := "get service default/sleep: services \"x\" is forbidden"; err == nil || !strings.HasPrefix(err.Error(), want) ||
		!strings.HasSuffix(err.Error(), "; the trace needs get on services (see README, RBAC)") {
		t.Errorf("LoadService(forbidden) error = %v, want %q ... RBAC hint", err, want)
	}
	_, err = l.LoadPod(ctx, "default", "missing")
	if want := `get pod default/missing: pods "missing" not found`; err == nil || err.Error() != want {
		t.Errorf("LoadPod(missing) error = %v, want %q", err, want)
	}
	s := l.Snapshot()
	if len(s.ServiceEntriesForHost("edition.cnn.com")) != 1 || len(s.DestinationRulesForHost("edition.cnn.com")) != 1 {
		t.Errorf("snapshot lookups after live load: se=%v dr=%v", s.ServiceEntriesForHost("edition.cnn.com"), s.DestinationRulesForHost("edition.cnn.com"))
	}
	// 5 istio lists + get deployment + list pods + get configmap + get secret + get service + get pod.
	if got := l.Requests(); got != 11 {
		t.Errorf("Requests() = %d, want 11", got)
	}
}
