package trace

import "fmt"

var checkCaptureBypass = check{
	code: "EGR0502", level: LevelWarning, class: "E29",
	title: "Capture annotations let the request skip the sidecar",
	doc: "The pod's `traffic.sidecar.istio.io/excludeOutboundIPRanges`, `includeOutboundIPRanges` or " +
		"`excludeOutboundPorts` annotations keep the destination out of the iptables redirect, so the request " +
		"leaves the pod directly, skipping the sidecar and the egress gateway.",
	run: runCaptureBypass,
}

func runCaptureBypass(a *analysis) []issue {
	if a.client == nil || !a.cap.annotated {
		return nil
	}
	msg := fmt.Sprintf("the sidecar of %s does not capture %s:%d: %s", a.in.Client, a.target.Host, a.target.Port, a.cap.reason)
	if a.cap.captured {
		msg = fmt.Sprintf("capture of %s:%d by %s depends on the resolved address: %s", a.target.Host, a.target.Port, a.in.Client, a.cap.reason)
	}
	return one(issue{object: objName("Pod", a.client.Namespace, a.client.Name), hop: 0, message: msg,
		fix: "remove the port or range from the pod's traffic.sidecar.istio.io annotations (pod template) so the sidecar captures it"})
}
