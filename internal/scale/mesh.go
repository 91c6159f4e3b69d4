package scale

import (
	"fmt"
	"strconv"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	apiv1alpha3 "istio.io/api/networking/v1alpha3"
	apitype "istio.io/api/type/v1beta1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// MeshSize is how many generated objects of each kind a mesh gets.
type MeshSize struct {
	ServiceEntries, VirtualServices, DestinationRules, Pods, Secrets int
}

// Sized is the mesh shape at n Istio objects of each kind: n ServiceEntries,
// VirtualServices and DestinationRules, n/2 pods and n/10 credential Secrets
// (Sized(10000) is 10k/10k/10k/5k/1k).
func Sized(n int) MeshSize {
	return MeshSize{ServiceEntries: n, VirtualServices: n, DestinationRules: n, Pods: n / 2, Secrets: n / 10}
}

// Namespaces the generated objects spread over: ns-0 ... ns-(Namespaces-1).
const Namespaces = 100

// AddMesh adds size's objects to s: ServiceEntry se-N for ext-N.example.com (ports 80
// http, 443 tls, DNS, MESH_EXTERNAL) in ns-(N%100), a mesh VirtualService vs-N routing it,
// a DestinationRule dr-N for it; the first size.Secrets rules originate mutual TLS with
// credentialName cred-N, alternately at the egress gateway (rule and Secret in
// istio-system, no workloadSelector) and at sidecars (workloadSelector app=client-K, rule
// and Secret in ns-M). Pods pod-N carry a sidecar and app=client-(N/100%10). It returns the
// certificates of the Secrets by "namespace/name", as the file loader reads them.
func AddMesh(s *mesh.Snapshot, size MeshSize) (map[string]mesh.SecretCerts, error) {
	objs, certs, err := MeshObjects(size)
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		if err := s.Add(o, "scale"); err != nil {
			return nil, fmt.Errorf("add generated object: %w", err)
		}
	}
	return certs, nil
}

// MeshObjects returns the objects AddMesh adds (Namespaces first), to create them in a
// cluster, and the certificates of the Secrets by "namespace/name".
func MeshObjects(size MeshSize) ([]runtime.Object, map[string]mesh.SecretCerts, error) {
	pki, err := newPKI()
	if err != nil {
		return nil, nil, err
	}
	var objs []runtime.Object
	for m := range Namespaces {
		objs = append(objs, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: nsName(m), Labels: map[string]string{"istio-injection": "enabled"}}})
	}
	for i := range size.ServiceEntries {
		objs = append(objs, serviceEntry(i))
	}
	for i := range size.VirtualServices {
		objs = append(objs, virtualService(i))
	}
	for i := range size.DestinationRules {
		objs = append(objs, destinationRule(i, i < size.Secrets))
	}
	for i := range size.Pods {
		objs = append(objs, pod(i))
	}
	certs := map[string]mesh.SecretCerts{}
	for i := range size.Secrets {
		sec, err := pki.secret(credNamespace(i), credName(i))
		if err != nil {
			return nil, nil, err
		}
		objs = append(objs, sec)
		certs[mesh.Key(sec.Namespace, sec.Name)] = mesh.CertsOf(sec)
	}
	return objs, certs, nil
}

func nsName(m int) string    { return "ns-" + strconv.Itoa(m) }
func extHost(i int) string   { return "ext-" + strconv.Itoa(i) + ".example.com" }
func credName(i int) string  { return "cred-" + strconv.Itoa(i) }
func appLabel(i int) string  { return "client-" + strconv.Itoa(i/Namespaces%10) }
func gatewayCred(i int) bool { return i%2 == 0 }
func objectNS(i int) string  { return nsName(i % Namespaces) }
func meta(kind string, i int) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: kind + "-" + strconv.Itoa(i), Namespace: objectNS(i)}
}

func credNamespace(i int) string {
	if gatewayCred(i) {
		return mesh.DefaultIstioNamespace
	}
	return objectNS(i)
}

func serviceEntry(i int) *networkingv1.ServiceEntry {
	return &networkingv1.ServiceEntry{ObjectMeta: meta("se", i), Spec: apiv1alpha3.ServiceEntry{
		Hosts:      []string{extHost(i)},
		Ports:      []*apiv1alpha3.ServicePort{{Number: 80, Name: "http", Protocol: "HTTP"}, {Number: 443, Name: "tls", Protocol: "TLS"}},
		Resolution: apiv1alpha3.ServiceEntry_DNS, Location: apiv1alpha3.ServiceEntry_MESH_EXTERNAL,
	}}
}

func virtualService(i int) *networkingv1.VirtualService {
	dest := &apiv1alpha3.Destination{Host: extHost(i), Port: &apiv1alpha3.PortSelector{Number: 80}}
	return &networkingv1.VirtualService{ObjectMeta: meta("vs", i), Spec: apiv1alpha3.VirtualService{
		Hosts: []string{extHost(i)}, Gateways: []string{"mesh"},
		Http: []*apiv1alpha3.HTTPRoute{{Route: []*apiv1alpha3.HTTPRouteDestination{{Destination: dest}}}},
	}}
}

func destinationRule(i int, credential bool) *networkingv1.DestinationRule {
	dr := &networkingv1.DestinationRule{ObjectMeta: meta("dr", i), Spec: apiv1alpha3.DestinationRule{Host: extHost(i)}}
	tls := &apiv1alpha3.ClientTLSSettings{Mode: apiv1alpha3.ClientTLSSettings_SIMPLE, Sni: extHost(i)}
	if credential {
		tls.Mode, tls.CredentialName = apiv1alpha3.ClientTLSSettings_MUTUAL, credName(i)
		if gatewayCred(i) {
			dr.Namespace = mesh.DefaultIstioNamespace
		} else {
			dr.Spec.WorkloadSelector = &apitype.WorkloadSelector{MatchLabels: map[string]string{"app": appLabel(i)}}
		}
	}
	dr.Spec.TrafficPolicy = &apiv1alpha3.TrafficPolicy{PortLevelSettings: []*apiv1alpha3.TrafficPolicy_PortTrafficPolicy{
		{Port: &apiv1alpha3.PortSelector{Number: 443}, Tls: tls},
	}}
	return dr
}

func pod(i int) *corev1.Pod {
	m := meta("pod", i)
	m.Labels = map[string]string{"app": appLabel(i)}
	m.Annotations = map[string]string{mesh.SidecarStatusAnnotation: `{"containers":["istio-proxy"]}`}
	return &corev1.Pod{ObjectMeta: m,
		Spec:   corev1.PodSpec{ServiceAccountName: "default", Containers: []corev1.Container{{Name: "app"}, {Name: "istio-proxy"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: fmt.Sprintf("10.244.%d.%d", i>>8&255, i&255)},
	}
}
