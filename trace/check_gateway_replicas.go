package trace

import "fmt"

var checkGatewayReplicas = check{
	code: "EGR0605", level: LevelWarning, class: "F32",
	title: "Egress gateway replicas differ or were not all read",
	doc: "The egress gateway Service has several pods and a request may land on any of them. The trace follows " +
		"one pod and walks the same path through every other pod with a config dump: a replica whose listeners, " +
		"routes or clusters differ is stale or rejected an update, so some requests fail. A replica without a dump " +
		"(not reachable, not fetched) could not be compared.",
	run: runGatewayReplicas,
}

func runGatewayReplicas(a *analysis) []issue {
	var out []issue
	for _, r := range a.gatewayReplicas() {
		switch {
		case r.missing:
			out = append(out, issue{object: podName(r.proxy), proxy: r.proxy, hop: a.gw.listenerHop,
				message: fmt.Sprintf("egress gateway replica %s has no config dump; only %s was followed, so requests landing on %s are not traced", r.proxy, a.gw.proxy, r.proxy),
				fix:     "fetch its dump (is the pod running and its admin port reachable?) and trace again, or pass the dump"})
		case r.diff != "":
			out = append(out, issue{object: podName(r.proxy), proxy: r.proxy, hop: a.gw.listenerHop,
				message: "egress gateway replicas disagree: " + r.diff + "; requests landing on " + r.proxy + " take another path",
				fix:     "istioctl proxy-status " + r.proxy + " (is it in sync with istiod?); restart the stale replica"})
		}
	}
	return out
}
