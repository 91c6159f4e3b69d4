package trace

var checkExtension = check{
	code: "EGR0702", level: LevelWarning, class: "G",
	title: "A WasmPlugin or TrafficExtension runs on a proxy on the path",
	doc: "A `WasmPlugin` or `TrafficExtension` selects the client's sidecar or the egress gateway. It adds filters " +
		"that can change or deny the request; the trace does not model them, so that proxy's hops are uncertain " +
		"(a config dump shows the filter but the trace does not run it).",
	run: runExtension,
}

func runExtension(a *analysis) []issue {
	var out []issue
	for _, ext := range a.othersOf(extIstio, "WasmPlugin", "TrafficExtension") {
		does := func(proxy string) string { return "adds filters to " + proxy }
		out = append(out, a.proxyIssues(ext, true, true, does, plural(ext.Kind), false)...)
	}
	return out
}
