package trace

import (
	"fmt"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// replica is one egress gateway pod other than the one the walk followed.
type replica struct {
	proxy string
	// missing is true when its config dump is absent (not fetched, unreachable).
	missing bool
	// diff describes how its gateway hops differ from the followed pod's, "" when equal.
	diff string
}

// gatewayReplicas walks every other gateway pod with a dump and compares its gateway
// hops with the followed pod's. It is empty unless the followed pod had a dump.
func (a *analysis) gatewayReplicas() []replica {
	if a.gw == nil || a.gw.dump == nil || a.gwPod != "" {
		return nil
	}
	var out []replica
	for _, p := range a.gatewayTargetFor().pods {
		k := mesh.Key(p.Namespace, p.Name)
		switch {
		case k == a.gw.proxy:
		case a.dump(k) == nil:
			out = append(out, replica{proxy: k, missing: true})
		default:
			out = append(out, replica{proxy: k, diff: a.compareReplica(k)})
		}
	}
	return out
}

// compareReplica walks the path again through gateway pod k and reports the first
// gateway hop that differs, or a different end of the request.
func (a *analysis) compareReplica(k string) string {
	b := newAnalysis(a.in)
	b.gwPod = k
	b.walk()
	mine, theirs := gatewayHops(a.rep.Hops), gatewayHops(b.rep.Hops)
	for i := range max(len(mine), len(theirs)) {
		m, t := hopAt(mine, i), hopAt(theirs, i)
		if m != t {
			d := fmt.Sprintf("%s has %s where %s has %s", k, t, a.gw.proxy, m)
			if b.end.response != "" && b.end.response != a.end.response {
				d += fmt.Sprintf(" (there the request ends with %s)", b.end.response)
			}
			return d
		}
	}
	if a.end.response != b.end.response {
		return fmt.Sprintf("the request ends with %q on %s but %q on %s", orNone(b.end.response), k, orNone(a.end.response), a.gw.proxy)
	}
	return ""
}

// gatewayHops renders the gateway hops for comparison, without the proxy name.
func gatewayHops(hops []Hop) []string {
	var out []string
	for _, h := range hops {
		switch h.Kind {
		case HopGatewayListener, HopGatewayRoute, HopGatewayCluster:
			s := fmt.Sprintf("%s %s", h.Kind, h.Name)
			if h.Detail != "" {
				s += " (" + h.Detail + ")"
			}
			if h.State != "" {
				s += " [" + h.State + "]"
			}
			out = append(out, s+" "+string(h.Status))
		}
	}
	return out
}

func hopAt(hops []string, i int) string {
	if i < len(hops) {
		return hops[i]
	}
	return "nothing"
}

func orNone(s string) string {
	if s == "" {
		return "no error"
	}
	return s
}
