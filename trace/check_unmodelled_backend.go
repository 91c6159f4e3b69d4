package trace

import "github.com/kubectl-egress/kubectl-egress/mesh"

var checkBackendPolicy = check{
	code: "EGR0709", level: LevelWarning, class: "G",
	title: "A BackendTLSPolicy or XBackend concerns the host",
	doc: "A `BackendTLSPolicy` targets the host's ServiceEntry or Service (or validates its hostname), an `XBackend` " +
		"names it as `externalHostname`, or an `XBackendTrafficPolicy` targets one of those. istiod turns them into a " +
		"DestinationRule or ServiceEntry the trace does not see (issue 19), so TLS origination and the clusters from the " +
		"client's sidecar on are uncertain.",
	run: runBackendPolicy,
}

func runBackendPolicy(a *analysis) []issue {
	var out []issue
	for _, o := range append(a.othersOf(gwAPI, "BackendTLSPolicy"), a.othersOf(gwAPIX, "XBackend", "XBackendTrafficPolicy")...) {
		why := a.backendOnPath(o)
		if why == "" {
			continue
		}
		if is, ok := a.unmodelled(o.String(), scopeRouting, why, plural(o.Kind), true); ok {
			out = append(out, is)
		}
	}
	return out
}

// backendOnPath says why a backend object concerns the host, or "".
func (a *analysis) backendOnPath(o *mesh.Other) string {
	if o.Kind == "XBackend" {
		if a.namesHost(o.Hostnames) {
			return "defines the external hostname " + a.target.Host
		}
		return ""
	}
	for _, t := range o.TargetRefs {
		switch {
		case a.refIsHostSE(t, o.Namespace) || a.refIsHostService(t, o.Namespace):
			return "targets " + t.Kind + " " + o.Namespace + "/" + t.Name + " of " + a.target.Host
		case t.Kind == "XBackend" && a.xbackendForHost(o.Namespace, t.Name):
			return "targets XBackend " + o.Namespace + "/" + t.Name + " for " + a.target.Host
		}
	}
	if o.Kind == "BackendTLSPolicy" && a.namesHost(o.Hostnames) {
		return "originates TLS for " + a.target.Host
	}
	return ""
}
