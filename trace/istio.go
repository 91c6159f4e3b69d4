package trace

import (
	"slices"
	"strconv"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	apiv1alpha3 "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// The small pieces of Istio's grammar trace needs, re-implemented (see STYLE.md §4).

// exportToAnnotation is read from Services; support bundles keep it (mesh.Redact).
const exportToAnnotation = mesh.ExportToAnnotation

// exportedTo reports whether an object of namespace objNS with exportTo list is visible to
// proxies in namespace ns. An empty list means "*" (Istio's default).
func exportedTo(exportTo []string, objNS, ns string) bool {
	if len(exportTo) == 0 {
		return true
	}
	for _, e := range exportTo {
		switch e {
		case "*":
			return true
		case ".":
			if objNS == ns {
				return true
			}
		case ns:
			return true
		}
	}
	return false
}

// serviceExportTo reads a Service's exportTo annotation.
func serviceExportTo(svc *corev1.Service) []string {
	v := svc.Annotations[exportToAnnotation]
	if v == "" {
		return nil
	}
	var out []string
	for _, f := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(f))
	}
	return out
}

// hostMatches reports whether an Istio host (exact or "*.suffix") covers host.
func hostMatches(pattern, host string) bool {
	pattern, host = strings.ToLower(pattern), strings.ToLower(host)
	if pattern == host || pattern == "*" {
		return true
	}
	return strings.HasPrefix(pattern, "*.") && strings.HasSuffix(host, pattern[1:])
}

// anyHostMatches reports whether one of patterns (relative to namespace ns) covers host.
func anyHostMatches(patterns []string, ns, host string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return hostMatches(mesh.FQDN(p, ns), host) })
}

// serviceForHost returns the Kubernetes Service a cluster-local host names, or nil.
func serviceForHost(s *mesh.Snapshot, host string) *corev1.Service {
	ns, name, ok := mesh.ServiceKeyForHost(host)
	if !ok {
		return nil
	}
	return s.Services[mesh.Key(ns, name)]
}

// serviceHost is the FQDN of a Service.
func serviceHost(svc *corev1.Service) string {
	return svc.Name + "." + svc.Namespace + ".svc.cluster.local"
}

// targetPort returns the container port a Service port forwards to; port itself when the
// Service does not declare it or uses a named targetPort.
func targetPort(svc *corev1.Service, port int) int {
	for _, p := range svc.Spec.Ports {
		if int(p.Port) != port {
			continue
		}
		if p.TargetPort.IntValue() > 0 {
			return p.TargetPort.IntValue()
		}
		return port
	}
	return port
}

// servicePods returns the pods a Service selects, sorted by name.
func servicePods(s *mesh.Snapshot, svc *corev1.Service) []*corev1.Pod {
	if len(svc.Spec.Selector) == 0 {
		return nil
	}
	return s.PodsMatching(svc.Namespace, labels.SelectorFromSet(svc.Spec.Selector))
}

// gatewaySelects reports whether a Gateway's selector matches a pod (any namespace, as
// istiod does by default).
func gatewaySelects(gw *networkingv1.Gateway, pod *corev1.Pod) bool {
	sel := gw.Spec.GetSelector()
	return len(sel) > 0 && labels.SelectorFromSet(sel).Matches(labels.Set(pod.Labels))
}

// gatewayRef resolves a VirtualService's gateway name ("name" or "ns/name") to a key.
func gatewayRef(name, vsNS string) string {
	if strings.Contains(name, "/") {
		return name
	}
	return mesh.Key(vsNS, name)
}

// vsGateways returns the gateways a VirtualService applies to ("mesh" when none).
func vsGateways(vs *networkingv1.VirtualService) []string {
	if g := vs.Spec.GetGateways(); len(g) > 0 {
		return g
	}
	return []string{"mesh"}
}

