package trace

import (
	"fmt"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

var checkHostNotInGateway = check{
	code: "EGR0204", level: LevelError, class: "B11",
	title: "Host missing from the Gateway's servers",
	doc: "The Gateway bound by the host's VirtualService has no server on the port the sidecar uses whose hosts " +
		"cover the host, so the gateway builds no listener, filter chain or virtual host for it.",
	run: runHostNotInGateway,
}

func runHostNotInGateway(a *analysis) []issue {
	g := a.intent.Gateway
	if g == nil {
		return nil
	}
	var out []issue
	for _, gw := range g.Gateways {
		if gatewayServes(gw, a.target.Host, g.Port) {
			return nil
		}
		out = append(out, issue{object: gwName(gw), hop: -1,
			message: fmt.Sprintf("%s has no server on port %d whose hosts include %s (servers: %s)", gwName(gw), g.Port, a.target.Host, serverList(gw)),
			fix:     fmt.Sprintf("add a server for port %d with hosts [%s] to the Gateway", g.Port, a.target.Host)})
	}
	return out
}

// gatewayServes reports whether a Gateway has a server on port covering host.
func gatewayServes(gw *networkingv1.Gateway, host string, port int) bool {
	return gatewayServer(gw, host, port) != nil
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
