package trace

import (
	"k8s.io/apimachinery/pkg/labels"
)

var checkWorkloadEntry = check{
	code: "EGR0706", level: LevelWarning, class: "G",
	title: "WorkloadEntries are endpoints of the host's ServiceEntry",
	doc: "The host's ServiceEntry has a `workloadSelector`, and a `WorkloadEntry` (or a `WorkloadGroup`'s template) in " +
		"its namespace matches it: those workloads are the ServiceEntry's endpoints. The trace does not model " +
		"WorkloadEntries, so the endpoints of the last cluster are uncertain (a config dump does not list endpoints).",
	run: runWorkloadEntry,
}

func runWorkloadEntry(a *analysis) []issue {
	se := a.intent.SE
	if se == nil || len(se.Spec.GetWorkloadSelector().GetLabels()) == 0 {
		return nil
	}
	sel := labels.SelectorFromSet(se.Spec.GetWorkloadSelector().GetLabels())
	var out []issue
	for _, we := range a.othersOf(netIstio, "WorkloadEntry", "WorkloadGroup") {
		if we.Namespace != se.Namespace || !sel.Matches(labels.Set(we.SpecLabels)) {
			continue
		}
		does := "is an endpoint of " + objName("ServiceEntry", se.Namespace, se.Name) + " (workloadSelector)"
		if is, ok := a.unmodelled(we.String(), scopeEndpoints, does, plural(we.Kind), false); ok {
			out = append(out, is)
		}
	}
	return out
}