// isGatewayService reports whether svc fronts an egress/ingress gateway: its pods are
// gateway pods (isGatewayPod), or, where its pods are not known, its labels are those of
// Istio's egress gateway chart (istio=egressgateway). A Service's name decides nothing.
func isGatewayService(s *mesh.Snapshot, svc *corev1.Service) bool {
	pods := servicePods(s, svc)
	if len(pods) == 0 {
		return svc.Labels["istio"] == "egressgateway"
	}
	return slices.ContainsFunc(pods, func(p *corev1.Pod) bool { return isGatewayPod(s, p) })
}

// portTLS returns the TLS settings a traffic policy applies on port (port-level first).
func portTLS(tp *apiv1alpha3.TrafficPolicy, port int) *apiv1alpha3.ClientTLSSettings {
	for _, pl := range tp.GetPortLevelSettings() {
		if int(pl.GetPort().GetNumber()) == port && pl.GetTls() != nil {
			return pl.GetTls()
		}
	}
	return tp.GetTls()
}

// drTLS returns the TLS a DestinationRule sets for subset on port (subset policy first).
func drTLS(dr *networkingv1.DestinationRule, subset string, port int) *apiv1alpha3.ClientTLSSettings {
	for _, ss := range dr.Spec.GetSubsets() {
		if ss.GetName() == subset && subset != "" {
			if t := portTLS(ss.GetTrafficPolicy(), port); t != nil {
				return t
			}
		}
	}
	return portTLS(dr.Spec.GetTrafficPolicy(), port)
}

// hasSubset reports whether a DestinationRule defines subset.
func hasSubset(dr *networkingv1.DestinationRule, subset string) bool {
	return slices.ContainsFunc(dr.Spec.GetSubsets(), func(ss *apiv1alpha3.Subset) bool { return ss.GetName() == subset })
}

// objName renders "Kind ns/name".
func objName(kind, ns, name string) string { return kind + " " + ns + "/" + name }

// podName names a proxy ("namespace/pod") as an object.
func podName(proxy string) string { return "Pod " + proxy }

// sdsObject names the object behind an SDS secret a proxy uses: the Secret of a
// kubernetes://NAME (or NAME-cacert, the CA of credential NAME) in the proxy's namespace,
// else the proxy's pod (file-mounted certificates, the workload's own identity).
func sdsObject(sds, proxy string) string {
	if name, ok := strings.CutPrefix(sds, "kubernetes://"); ok && name != "" {
		return objName("Secret", namespaceOf(proxy), strings.TrimSuffix(name, "-cacert"))
	}
	return podName(proxy)
}

func seName(se *networkingv1.ServiceEntry) string {
	return objName("ServiceEntry", se.Namespace, se.Name)
}
func vsName(vs *networkingv1.VirtualService) string {
	return objName("VirtualService", vs.Namespace, vs.Name)
}
func drName(dr *networkingv1.DestinationRule) string {
	return objName("DestinationRule", dr.Namespace, dr.Name)
}
func gwName(gw *networkingv1.Gateway) string { return objName("Gateway", gw.Namespace, gw.Name) }

// clusterName renders Istio's outbound cluster name.
func clusterName(port int, subset, host string) string {
	return "outbound|" + strconv.Itoa(port) + "|" + subset + "|" + host
}

// isHTTPProtocol reports whether an Istio port protocol is plaintext HTTP.
func isHTTPProtocol(p string) bool { return slices.Contains(httpProtocols, strings.ToUpper(p)) }

// httpProtocols are the Istio port protocols served by an HTTP filter chain.
var httpProtocols = []string{"HTTP", "HTTP2", "GRPC", "GRPC-WEB"}

// isTLSProtocol reports whether an Istio port protocol carries client TLS.
func isTLSProtocol(p string) bool {
	switch strings.ToUpper(p) {
	case "HTTPS", "TLS":
		return true
	}
	return false
}

// serverCovers reports whether a Gateway server's hosts ("host" or "ns/host") cover host.
func serverCovers(s *apiv1alpha3.Server, host string) bool {
	for _, h := range s.GetHosts() {
		if i := strings.Index(h, "/"); i >= 0 {
			h = h[i+1:]
		}
		if hostMatches(h, host) {
			return true
		}
	}
	return false
}
