package trace

import (
	"fmt"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

var checkTCPCatchAll = check{
	code: "EGR0107", level: LevelError, class: "A3",
	title: "TCP ServiceEntry without addresses captures the whole port",
	doc: "A ServiceEntry port with protocol TCP and no `addresses` cannot be told apart by destination IP or SNI, " +
		"so istiod gives it a filter chain on the sidecar's `0.0.0.0_<port>` with no `server_names` and no " +
		"prefix ranges: it catches every connection on that port that no more specific chain claims, and sends " +
		"it to that ServiceEntry's host. With several such ServiceEntries on one port only one wins (class A4).",
	run: runTCPCatchAll,
}

func runTCPCatchAll(a *analysis) []issue {
	if p := a.intent.SEPort; p != nil && isTLSProtocol(p.GetProtocol()) {
		return nil // the host has its own SNI chain, which wins over the catch-all
	}
	var out []issue
	for _, se := range a.snap.ServiceEntriesOnPort(a.target.Port, "TCP") {
		if !tcpCatchAll(se, a.target.Port) || !exportedTo(se.Spec.GetExportTo(), se.Namespace, a.clientNS) ||
			anyHostMatches(se.Spec.GetHosts(), se.Namespace, a.target.Host) {
			continue
		}
		msg := fmt.Sprintf("%s declares TCP port %d for %v without addresses: the sidecar's 0.0.0.0_%d catches all traffic on the port, so %s:%d goes to %s",
			seName(se), a.target.Port, se.Spec.GetHosts(), a.target.Port, a.target.Host, a.target.Port, strings.Join(se.Spec.GetHosts(), ","))
		if a.catchAllInDump(se) {
			msg += fmt.Sprintf(" (the dump's chain %s sends it to %s)", a.side.chain.Name, a.side.clusterName)
		}
		out = append(out, issue{object: seName(se), proxy: a.in.Client, hop: a.side.listenerHop, message: msg,
			fix: fmt.Sprintf("give %s spec.addresses (the external IPs or CIDR), or declare the port as TLS with the hosts so SNI separates them", seName(se))})
	}
	return out
}

// tcpCatchAll reports whether se declares port as TCP without addresses.
func tcpCatchAll(se *networkingv1.ServiceEntry, port int) bool {
	if len(se.Spec.GetAddresses()) > 0 {
		return false
	}
	for _, p := range se.Spec.GetPorts() {
		if int(p.GetNumber()) == port && strings.EqualFold(p.GetProtocol(), "TCP") {
			return true
		}
	}
	return false
}

// catchAllInDump reports whether the sidecar walk went through a tcp_proxy chain without
// server_names to one of se's hosts.
func (a *analysis) catchAllInDump(se *networkingv1.ServiceEntry) bool {
	fc := a.side.chain
	if fc == nil || fc.TCP() == nil || len(fc.Match.ServerNames) > 0 || len(fc.Match.PrefixRanges) > 0 {
		return false
	}
	n, ok := envoy.ParseClusterName(a.side.clusterName)
	return ok && anyHostMatches(se.Spec.GetHosts(), se.Namespace, n.Host)
}
