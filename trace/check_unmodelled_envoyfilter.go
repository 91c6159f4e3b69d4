package trace

import "slices"

var checkEnvoyFilter = check{
	code: "EGR0701", level: LevelWarning, class: "G",
	title: "An EnvoyFilter patches a proxy on the path",
	doc: "An `EnvoyFilter` selects the client's sidecar or the egress gateway (a selector-less one in the mesh root " +
		"namespace selects every proxy). The trace does not model EnvoyFilters, so the hops of that proxy are uncertain " +
		"unless they were read from its config dump and the filter patches only listeners, routes or clusters, which the " +
		"dump shows as Envoy runs them. Patches adding filters (`HTTP_FILTER`, `NETWORK_FILTER`, ...) stay uncertain: the " +
		"trace does not interpret them.",
	run: runEnvoyFilter,
}

// filterPatches are EnvoyFilter applyTo values that add filters the walk does not interpret.
var filterPatches = []string{"HTTP_FILTER", "NETWORK_FILTER", "LISTENER_FILTER", "EXTENSION_CONFIG", "BOOTSTRAP"}

func runEnvoyFilter(a *analysis) []issue {
	var out []issue
	for _, ef := range a.othersOf(netIstio, "EnvoyFilter") {
		client := contextApplies(ef.Contexts, "SIDECAR_OUTBOUND")
		gateway := contextApplies(ef.Contexts, "GATEWAY")
		dumpShows := !slices.ContainsFunc(ef.ApplyTo, func(t string) bool { return slices.Contains(filterPatches, t) })
		does := func(proxy string) string { return "patches the config of " + proxy }
		out = append(out, a.proxyIssues(ef, client, gateway, does, "EnvoyFilters", dumpShows)...)
	}
	return out
}

// contextApplies reports whether an EnvoyFilter's patch contexts reach a proxy of context c
// (no context or ANY reaches every proxy).
func contextApplies(contexts []string, c string) bool {
	return len(contexts) == 0 || slices.Contains(contexts, "ANY") || slices.Contains(contexts, c)
}
