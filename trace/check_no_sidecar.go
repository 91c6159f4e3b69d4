package trace

var checkNoSidecar = check{
	code: "EGR0501", level: LevelWarning, class: "E29",
	title: "Client pod has no sidecar",
	doc: "The client pod runs no istio-proxy (namespace not labelled for injection, `sidecar.istio.io/inject: " +
		"\"false\"`, or created before injection was enabled), so its traffic never enters the mesh: no " +
		"ServiceEntry, egress gateway or policy applies.",
	run: runNoSidecar,
}

func runNoSidecar(a *analysis) []issue {
	if a.client == nil || a.cap.reason != "pod has no istio-proxy sidecar" {
		return nil
	}
	if object, _ := a.ambientCapture(); object != "" {
		return nil // EGR0711: ztunnel captures it
	}
	return one(issue{object: objName("Pod", a.client.Namespace, a.client.Name), hop: 0,
		message: "pod " + a.in.Client + " has no istio-proxy sidecar; " + a.uncapturedFate(),
		fix:     "enable injection (label the namespace istio-injection=enabled or istio.io/rev) and restart the workload"})
}
