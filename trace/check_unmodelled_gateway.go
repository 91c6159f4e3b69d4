package trace

import (
	"slices"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

var checkGatewayAPIGateway = check{
	code: "EGR0708", level: LevelWarning, class: "G",
	title: "A Gateway API Gateway is on the path",
	doc: "A Gateway API `Gateway` (class `istio`: an egress gateway istiod deploys) or a `ListenerSet` has a listener " +
		"for the host, or a route for the host attaches to it. The trace does not model Gateway API gateways (issue 19), " +
		"so the request may go through it although the hops below do not show it. Waypoints (class `istio-waypoint`) " +
		"are reported with ambient capture (EGR0711).",
	run: runGatewayAPIGateway,
}

func runGatewayAPIGateway(a *analysis) []issue {
	routes := a.routesOnPath()
	var out []issue
	for _, g := range a.othersOf(gwAPI, "Gateway", "ListenerSet") {
		if slices.Contains(waypointClasses, g.GatewayClassName) {
			continue
		}
		why := a.gatewayOnPath(g, routes)
		if why == "" {
			continue
		}
		if is, ok := a.unmodelled(g.String(), scopeRouting, why, "Gateway API gateways", true); ok {
			out = append(out, is)
		}
	}
	return out
}

// gatewayOnPath says why a Gateway API Gateway or ListenerSet is on the host's path, or "".
func (a *analysis) gatewayOnPath(g *mesh.Other, routes []*mesh.Other) string {
	if slices.ContainsFunc(g.Hostnames, func(h string) bool { return hostMatches(h, a.target.Host) }) {
		return "has a listener for " + a.target.Host
	}
	for _, r := range routes {
		for _, p := range r.ParentRefs {
			if (p.Kind == "" || p.Kind == g.Kind) && p.Name == g.Name && refNS(p, r.Namespace) == g.Namespace {
				return "serves " + r.String() + ", a route for " + a.target.Host
			}
		}
	}
	return ""
}
