package trace

import "fmt"

var checkCredentialIgnored = check{
	code: "EGR0402", level: LevelError, class: "D23",
	title: "credentialName ignored on a sidecar DestinationRule without workloadSelector",
	doc: "On a sidecar, istiod ignores a DestinationRule's `credentialName` unless the DR has a " +
		"`workloadSelector` (the secret is only fetched for the selected workloads). Without it the sidecar's " +
		"cluster gets no client certificate, and istiod drops the TLS origination: the request goes out in plaintext.",
	run: runCredentialIgnored,
}

func runCredentialIgnored(a *analysis) []issue {
	var out []issue
	for _, u := range a.credentialUses() {
		if !u.ignored() {
			continue
		}
		out = append(out, issue{object: drName(u.dr), proxy: u.proxy, hop: u.hop,
			message: fmt.Sprintf("%s sets credentialName %q for port %d but has no workloadSelector; the sidecar of %s ignores it (cluster %s has %s)", drName(u.dr), u.name, u.port, a.in.Client, a.side.clusterName, tlsSummary(upstreamTLS(a.side.cluster))),
			fix:     fmt.Sprintf("add spec.workloadSelector.matchLabels selecting the client (e.g. app: %s) and keep the Secret in namespace %s", a.clientApp(), a.clientNS)})
	}
	return out
}

func tlsSummary(t *TLS) string {
	if t == nil {
		return "no TLS"
	}
	return "TLS " + t.Mode
}

func (a *analysis) clientApp() string {
	if a.client != nil && a.client.Labels["app"] != "" {
		return a.client.Labels["app"]
	}
	return "<app>"
}
