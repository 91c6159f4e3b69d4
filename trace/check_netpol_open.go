package trace

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

var checkNetpolOpen = check{
	code: "EGR0503", level: LevelWarning, class: "E30",
	title: "NetworkPolicy does not force egress through the gateway",
	doc: "Routing through the egress gateway is only a control if the client cannot reach the host directly. " +
		"No egress NetworkPolicy selects the client, or one allows the host's port to any address (`0.0.0.0/0`), " +
		"so a pod that skips its sidecar (capture annotations, a container running as UID 1337, no injection) " +
		"goes straight out.",
	run: runNetpolOpen,
}

func runNetpolOpen(a *analysis) []issue {
	if a.client == nil || a.intent.Gateway == nil {
		return nil
	}
	pols := egressPolicies(a.snap, a.client)
	msg := ""
	switch {
	case len(pols) == 0:
		msg = fmt.Sprintf("no egress NetworkPolicy selects %s; it can reach %s:%d without the egress gateway", a.in.Client, a.target.Host, a.target.Port)
	case egressAllows(a.snap, pols, peer{external: true}, corev1.ProtocolTCP, a.target.Port):
		msg = fmt.Sprintf("egress NetworkPolicies of %s allow port %d to any address, so %s is reachable without the egress gateway", a.in.Client, a.target.Port, a.target.Host)
	default:
		return nil
	}
	return one(issue{object: objName("Pod", a.client.Namespace, a.client.Name), hop: 0, message: msg,
		fix: "add an egress NetworkPolicy for the client allowing only the egress gateway pods (their targetPorts), DNS (UDP and TCP 53) and istiod (15012)"})
}
