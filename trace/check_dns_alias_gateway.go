package trace

var checkDNSAliasGateway = check{
	code: "EGR0511", level: LevelWarning, class: "E29",
	title: "hostAliases send the host to the egress gateway around the sidecar's routing",
	doc: "The client's `spec.hostAliases` resolve the host to an egress gateway's cluster IP or pod IP. The " +
		"sidecar matches the connection by destination address: for a non-HTTP gateway port the listener of " +
		"the gateway's cluster IP takes it (or PassthroughCluster forwards it there), so the VirtualService, " +
		"DestinationRule subset and TLS settings for the host are skipped and the gateway gets the request on " +
		"the plain gateway Service cluster.",
	run: runDNSAliasGateway,
}

func runDNSAliasGateway(a *analysis) []issue {
	al := a.dns.alias
	if al == nil || !al.gateway || !a.cap.captured || !(a.aliasVIPListener() || a.dns.followed) {
		return nil
	}
	how := "PassthroughCluster forwards it there"
	if a.aliasVIPListener() {
		how = "the sidecar matches listener " + a.side.listener.Name + " → " + a.side.clusterName
	} else if a.side.dump == nil {
		how = "the sidecar takes it on the gateway's cluster-IP listener → " + a.side.clusterName
	}
	return one(issue{object: objName("Pod", a.client.Namespace, a.client.Name), proxy: a.side.proxy, hop: 0,
		message: "hostAliases of " + a.in.Client + " send " + al.Host + " to " + al.IP.String() + " (" + al.what() + "): " + how +
			", bypassing the sidecar's routing for " + al.Host + " (its VirtualService, subset and TLS settings do not apply)",
		fix: "remove the hostAliases entry for " + al.Host + " and route it to the gateway with a mesh VirtualService (Istio egress gateway task)"})
}
