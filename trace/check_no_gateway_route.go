package trace

import (
	"fmt"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

var checkNoGatewayRoute = check{
	code: "EGR0203", level: LevelError, class: "B11",
	title: "Egress gateway has no route for the host",
	doc: "The sidecar sends the host to the egress gateway, but no VirtualService bound to the Gateway routes it " +
		"on that port: the gateway has no virtual host (`404 NR`) or no SNI filter chain (connection reset).",
	run: runNoGatewayRoute,
}

func runNoGatewayRoute(a *analysis) []issue {
	g := a.intent.Gateway
	if g == nil && a.gw == nil {
		return nil
	}
	actual := a.gw != nil && a.gw.listener != nil && (a.gw.chain == nil || (a.gw.routeConfig != nil && a.gw.vhost == nil))
	intentMissing := g != nil && len(g.Gateways) > 0 && !a.anyGatewayRoute(g)
	if !actual && !intentMissing {
		return nil
	}
	obj, proxy, hop := "", "", -1
	if a.gw != nil {
		proxy, hop = a.gw.proxy, a.gw.listenerHop
		if a.gw.routeHop >= 0 {
			hop = a.gw.routeHop
		}
	}
	if g != nil && len(g.Gateways) > 0 {
		obj = gwName(g.Gateways[0])
	}
	return one(issue{object: obj, proxy: proxy, hop: hop,
		message: fmt.Sprintf("no VirtualService bound to the egress Gateway routes %s on port %d; the gateway answers %s", a.target.Host, a.gatewayPort(), gatewayNoRouteResponse(a)),
		fix:     "bind a VirtualService for the host to the Gateway (spec.gateways), with a rule matching that Gateway and port, routing to the external host"})
}

// anyGatewayRoute reports whether some VirtualService bound to one of the Gateways routes the
// host on the server the traffic arrives at. Gateways without such a server are skipped:
// there is no listener to route on (EGR0204), so none of them is a missing route.
func (a *analysis) anyGatewayRoute(g *gatewayIntent) bool {
	served := false
	for _, gw := range g.Gateways {
		if a.arrivalServer(gw) == nil {
			continue
		}
		served = true
		if _, d := a.routeFor(g.Service.Namespace, mesh.Key(gw.Namespace, gw.Name), a.gatewayMatchPort(gw, g.Port)); d != nil {
			return true
		}
	}
	return !served
}

// gatewayPort is the gateway Service port the sidecar sends to.
func (a *analysis) gatewayPort() int {
	if c := a.side.cluster; c != nil && c.Istio != nil {
		return c.Istio.Port
	}
	if g := a.intent.Gateway; g != nil {
		return g.Port
	}
	return a.target.Port
}

func gatewayNoRouteResponse(a *analysis) string {
	if a.gw != nil && a.gw.sni != "" {
		return "connection reset (no SNI filter chain)"
	}
	return "404 NR"
}
