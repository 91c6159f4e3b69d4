package trace

var checkProxyConfig = check{
	code: "EGR0703", level: LevelWarning, class: "G",
	title: "A ProxyConfig changes a proxy on the path",
	doc: "A `ProxyConfig` selects the client's sidecar or the egress gateway. Its environment variables (for example " +
		"`ISTIO_META_DNS_CAPTURE`) and settings change how the proxy runs; the trace does not model ProxyConfigs, so " +
		"that proxy's hops are uncertain unless read from its config dump.",
	run: runProxyConfig,
}

func runProxyConfig(a *analysis) []issue {
	var out []issue
	for _, pc := range a.othersOf(netIstio, "ProxyConfig") {
		does := func(proxy string) string { return "sets the proxy config of " + proxy }
		out = append(out, a.proxyIssues(pc, true, true, does, "ProxyConfigs", true)...)
	}
	return out
}
