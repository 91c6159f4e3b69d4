package trace

import (
	"fmt"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

var checkHostNotInGateway = check{
	code: "EGR0204", level: LevelError, class: "B11",
	title: "Host missing from the Gateway's servers",
	doc: "The Gateway bound by the host's VirtualService has no server whose hosts cover the host on the port the " +
		"sidecar's traffic arrives at (the gateway Service's targetPort: istiod listens on a server port's " +
		"targetPort when a gateway Service port has that number, else on the server port itself), so the gateway " +
		"builds no listener, filter chain or virtual host for it.",
	run: runHostNotInGateway,
}

func runHostNotInGateway(a *analysis) []issue {
	g := a.intent.Gateway
	if g == nil || (a.dns.alias != nil && a.dns.followed && a.dns.alias.pod != nil) {
		return nil // reached at a gateway pod's IP, skipping the Service's port mapping: EGR0517
	}
	hop := -1 // the gateway listener the traffic arrives at, when the walk has it
	if a.gw != nil {
		hop = a.gw.listenerHop
	}
	var out []issue
	for _, gw := range g.Gateways {
		if a.arrivalServer(gw) != nil {
			return nil
		}
		where := fmt.Sprintf("port %d", g.Port)
		if port, _ := a.arrival(); port != g.Port {
			where = fmt.Sprintf("listener port %d (the request arrives on the gateway pod's port %d)", port, port)
		}
		out = append(out, issue{object: gwName(gw), hop: hop,
			message: fmt.Sprintf("%s has no server on %s whose hosts include %s (servers: %s)", gwName(gw), where, a.target.Host, serverList(gw)),
			fix:     fmt.Sprintf("add a server for port %d (or %d, the targetPort) with hosts [%s] to the Gateway", g.Port, g.TargetPort, a.target.Host)})
	}
	return out
}

func serverList(gw *networkingv1.Gateway) string {
	var parts []string
	for _, s := range gw.Spec.GetServers() {
		parts = append(parts, fmt.Sprintf("%d %s %v", s.GetPort().GetNumber(), s.GetPort().GetProtocol(), s.GetHosts()))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}
