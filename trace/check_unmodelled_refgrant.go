package trace

import "slices"

var checkReferenceGrant = check{
	code: "EGR0710", level: LevelWarning, class: "G",
	title: "A ReferenceGrant may let Gateway API routes reach the host",
	doc: "A `ReferenceGrant` in the namespace of the host's ServiceEntry or Service lets routes in other namespaces " +
		"send to it, and Gateway API routes exist. The trace does not model Gateway API (issue 19), so the routes from " +
		"the client's sidecar on are uncertain.",
	run: runReferenceGrant,
}

func runReferenceGrant(a *analysis) []issue {
	if len(a.othersOf(gwAPI, gatewayAPIRouteKinds...)) == 0 {
		return nil
	}
	var out []issue
	for _, g := range a.othersOf(gwAPI, "ReferenceGrant") {
		if !slices.Contains(a.hostNamespaces(), g.Namespace) {
			continue
		}
		does := "lets routes of other namespaces reach objects in " + g.Namespace + ", where " + a.target.Host + " is defined"
		if is, ok := a.unmodelled(g.String(), scopeRouting, does, "ReferenceGrants", true); ok {
			out = append(out, is)
		}
	}
	return out
}
