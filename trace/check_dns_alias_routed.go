package trace

import "strconv"

var checkDNSAliasRouted = check{
	code: "EGR0512", level: LevelInfo, class: "E29",
	title: "hostAliases send the host to the egress gateway; the sidecar still routes by name",
	doc: "The client's `spec.hostAliases` resolve the host to an egress gateway address, but the sidecar " +
		"serves that port on its wildcard listener (HTTP) and routes by the Host header or SNI, so the host's " +
		"own routing decides and the alias changes nothing on this path.",
	run: runDNSAliasRouted,
}

func runDNSAliasRouted(a *analysis) []issue {
	al := a.dns.alias
	if al == nil || !al.gateway || !a.cap.captured || a.aliasVIPListener() || a.dns.followed {
		return nil
	}
	l := "0.0.0.0_" + strconv.Itoa(a.target.Port)
	if a.side.listener != nil {
		l = a.side.listener.Name
	}
	return one(issue{object: objName("Pod", a.client.Namespace, a.client.Name), proxy: a.side.proxy, hop: 0,
		message: "hostAliases of " + a.in.Client + " send " + al.Host + " to " + al.IP.String() + " (" + al.what() + "); the sidecar takes it on " +
			l + " and routes by " + a.routedBy() + ", so the routing for " + al.Host + " applies",
		fix: "none needed; the entry can go (spec.hostAliases) since the sidecar routes the host by name"})
}
