package trace

import (
	"fmt"
)

var checkHiddenFromClient = check{
	code: "EGR0302", level: LevelError, class: "C17",
	title: "Object hidden from the client's namespace",
	doc: "A ServiceEntry, VirtualService or the DestinationRule defining the gateway subset exists for the host " +
		"but its `exportTo` excludes the client's namespace, so the client's sidecar behaves as if it did not exist " +
		"(block_all/PassthroughCluster, direct instead of via the gateway, or `503 NC` for the subset).",
	run: runHiddenFromClient,
}

func runHiddenFromClient(a *analysis) []issue {
	var out []issue
	if len(a.intent.SEs) == 0 {
		for _, se := range a.intent.Hidden {
			out = append(out, hiddenIssue(a, seName(se), se.Spec.GetExportTo()))
		}
	}
	if a.intent.MeshVS == nil {
		for _, vs := range a.snap.VirtualServicesForHost(a.target.Host) {
			if bindsTo(vs, "mesh") && !exportedTo(vs.Spec.GetExportTo(), vs.Namespace, a.clientNS) {
				out = append(out, hiddenIssue(a, vsName(vs), vs.Spec.GetExportTo()))
			}
		}
	}
	if host, subset := a.gatewaySubset(); subset != "" && a.subsetDR(host, subset) == nil {
		for _, dr := range a.snap.DestinationRulesForHost(host) {
			if hasSubset(dr, subset) {
				out = append(out, hiddenIssue(a, drName(dr), dr.Spec.GetExportTo()))
			}
		}
	}
	return out
}

func hiddenIssue(a *analysis, obj string, exportTo []string) issue {
	return issue{object: obj, proxy: a.in.Client, hop: a.side.listenerHop,
		message: fmt.Sprintf("%s is exported to %v, not to the client's namespace %s; its sidecar ignores it", obj, exportTo, a.clientNS),
		fix:     fmt.Sprintf("add %q (or \"*\") to exportTo, or create the object in namespace %s", a.clientNS, a.clientNS)}
}
