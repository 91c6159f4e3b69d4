package trace

import "strings"

var checkDNSCapturedElsewhere = check{
	code: "EGR0515", level: LevelInfo, class: "E29",
	title: "Pod's own nameservers are answered by Istio's DNS proxy",
	doc: "The client does not use cluster DNS (`dnsPolicy` None or Default) but Istio DNS capture is on: " +
		"istio-iptables redirects DNS queries sent to the nameservers of the pod's own resolv.conf to the agent on " +
		"port 15053 (tools/common/config/config.go reads /etc/resolv.conf), which answers ServiceEntry and " +
		"Service hosts itself and forwards the rest to those nameservers (pkg/dns/client/dns.go). The trace " +
		"uses the mesh's addresses.",
	run: runDNSCapturedElsewhere,
}

func runDNSCapturedElsewhere(a *analysis) []issue {
	c := a.dns.conf
	if a.client == nil || a.dns.alias != nil || c.ClusterDNS() || !a.dns.capture {
		return nil
	}
	ns := "the node's nameservers"
	if len(c.Nameservers) > 0 {
		ns = strings.Join(c.Nameservers, ", ")
	}
	return one(issue{object: objName("Pod", a.client.Namespace, a.client.Name), hop: 0,
		message: a.in.Client + " has dnsPolicy " + string(c.Policy) + " (" + ns + "), but Istio DNS capture sends those queries to the agent first: " + a.target.Host + " resolves as the mesh knows it",
		fix:     "none needed"})
}
