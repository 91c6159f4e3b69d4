package trace

import (
	"github.com/kubectl-egress/kubectl-egress/mesh"
)

var checkAmbient = check{
	code: "EGR0711", level: LevelWarning, class: "G",
	title: "Ambient mode captures the client",
	doc: "The client pod has no sidecar, and it or its namespace is labelled `istio.io/dataplane-mode=ambient` (the pod " +
		"not `none`): ztunnel captures its traffic, and an `istio.io/use-waypoint` label on the pod, namespace or the " +
		"host's ServiceEntry sends it through a waypoint (a Gateway of class `istio-waypoint`). The trace does not model " +
		"ambient mode, so the request does not simply leave the pod directly: the whole path is uncertain. Pods with " +
		"a sidecar are not captured by ztunnel and do not use waypoints.",
	run: runAmbient,
}

// Ambient labels.
const (
	dataplaneModeLabel = "istio.io/dataplane-mode"
	useWaypointLabel   = "istio.io/use-waypoint"
	waypointNSLabel    = "istio.io/use-waypoint-namespace"
)

func runAmbient(a *analysis) []issue {
	if a.client == nil || mesh.HasSidecar(a.client) {
		return nil
	}
	object, why := a.ambientCapture()
	if object == "" {
		return nil
	}
	does := why + ": ztunnel captures the traffic of " + a.in.Client + a.waypointNote()
	is, ok := a.unmodelled(object, scopeCapture, does, "ambient mode", false)
	if !ok {
		return nil
	}
	is.fix = "trace it from ztunnel and the waypoint (istioctl ztunnel-config, istioctl waypoint status) until ambient mode is modelled"
	return one(is)
}

// ambientCapture names the object enrolling the client in ambient mode, or "".
func (a *analysis) ambientCapture() (string, string) {
	pod := a.client.Labels[dataplaneModeLabel]
	if pod == "ambient" {
		return objName("Pod", a.client.Namespace, a.client.Name), "is labelled " + dataplaneModeLabel + "=ambient"
	}
	if ns := a.snap.Namespaces[a.client.Namespace]; ns != nil && pod != "none" && ns.Labels[dataplaneModeLabel] == "ambient" {
		return "Namespace " + ns.Name, "is labelled " + dataplaneModeLabel + "=ambient"
	}
	return "", ""
}

// labelledObject is an object whose labels can name a waypoint.
type labelledObject struct {
	what   string
	labels map[string]string
	ns     string
}

// waypointNote names the waypoint the traffic is sent through, when a label says so.
func (a *analysis) waypointNote() string {
	objs := []labelledObject{{"the pod", a.client.Labels, a.client.Namespace}}
	if ns := a.snap.Namespaces[a.client.Namespace]; ns != nil {
		objs = append(objs, labelledObject{"the namespace", ns.Labels, ns.Name})
	}
	if se := a.intent.SE; se != nil {
		objs = append(objs, labelledObject{objName("ServiceEntry", se.Namespace, se.Name), se.Labels, se.Namespace})
	}
	for _, l := range objs {
		if w := l.labels[useWaypointLabel]; w != "" && w != "none" {
			ns := l.ns
			if n := l.labels[waypointNSLabel]; n != "" {
				ns = n
			}
			return ", and " + l.what + " sends it through waypoint " + mesh.Key(ns, w) + " (" + useWaypointLabel + ")"
		}
	}
	return ""
}
