package trace

import "github.com/kubectl-egress/kubectl-egress/mesh"

var checkMeshConfigForbidden = check{
	code: "EGR0108", level: LevelWarning, class: "C20",
	title: "Mesh config not readable: outboundTrafficPolicy assumed ALLOW_ANY",
	doc: "Reading the mesh config (ConfigMap `istio` in the Istio namespace) is forbidden to you, so the trace " +
		"assumes Istio's default `outboundTrafficPolicy` ALLOW_ANY for what the Istio objects say should happen. " +
		"Where the client's config dump was read, the hops show what the sidecar really does (BlackHoleCluster " +
		"under REGISTRY_ONLY); without it, a verdict that depends on the mode may be wrong. Grant `get` on that " +
		"ConfigMap (deploy/rbac.yaml).",
	run: runMeshConfigForbidden,
}

func runMeshConfigForbidden(a *analysis) []issue {
	if a.snap.Mesh.Access != mesh.AccessForbidden {
		return nil
	}
	msg := "skipped: forbidden: the mesh config could not be read; outboundTrafficPolicy is assumed " + a.snap.Mesh.OutboundTrafficPolicyMode + " (Istio's default)"
	if a.in.Dumps[a.in.Client] != nil {
		msg += "; the client's dump shows what its sidecar really does"
	} else {
		msg += " and the client's dump is missing: a verdict that depends on the mode may be wrong"
	}
	return one(issue{object: objName("ConfigMap", a.snap.IstioNamespace, "istio"), hop: -1, message: msg,
		fix: "grant get on ConfigMap istio in the Istio namespace (deploy/rbac.yaml, Role kubectl-egress-credentials)"})
}
