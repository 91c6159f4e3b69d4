package trace

import "github.com/kubectl-egress/kubectl-egress/mesh"

var checkMeshConfigForbidden = check{
	code: "EGR0108", level: LevelWarning, class: "C20",
	title: "Mesh config not readable: outboundTrafficPolicy unknown",
	doc: "Reading the mesh config (ConfigMap `istio` in the Istio namespace) is forbidden to you, so the " +
		"`outboundTrafficPolicy` the sidecars run with is not known; the trace does not assume Istio's default. " +
		"Where the client's config dump was read, the hops show what the sidecar really does (BlackHoleCluster " +
		"under REGISTRY_ONLY); without it, a verdict that depends on the mode is unknown. Grant `get` on that " +
		"ConfigMap (deploy/rbac.yaml).",
	run: runMeshConfigForbidden,
}

func runMeshConfigForbidden(a *analysis) []issue {
	if a.snap.Mesh.Access != mesh.AccessForbidden {
		return nil
	}
	msg := "skipped: forbidden: the mesh config could not be read; outboundTrafficPolicy is unknown, not assumed " + mesh.AllowAny
	if a.in.Dumps[a.in.Client] != nil {
		msg += "; the client's dump shows what its sidecar really does"
	} else {
		msg += " and the client's dump is missing: a verdict that depends on the mode is unknown"
	}
	return one(issue{object: objName("ConfigMap", a.snap.IstioNamespace, "istio"), hop: -1, message: msg,
		fix: "grant get on ConfigMap istio in the Istio namespace (deploy/rbac.yaml, Role kubectl-egress-credentials)"})
}
