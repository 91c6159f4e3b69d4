package trace

import (
	"fmt"
	"strings"
)

var checkPlaintextToTLS = check{
	code: "EGR0403", level: LevelError, class: "D21",
	title: "Plain HTTP sent to a TLS port",
	doc: "The client sends plain HTTP and no cluster on the path originates TLS, yet the upstream port is a TLS " +
		"port (443): the server answers `400 The plain HTTP request was sent to HTTPS port`. Usual causes: no " +
		"DestinationRule with `tls.mode: SIMPLE`, `portLevelSettings` keyed on the targetPort instead of the " +
		"ServiceEntry port, or a credentialName the sidecar ignores.",
	run: runPlaintextToTLS,
}

func runPlaintextToTLS(a *analysis) []issue {
	if !strings.HasPrefix(a.end.response, "400 plain HTTP") {
		return nil
	}
	lg := a.finalLeg()
	return one(issue{object: configObject(lg.cluster.Config), proxy: lg.proxy, hop: a.end.hop,
		message: fmt.Sprintf("cluster %s on %s sends plain HTTP to upstream port %d without TLS origination", lg.clusterName, lg.proxy, a.upstreamPort(lg)),
		fix:     fmt.Sprintf("add a DestinationRule for %s with portLevelSettings port %d (the ServiceEntry port, not the targetPort) tls {mode: SIMPLE}", a.target.Host, clusterPort(lg))})
}

func clusterPort(lg *leg) int {
	if lg.cluster != nil && lg.cluster.Istio != nil {
		return lg.cluster.Istio.Port
	}
	return 0
}
