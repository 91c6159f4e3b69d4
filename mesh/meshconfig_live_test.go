package mesh

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
)

// TestLiveMeshConfigUnparseable reads a mesh config whose `mesh` key is not YAML from a
// real apiserver: the mode is unknown, the error and the ConfigMap key are recorded.
func TestLiveMeshConfigUnparseable(t *testing.T) {
	c := testcluster.Start(t)
	kc := kubernetes.NewForConfigOrDie(c.RestConfig)
	ctx := context.Background()
	if _, err := kc.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "istio-system"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "istio", Namespace: "istio-system"},
		Data: map[string]string{"mesh": "outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n rootNamespace: [\n"}}
	if _, err := kc.CoreV1().ConfigMaps("istio-system").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	l, err := NewLiveForConfig(c.RestConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	mc, err := l.LoadMeshConfig(ctx, "istio-system")
	if err != nil || mc.OutboundTrafficPolicyMode != ModeUnknown || mc.ParseError == "" ||
		mc.Key != "ConfigMap istio-system/istio key mesh" || !strings.HasPrefix(mc.ParseError, "yaml: ") {
		t.Errorf("LoadMeshConfig = %+v, %v; want mode unknown, a yaml parse error and the key named", mc, err)
	}
}
