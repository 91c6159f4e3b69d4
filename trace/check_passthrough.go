package trace

import "fmt"

var checkPassthrough = check{
	code: "EGR0102", level: LevelWarning, class: "A1",
	title: "Host leaves through PassthroughCluster",
	doc: "Under ALLOW_ANY a host without a ServiceEntry leaves the sidecar through PassthroughCluster (or the " +
		"`allow_any` virtual host): it works, but no egress gateway, DestinationRule, retry, TLS origination or " +
		"egress policy applies, and telemetry only shows an IP.",
	run: runPassthrough,
}

func runPassthrough(a *analysis) []issue {
	if a.side.clusterName != passthroughCluster {
		return nil
	}
	how := "the catch-all filter chain"
	if a.side.vhost != nil {
		how = "virtual host " + a.side.vhost.Name
	}
	return one(issue{object: a.policyObject(), proxy: a.in.Client, hop: a.side.clusterHop,
		message: fmt.Sprintf("no ServiceEntry declares %s:%d for namespace %s; %s (%s) sends it to PassthroughCluster, bypassing the egress gateway and mesh policy", a.target.Host, a.target.Port, a.clientNS, how, a.intent.Mode),
		fix:     "declare the host with a ServiceEntry (and route it through the egress gateway), or set outboundTrafficPolicy REGISTRY_ONLY"})
}
