package trace

import (
	"strconv"
	"strings"
)

var checkDNSSearch = check{
	code: "EGR0516", level: LevelInfo, class: "E29",
	title: "dnsConfig search domains are tried before the host",
	doc: "The host has fewer dots than the pod's `ndots` option and `dnsConfig.searches` adds search domains, " +
		"so the resolver queries `HOST.<search>` for each of them before HOST itself: a record (or a wildcard) " +
		"under one of those domains answers instead of the host's own. (The cluster's own searches, " +
		"`<ns>.svc.cluster.local` and so on, get NXDOMAIN from cluster DNS for external hosts.)",
	run: runDNSSearch,
}

func runDNSSearch(a *analysis) []issue {
	c := a.dns.conf
	host := strings.TrimSuffix(a.target.Host, ".")
	dots := strings.Count(host, ".")
	if a.client == nil || a.dns.alias != nil || len(c.Searches) == 0 || c.Ndots < 0 || dots >= c.Ndots || strings.HasSuffix(a.target.Host, ".") {
		return nil
	}
	tries := make([]string, len(c.Searches))
	for i, s := range c.Searches {
		tries[i] = host + "." + s
	}
	return one(issue{object: objName("Pod", a.client.Namespace, a.client.Name), hop: 0,
		message: host + " has " + strconv.Itoa(dots) + " dots, fewer than ndots:" + strconv.Itoa(c.Ndots) + ", so " + a.in.Client + " first queries " +
			strings.Join(tries, ", ") + " (dnsConfig.searches): a record there answers instead of " + host,
		fix: "use the absolute name (a trailing dot) in the app, or lower ndots in dnsConfig.options"})
}
