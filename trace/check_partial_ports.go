package trace

import (
	"fmt"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

var checkPartialPorts = check{
	code: "EGR0201", level: LevelWarning, class: "B10",
	title: "Only some ports of the host go through the egress gateway",
	doc: "The host's VirtualService sends some ServiceEntry ports to the egress gateway and leaves others to go " +
		"straight out from the sidecar (typically port 80 via the gateway and 443 direct). Egress policy enforced " +
		"at the gateway is then bypassed on the other ports.",
	run: runPartialPorts,
}

func runPartialPorts(a *analysis) []issue {
	if !a.gatewayIntended() || len(a.intent.SEs) == 0 {
		return nil
	}
	var via, direct []string
	for _, se := range a.intent.SEs {
		for _, p := range se.Spec.GetPorts() {
			port := int(p.GetNumber())
			if a.portViaGateway(port, protocolFor(p.GetProtocol(), port)) {
				via = append(via, fmt.Sprint(port))
			} else {
				direct = append(direct, fmt.Sprint(port))
			}
		}
	}
	if len(via) == 0 || len(direct) == 0 {
		return nil
	}
	return one(issue{object: seName(a.intent.SEs[0]), hop: -1,
		message: fmt.Sprintf("%s: port %s goes through the egress gateway, port %s goes directly from the sidecar", a.target.Host, strings.Join(via, ","), strings.Join(direct, ",")),
		fix:     "add mesh rules routing every declared port to the egress gateway, or remove the ports that must not be used"})
}

// portViaGateway reports whether the client's mesh route for port ends at a gateway Service.
func (a *analysis) portViaGateway(port int, proto string) bool {
	vs, d := a.routeForProto(a.clientNS, "mesh", port, proto)
	if d == nil {
		return false
	}
	svc := serviceForHost(a.snap, mesh.FQDN(d.GetHost(), vs.Namespace))
	return svc != nil && isGatewayService(a.snap, svc)
}
