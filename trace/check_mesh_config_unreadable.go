package trace

import "github.com/kubectl-egress/kubectl-egress/mesh"

var checkMeshConfigUnreadable = check{
	code: "EGR0109", level: LevelError, class: "C20",
	title: "Mesh config cannot be parsed: outboundTrafficPolicy unknown",
	doc: "The `mesh` key of ConfigMap `istio` in the Istio namespace is there but cannot be parsed (YAML syntax, a " +
		"field of the wrong shape, or an `outboundTrafficPolicy.mode` other than ALLOW_ANY or REGISTRY_ONLY), so " +
		"istiod cannot apply it either and the mode the sidecars run with is not known. The trace does not assume " +
		"Istio's default: where the verdict depends on the mode and the client's config dump is missing, the verdict " +
		"is unknown; where the dump was read, its hops show what the sidecar really does. Fix the YAML under the key.",
	run: runMeshConfigUnreadable,
}

func runMeshConfigUnreadable(a *analysis) []issue {
	mc := a.snap.Mesh
	if mc.ParseError == "" {
		return nil
	}
	msg := mc.Key + " cannot be parsed: " + mc.ParseError + "; outboundTrafficPolicy is unknown, not assumed " + mesh.AllowAny
	if a.in.Dumps[a.in.Client] != nil {
		msg += "; the client's dump shows what its sidecar really does"
	}
	return one(issue{object: objName("ConfigMap", a.snap.IstioNamespace, "istio"), hop: -1, message: msg,
		fix: "fix the YAML under key mesh of ConfigMap " + mesh.Key(a.snap.IstioNamespace, "istio") + " (see istioctl validate, or the mesh config reference)"})
}
