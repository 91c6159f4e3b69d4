package trace

import "strings"

var checkAuthorizationPolicy = check{
	code: "EGR0704", level: LevelWarning, class: "G",
	title: "An AuthorizationPolicy applies to the egress gateway",
	doc: "An `AuthorizationPolicy` (action ALLOW, DENY or CUSTOM) selects the egress gateway's pods, or is selector-less " +
		"in the gateway's namespace or the mesh root namespace. It can deny the request at the gateway (`403 RBAC: access " +
		"denied`); the trace does not model AuthorizationPolicies, so the gateway hops are uncertain. AUDIT policies and " +
		"policies on the client (they govern its inbound traffic) do not change egress.",
	run: runAuthorizationPolicy,
}

func runAuthorizationPolicy(a *analysis) []issue {
	var out []issue
	for _, ap := range a.othersOf(secIstio, "AuthorizationPolicy") {
		if strings.EqualFold(ap.Mode, "AUDIT") {
			continue
		}
		action := ap.Mode
		if action == "" {
			action = "ALLOW"
		}
		does := func(proxy string) string { return "(" + action + ") can deny requests at " + proxy }
		out = append(out, a.proxyIssues(ap, false, true, does, "AuthorizationPolicies", false)...)
	}
	return out
}
