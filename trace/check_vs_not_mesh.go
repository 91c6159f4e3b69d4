package trace

import "fmt"

var checkVSNotMesh = check{
	code: "EGR0202", level: LevelError, class: "B11",
	title: "VirtualService for the host does not apply to sidecars",
	doc: "The host's VirtualService lists only Gateways in `spec.gateways`, not `mesh`, so sidecars ignore it and " +
		"send the host straight out (or to PassthroughCluster): the egress gateway is never used.",
	run: runVSNotMesh,
}

func runVSNotMesh(a *analysis) []issue {
	if len(a.intent.GatewayVSs) == 0 {
		return nil
	}
	for _, vs := range a.intent.GatewayVSs {
		if bindsTo(vs, "mesh") {
			return nil
		}
	}
	vs := a.intent.GatewayVSs[0]
	return one(issue{object: vsName(vs), proxy: a.in.Client, hop: a.side.routeHop,
		message: fmt.Sprintf("%s binds only to gateways %v, not mesh; the sidecar of %s ignores it and sends %s:%d to %s", vsName(vs), vsGateways(vs), a.in.Client, a.target.Host, a.target.Port, orUnknown(a.side.clusterName)),
		fix:     "add \"mesh\" to spec.gateways and a rule matching gateways [mesh] that routes to the egress gateway Service"})
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown cluster"
	}
	return s
}
