package trace

import (
	"fmt"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

var checkHTTPOn443 = check{
	code: "EGR0103", level: LevelError, class: "A2",
	title: "HTTP ServiceEntry port on a TLS port captures the port",
	doc: "A ServiceEntry (visible to the client) that declares port 443 (or the traced TLS port) with protocol HTTP " +
		"puts a plaintext HTTP filter chain on the sidecar's `0.0.0.0_443`. TLS to hosts without their own SNI " +
		"chain then matches nothing and falls to the default chain (BlackHoleCluster under REGISTRY_ONLY, " +
		"PassthroughCluster under ALLOW_ANY).",
	run: runHTTPOn443,
}

func runHTTPOn443(a *analysis) []issue {
	if !tlsPort(a.target.Port) && !a.target.sendsTLS() {
		return nil
	}
	var out []issue
	for _, se := range a.httpSEsOnPort() {
		out = append(out, issue{object: seName(se), proxy: a.in.Client, hop: a.side.listenerHop,
			message: fmt.Sprintf("%s declares port %d with protocol HTTP for %v: the sidecar's 0.0.0.0_%d gets a plaintext HTTP chain and TLS without its own SNI chain is not routed", seName(se), a.target.Port, se.Spec.GetHosts(), a.target.Port),
			fix:     fmt.Sprintf("declare port %d as HTTPS or TLS; to send plain HTTP and originate TLS, use port 80 with targetPort %d and a DestinationRule with tls SIMPLE", a.target.Port, a.target.Port)})
	}
	return out
}

// httpSEsOnPort lists the ServiceEntries visible to the client that declare the target
// port with an HTTP protocol while it is a TLS port.
func (a *analysis) httpSEsOnPort() []*networkingv1.ServiceEntry {
	if !tlsPort(a.target.Port) {
		return nil
	}
	var out []*networkingv1.ServiceEntry
	for _, se := range a.snap.ServiceEntriesOnPort(a.target.Port, httpProtocols...) {
		if exportedTo(se.Spec.GetExportTo(), se.Namespace, a.clientNS) {
			out = append(out, se)
		}
	}
	return out
}
