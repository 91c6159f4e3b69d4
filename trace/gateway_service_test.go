package trace

import (
	"testing"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestIsGatewayService: a Service is a gateway's when its pods run Istio's proxy as a router
// or a Gateway selects them; its name decides nothing, and the chart's istio=egressgateway
// label counts only where the pods are not known.
func TestIsGatewayService(t *testing.T) {
	pod := func(name string, lbl map[string]string, args ...string) *corev1.Pod {
		p := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "egress", Labels: lbl}}
		p.Spec.Containers = []corev1.Container{{Name: "istio-proxy", Args: args}}
		return p
	}
	svc := func(name string, sel, lbl map[string]string) *corev1.Service {
		return &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "egress", Labels: lbl}, Spec: corev1.ServiceSpec{Selector: sel}}
	}
	gw := &networkingv1.Gateway{TypeMeta: metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "Gateway"},
		ObjectMeta: metav1.ObjectMeta{Name: "selected", Namespace: "egress"}}
	gw.Spec.Selector = map[string]string{"app": "selected"}
	tests := []struct {
		name string
		svc  *corev1.Service
		pods []*corev1.Pod
		want bool
	}{
		{"named like a gateway, plain pods", svc("legacy-egressgateway-proxy", map[string]string{"app": "nginx"}, nil),
			[]*corev1.Pod{pod("nginx-1", map[string]string{"app": "nginx"}, "nginx")}, false},
		{"custom labels, router pods, no Gateway", svc("egress-proxy", map[string]string{"istio": "my-egress"}, nil),
			[]*corev1.Pod{pod("egress-proxy-1", map[string]string{"istio": "my-egress"}, "proxy", "router", "--domain", "egress.svc.cluster.local")}, true},
		{"Gateway API deployment", svc("cnn-egress-istio", map[string]string{mesh.GatewayNameLabel: "cnn-egress"}, nil),
			[]*corev1.Pod{pod("cnn-egress-istio-1", map[string]string{mesh.GatewayNameLabel: "cnn-egress"})}, true},
		{"pods a Gateway selects", svc("selected", map[string]string{"app": "selected"}, nil),
			[]*corev1.Pod{pod("selected-1", map[string]string{"app": "selected"}, "proxy", "sidecar")}, true},
		{"chart labels, pods not known", svc("istio-egressgateway", map[string]string{"istio": "egressgateway"}, map[string]string{"istio": "egressgateway"}), nil, true},
		{"chart labels on a plain pod's Service", svc("istio-egressgateway", map[string]string{"app": "nginx"}, map[string]string{"istio": "egressgateway"}),
			[]*corev1.Pod{pod("nginx-1", map[string]string{"app": "nginx"}, "nginx")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mesh.NewSnapshot("istio-system")
			for _, p := range tt.pods {
				if err := s.Add(p, "test"); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Add(gw, "test"); err != nil {
				t.Fatal(err)
			}
			if got := isGatewayService(s, tt.svc); got != tt.want {
				t.Errorf("isGatewayService(%s) = %v, want %v", tt.svc.Name, got, tt.want)
			}
		})
	}
}
