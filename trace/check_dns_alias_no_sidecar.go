package trace

var checkDNSAliasNoSidecar = check{
	code: "EGR0513", level: LevelWarning, class: "E29",
	title: "Uncaptured request reaches the egress gateway through hostAliases",
	doc: "The sidecar does not capture the request (no sidecar, or capture annotations exclude it), but the " +
		"pod's `spec.hostAliases` resolve the host to an egress gateway address, so the request does not leave " +
		"directly: it reaches the gateway's listener (Service port → targetPort, or the pod port itself) as " +
		"traffic from outside the mesh, without Istio mTLS or a client identity for AuthorizationPolicy. " +
		"The gateway's listener and routes are traced from there.",
	run: runDNSAliasNoSidecar,
}

func runDNSAliasNoSidecar(a *analysis) []issue {
	al := a.dns.alias
	if al == nil || !al.gateway || a.cap.captured {
		return nil
	}
	return one(issue{object: objName("Pod", a.client.Namespace, a.client.Name), hop: 0,
		message: a.in.Client + " is not captured by a sidecar (" + a.cap.reason + "), but hostAliases send " + al.Host + " to " + al.IP.String() +
			" (" + al.what() + "): the request reaches the egress gateway without Istio mTLS or a client identity",
		fix: "inject the sidecar and route " + al.Host + " to the gateway with a VirtualService; or keep the alias and make sure the gateway's Server and policies accept traffic from outside the mesh"})
}
