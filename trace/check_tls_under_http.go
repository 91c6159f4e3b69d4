package trace

import (
	"fmt"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

var checkTLSUnderHTTP = check{
	code: "EGR0209", level: LevelWarning, class: "B12",
	title: "VirtualService rule written for the wrong protocol",
	doc: "On a port declared HTTPS or TLS the sidecar builds a TLS (SNI) filter chain and only applies the " +
		"VirtualService's `tls:` (or `tcp:`) rules; `http:` rules matching that port are never used. Conversely " +
		"`tls:` rules on a port declared HTTP are ignored. The unreachable rule usually was the one sending the " +
		"host to the egress gateway, so the traffic goes direct.",
	run: runTLSUnderHTTP,
}

func runTLSUnderHTTP(a *analysis) []issue {
	proto := a.target.Protocol
	if p := a.intent.SEPort; p != nil && p.GetProtocol() != "" {
		proto = protocolFor(p.GetProtocol(), a.target.Port)
	}
	var out []issue
	for _, vs := range a.snap.VirtualServicesForHost(a.target.Host) {
		if !exportedTo(vs.Spec.GetExportTo(), vs.Namespace, a.clientNS) || !bindsTo(vs, "mesh") {
			continue
		}
		if kind := a.unreachableRules(vs, proto); kind != "" {
			out = append(out, issue{object: vsName(vs), proxy: a.in.Client, hop: a.side.routeHop,
				message: fmt.Sprintf("%s has %s rules for port %d, which carries %s: the sidecar never applies them", vsName(vs), kind, a.target.Port, strings.ToUpper(proto)),
				fix:     fmt.Sprintf("write the rule for port %d under %s (with match.sniHosts for TLS), or declare the port's protocol as the rule expects", a.target.Port, wantedSection(proto))})
		}
	}
	return out
}

// unreachableRules names the rule kind of vs that applies to the target port but
// cannot be used for proto: "http" on a TLS port, "tls" on an HTTP port.
func (a *analysis) unreachableRules(vs *networkingv1.VirtualService, proto string) string {
	port := a.target.Port
	switch proto {
	case "https", "tls":
		explicit, applies := false, false
		for _, r := range vs.Spec.GetHttp() {
			if httpRuleApplies(vs, r, "mesh", port) {
				applies = true
				for _, m := range r.GetMatch() {
					explicit = explicit || int(m.GetPort()) == port
				}
			}
		}
		if explicit || (applies && len(vs.Spec.GetTls()) == 0 && len(vs.Spec.GetTcp()) == 0) {
			return "http"
		}
	case "http":
		for _, r := range vs.Spec.GetTls() {
			if a.tlsRuleApplies(vs, r, "mesh", port) && (len(vs.Spec.GetHttp()) == 0 || explicitTLSPort(r.GetMatch(), port)) {
				return "tls"
			}
		}
	}
	return ""
}

func explicitTLSPort[M interface{ GetPort() uint32 }](ms []M, port int) bool {
	for _, m := range ms {
		if int(m.GetPort()) == port {
			return true
		}
	}
	return false
}

func wantedSection(proto string) string {
	if proto == "http" {
		return "http:"
	}
	return "tls:"
}
