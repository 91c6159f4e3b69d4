package trace

import (
	"fmt"
	"strings"
)

var checkGatewayPort = check{
	code: "EGR0208", level: LevelError, class: "B14",
	title: "Egress gateway has no listener on the Service's targetPort",
	doc: "The sidecar sends to the gateway Service port, which the Service maps to a targetPort (80→8080, " +
		"443→8443). The gateway builds listeners from the Gateway servers' port numbers mapped the same way; when " +
		"the Gateway server port or the Service targetPort differ, the gateway has no `0.0.0.0_<targetPort>`.",
	run: runGatewayPort,
}

func runGatewayPort(a *analysis) []issue {
	if a.gw == nil || a.gw.dump == nil || a.gw.listener != nil || a.gw.proxy == "" {
		return nil
	}
	var have []string
	for _, l := range a.gw.dump.Listeners {
		if strings.HasPrefix(l.Name, "0.0.0.0_") {
			have = append(have, l.Name)
		}
	}
	gt := a.gatewayTargetFor()
	if gt.service == nil { // reached at a pod IP (hostAliases): EGR0517
		return nil
	}
	return one(issue{object: objName("Service", gt.service.Namespace, gt.service.Name), proxy: a.gw.proxy, hop: len(a.rep.Hops) - 1,
		message: fmt.Sprintf("Service port %d → targetPort %d, but %s has no listener 0.0.0.0_%d (it has %v)", gt.port, gt.targetPort, a.gw.proxy, gt.targetPort, have),
		fix:     "make a Gateway server use the Service port the sidecar sends to, and the Service targetPort the gateway pod listens on"})
}
