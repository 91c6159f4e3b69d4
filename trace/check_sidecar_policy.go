package trace

import "fmt"

var checkSidecarPolicy = check{
	code: "EGR0304", level: LevelInfo, class: "C20",
	title: "Sidecar resource overrides the mesh outboundTrafficPolicy",
	doc: "A Sidecar resource applying to the client sets `outboundTrafficPolicy`, which wins over the mesh-wide " +
		"mode for that workload. Note that ALLOW_ANY ignores the Sidecar's host scoping for unknown hosts.",
	run: runSidecarPolicy,
}

func runSidecarPolicy(a *analysis) []issue {
	sc := a.clientSidecar()
	if sc == nil || sc.Spec.GetOutboundTrafficPolicy() == nil || a.intent.Mode == a.snap.Mesh.OutboundTrafficPolicyMode {
		return nil
	}
	name := objName("Sidecar", sc.Namespace, sc.Name)
	return one(issue{object: name, hop: -1,
		message: fmt.Sprintf("%s sets outboundTrafficPolicy %s for the client; the mesh default is %s", name, a.intent.Mode, a.snap.Mesh.OutboundTrafficPolicyMode),
		fix:     "remove the override if the mesh-wide mode is intended"})
}
