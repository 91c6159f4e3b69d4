package trace

import "strings"

var checkUnchecked = check{
	code: "EGR0713", level: LevelWarning, class: "G",
	title: "A kind that can change the answer could not be listed",
	doc: "Listing a kind the trace records without modelling (EnvoyFilters, AuthorizationPolicies, Gateway API " +
		"routes, ...) was forbidden, so the trace cannot say whether one sits on the path. Grant `list` on it " +
		"(deploy/rbac.yaml) to have it checked.",
	run: runUnchecked,
}

func runUnchecked(a *analysis) []issue {
	if len(a.snap.Unchecked) == 0 {
		return nil
	}
	var kinds []string
	for _, u := range a.snap.Unchecked {
		kinds = append(kinds, u.Kind+"."+u.Group)
	}
	return one(issue{hop: -1,
		message: "could not list " + strings.Join(kinds, ", ") + " (forbidden); the answer may miss one of them on the path",
		fix:     "grant get/list on these resources (see deploy/rbac.yaml) and trace again"})
}
