package trace

var checkGatewayAPIRoute = check{
	code: "EGR0707", level: LevelWarning, class: "G",
	title: "A Gateway API route concerns the host",
	doc: "An `HTTPRoute`, `GRPCRoute`, `TLSRoute`, `TCPRoute` or `UDPRoute` has the host's ServiceEntry or Service as " +
		"parentRef (a mesh route), lists the host in `hostnames`, or sends to it as a backend. istiod turns it into " +
		"VirtualServices the trace does not see (Gateway API support is issue 19), so the routes from the client's sidecar " +
		"on are uncertain; with the sidecar's config dump its own hops are read from the dump, but not where they lead.",
	run: runGatewayAPIRoute,
}

func runGatewayAPIRoute(a *analysis) []issue {
	var out []issue
	for _, r := range a.routesOnPath() {
		if is, ok := a.unmodelled(r.String(), scopeRouting, a.routeOnPath(r), "Gateway API routes", true); ok {
			out = append(out, is)
		}
	}
	return out
}
