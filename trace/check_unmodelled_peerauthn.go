package trace

import "strings"

var checkPeerAuthentication = check{
	code: "EGR0705", level: LevelWarning, class: "G",
	title: "A PeerAuthentication sets the egress gateway's mTLS mode",
	doc: "A `PeerAuthentication` with mode STRICT or DISABLE selects the egress gateway's pods (or is selector-less in " +
		"its namespace or the mesh root namespace). It changes the mTLS the gateway accepts and whether the sidecar's " +
		"auto mTLS is used towards it; the trace does not model PeerAuthentications, so the gateway hops are uncertain " +
		"unless read from the gateway's config dump.",
	run: runPeerAuthentication,
}

func runPeerAuthentication(a *analysis) []issue {
	var out []issue
	for _, pa := range a.othersOf(secIstio, "PeerAuthentication") {
		mode := strings.ToUpper(pa.Mode)
		if mode != "STRICT" && mode != "DISABLE" {
			continue
		}
		does := func(proxy string) string { return "sets mTLS " + mode + " on " + proxy }
		out = append(out, a.proxyIssues(pa, false, true, does, "PeerAuthentications", true)...)
	}
	return out
}
