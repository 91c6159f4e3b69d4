package trace

var checkMissingDump = check{
	code: "EGR0604", level: LevelInfo, class: "F32",
	title: "No config dump for a proxy on the path",
	doc: "The trace needed this proxy's Envoy config dump and did not have it, so its hops come from the Istio " +
		"objects only (intent), not from what the proxy really runs. Re-run against the cluster, or pass the dump.",
	run: runMissingDump,
}

func runMissingDump(a *analysis) []issue {
	var out []issue
	for _, p := range a.rep.Inputs.MissingDumps {
		out = append(out, issue{object: podName(p), proxy: p, hop: -1,
			message: "no config dump for " + p + ": its hops are traced from the Istio objects only",
			fix:     "kubectl exec -n NS POD -c istio-proxy -- pilot-agent request GET config_dump > dump.json, or trace against the live cluster"})
	}
	return out
}
