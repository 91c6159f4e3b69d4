package trace

var checkDNSPolicy = check{
	code: "EGR0514", level: LevelWarning, class: "E29",
	title: "Client pod does not resolve through cluster DNS",
	doc: "The client's `dnsPolicy` is `None` (resolv.conf holds only `dnsConfig.nameservers`) or `Default` (the " +
		"node's resolv.conf; also ClusterFirst on the host network), and Istio's DNS proxy is not on for the pod " +
		"(ISTIO_META_DNS_CAPTURE). Kubernetes Service names and ServiceEntry addresses (spec or auto-allocated) " +
		"are then only what those nameservers answer, so the address the app connects to is unknown to the " +
		"trace: the capture and listener hops are uncertain. (kubelet pkg/kubelet/network/dns/dns.go GetPodDNS.)",
	run: runDNSPolicy,
}

func runDNSPolicy(a *analysis) []issue {
	if a.client == nil || !a.dns.resolvesElsewhere() {
		return nil
	}
	return one(issue{object: objName("Pod", a.client.Namespace, a.client.Name), hop: 0,
		message: a.in.Client + ": " + a.dns.resolverNote() + " (no Istio DNS proxy answers first, so ServiceEntry addresses are not returned)",
		fix:     "use dnsPolicy ClusterFirst (adding dnsConfig for extra nameservers or searches), or enable Istio DNS proxying (proxyMetadata ISTIO_META_DNS_CAPTURE: \"true\")"})
}
