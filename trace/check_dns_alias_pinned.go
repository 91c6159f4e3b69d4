package trace

import "strings"

var checkDNSAliasPinned = check{
	code: "EGR0510", level: LevelWarning, class: "E29",
	title: "hostAliases pin the host to a fixed address",
	doc: "The client pod's `spec.hostAliases` name the host, so the kubelet writes it into the pod's " +
		"/etc/hosts and the app connects to that address instead of asking DNS: a ServiceEntry's address, " +
		"Istio's DNS proxy and the host's real DNS answer are not used. The sidecar captures and matches the " +
		"connection by that address (a Service VIP listener there wins over the host's routing); HTTP and SNI " +
		"routes still match the host name, and DNS clusters resolve the host themselves. Without a sidecar " +
		"the request leaves the pod to that address.",
	run: runDNSAliasPinned,
}

func runDNSAliasPinned(a *analysis) []issue {
	al := a.dns.alias
	if al == nil || al.gateway {
		return nil
	}
	msg := "hostAliases of " + a.in.Client + " pin " + al.Host + " to " + al.IP.String()
	if w := al.what(); w != "" {
		msg += " (" + w + ")"
	}
	msg += ": the client connects there, not to a ServiceEntry address or the DNS answer; " + a.pinnedEffect()
	return one(issue{object: objName("Pod", a.client.Namespace, a.client.Name), hop: 0, message: msg,
		fix: "remove the hostAliases entry for " + al.Host + " from the pod template (spec.hostAliases) unless " + al.IP.String() + " is meant to serve it; route the host with a ServiceEntry instead"})
}

// pinnedEffect says what the fixed address changes on the path walked.
func (a *analysis) pinnedEffect() string {
	al := a.dns.alias
	switch {
	case !a.cap.captured:
		return "the request leaves the pod directly to " + al.IP.String()
	case a.aliasVIPListener():
		return "the sidecar matches listener " + a.side.listener.Name + " for that address, not the routing for " + al.Host
	case a.side.clusterName == passthroughCluster:
		return "PassthroughCluster forwards to " + al.IP.String()
	case a.side.cluster != nil && strings.Contains(a.side.cluster.Type, "DNS"):
		return "the sidecar routes by " + a.routedBy() + " to " + a.side.clusterName + ", which resolves " + al.Host +
			" itself (Envoy's resolver may read the same /etc/hosts: envoyproxy/envoy#39623)"
	}
	return "the sidecar routes by " + a.routedBy() + " as for the DNS answer"
}

// routedBy names what the sidecar matched the request on.
func (a *analysis) routedBy() string {
	if a.side.vhost != nil {
		return "the Host header"
	}
	if a.target.sendsTLS() {
		return "SNI"
	}
	return "port"
}
