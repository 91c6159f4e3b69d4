package trace

import (
	"fmt"
	"slices"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

var checkDNSAliasPodPort = check{
	code: "EGR0517", level: LevelError, class: "B14",
	title: "hostAliases point the host at a gateway pod IP on a port it does not listen on",
	doc: "The client's `spec.hostAliases` resolve the host to an egress gateway pod's own IP, so the connection " +
		"goes to that pod on the client's port: no Service maps it to the targetPort the gateway listens on " +
		"(80→8080, 443→8443), and the gateway has no listener `0.0.0.0_<port>`: the connection is refused.",
	run: runDNSAliasPodPort,
}

func runDNSAliasPodPort(a *analysis) []issue {
	al := a.dns.alias
	if al == nil || al.pod == nil || !a.dns.followed || a.gw == nil || a.gw.listener != nil || a.end.kind != Blocked || a.end.hop != a.gwListenerHop() {
		return nil
	}
	port := a.target.Port
	msg := fmt.Sprintf("hostAliases of %s send %s to %s, the IP of gateway pod %s/%s, which has no listener 0.0.0.0_%d", a.in.Client, al.Host, al.IP, al.pod.Namespace, al.pod.Name, port)
	fix := "point the hostAliases entry at the gateway Service's cluster IP, or drop it and route " + al.Host + " with a VirtualService"
	for _, k := range mesh.SortedKeys(a.snap.Services) {
		if svc := a.snap.Services[k]; slices.Contains(servicePods(a.snap, svc), al.pod) && targetPort(svc, port) != port {
			msg += fmt.Sprintf(" (Service %s/%s maps port %d → targetPort %d; a pod IP skips that mapping)", svc.Namespace, svc.Name, port, targetPort(svc, port))
			break
		}
	}
	return one(issue{object: objName("Pod", a.client.Namespace, a.client.Name), proxy: a.gw.proxy, hop: a.gwListenerHop(), message: msg, fix: fix})
}

// gwListenerHop is the gateway listener hop, else the last hop.
func (a *analysis) gwListenerHop() int {
	for i := len(a.rep.Hops) - 1; i >= 0; i-- {
		if a.rep.Hops[i].Kind == HopGatewayListener {
			return i
		}
	}
	return len(a.rep.Hops) - 1
}
