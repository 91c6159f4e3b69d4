package trace

import (
	"fmt"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
)

var checkNetpolBlocks = check{
	code: "EGR0504", level: LevelError, class: "E30",
	title: "NetworkPolicy blocks the gateway, DNS or istiod",
	doc: "An egress NetworkPolicy selecting the client must allow the egress gateway pods on their targetPorts " +
		"(8080/8443, not the Service ports 80/443), DNS on UDP and TCP 53, and istiod on 15012; otherwise the " +
		"request, name resolution or the sidecar's configuration fail.",
	run: runNetpolBlocks,
}

func runNetpolBlocks(a *analysis) []issue {
	if a.client == nil || !mesh.HasSidecar(a.client) {
		return nil
	}
	pols := egressPolicies(a.snap, a.client)
	if len(pols) == 0 {
		return nil
	}
	var missing []string
	if g := a.intent.Gateway; g != nil && len(g.Pods) > 0 {
		gp := peer{ns: g.Pods[0].Namespace, labels: g.Pods[0].Labels}
		if !egressAllows(a.snap, pols, gp, corev1.ProtocolTCP, g.TargetPort) {
			m := fmt.Sprintf("the egress gateway pods on TCP %d", g.TargetPort)
			if egressAllows(a.snap, pols, gp, corev1.ProtocolTCP, g.Port) {
				m += fmt.Sprintf(" (port %d, the Service port, is allowed instead: policies see the pod's targetPort)", g.Port)
			}
			missing = append(missing, m)
		}
	}
	missing = append(missing, a.missingDNSAndIstiod(pols)...)
	if len(missing) == 0 {
		return nil
	}
	return one(issue{object: objName("NetworkPolicy", pols[0].Namespace, pols[0].Name), hop: 0,
		message: fmt.Sprintf("egress NetworkPolicies selecting %s do not allow %s", a.in.Client, strings.Join(missing, "; ")),
		fix:     "add egress rules for the egress gateway pods' targetPorts, DNS (UDP and TCP 53) and istiod (TCP 15012)"})
}

func (a *analysis) missingDNSAndIstiod(pols []*netv1.NetworkPolicy) []string {
	dns := peer{ns: "kube-system", labels: map[string]string{"k8s-app": "kube-dns"}}
	istiod := peer{ns: a.snap.IstioNamespace, labels: map[string]string{"app": "istiod", "istio": "pilot"}}
	var out []string
	for _, c := range []struct {
		what  string
		p     peer
		proto corev1.Protocol
		port  int
	}{{"DNS on UDP 53", dns, corev1.ProtocolUDP, 53}, {"DNS on TCP 53", dns, corev1.ProtocolTCP, 53}, {"istiod on TCP 15012", istiod, corev1.ProtocolTCP, 15012}} {
		if !egressAllows(a.snap, pols, c.p, c.proto, c.port) {
			out = append(out, c.what)
		}
	}
	return out
}
