package trace

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// decide turns the walk's outcome and the intent into the verdict.
func (a *analysis) decide() {
	v := Verdict{Kind: a.end.kind, Summary: a.end.summary, Response: a.end.response, AtHop: a.end.hop, Missing: a.end.missing}
	if v.Kind == "" {
		v = a.reachedVerdict()
	}
	if len(a.rep.Inputs.MissingDumps) > 0 {
		v.Summary += fmt.Sprintf(" (hops of %s from the Istio objects only)", strings.Join(a.rep.Inputs.MissingDumps, ", "))
		if a.rep.Inputs.MissingDumps[0] == a.in.Client && v.Kind != Blocked {
			v.Missing = append(v.Missing, "config dump of "+a.in.Client)
		}
	}
	v.Summary = a.noSidecarSummary(v.Summary)
	a.rep.Verdict = a.uncertainVerdict(a.unconfirmedVerdict(v))
}

// unconfirmedVerdict keeps a walk from the Istio objects only from calling a request
// reached (direct, via-gateway, bypass) while an Error finding sits on one of its hops: the
// dumps of such configurations stop the request there (503 NC, a warming cluster, a reset),
// and without them the trace cannot say how. The verdict is unknown, naming the finding.
func (a *analysis) unconfirmedVerdict(v Verdict) Verdict {
	if len(a.rep.Inputs.MissingDumps) == 0 || (v.Kind != Direct && v.Kind != ViaGateway && v.Kind != Bypass) {
		return v
	}
	i := slices.IndexFunc(a.rep.Findings, func(f Finding) bool { return f.Level == LevelError && f.Hop >= 0 })
	if i < 0 {
		return v
	}
	f := a.rep.Findings[i]
	missing := v.Missing
	for _, p := range a.rep.Inputs.MissingDumps {
		if m := "config dump of " + p; !slices.Contains(missing, m) {
			missing = append(missing, m)
		}
	}
	return Verdict{Kind: Unknown, AtHop: f.Hop, Missing: missing,
		Summary: fmt.Sprintf("%s at hop %d (%s) breaks the path the Istio objects describe; with hops traced from the Istio objects only (%s), how the request fails is not confirmed",
			f.Code, f.Hop+1, f.Object, strings.Join(a.rep.Inputs.MissingDumps, ", "))}
}

// noSidecarPrefix starts the summary of a client without a sidecar (walk.go clientHop).
const noSidecarPrefix = "the sidecar does not intercept the request (pod has no istio-proxy sidecar); it leaves the pod directly"

// noSidecarSummary says that a pod without a sidecar leaves directly only when nothing
// the trace cannot see (a CNI or node-level redirect) captures it, and that ambient mode
// captures it when the labels say so.
func (a *analysis) noSidecarSummary(s string) string {
	rest, ok := strings.CutPrefix(s, noSidecarPrefix)
	switch {
	case !ok:
		return s
	case a.client != nil:
		if object, why := a.ambientCapture(); object != "" {
			return "no sidecar, but " + object + " " + why + ": ztunnel captures the request (ambient mode, not modelled)"
		}
	}
	return "no sidecar: the request leaves the pod directly unless a CNI or node-level redirect captures it" + rest
}

// reachedVerdict classifies a request that reaches the external service.
func (a *analysis) reachedVerdict() Verdict {
	last := len(a.rep.Hops) - 1
	dest := fmt.Sprintf("%s:%d", a.target.Host, a.target.Port)
	switch {
	case a.side.clusterName == passthroughCluster && a.gw == nil:
		return Verdict{Kind: Bypass, AtHop: a.side.clusterHop,
			Summary: dest + " leaves the sidecar through PassthroughCluster: no ServiceEntry routes it (" + a.intent.Mode + "), so no egress gateway or mesh policy applies"}
	case a.gw != nil:
		return Verdict{Kind: ViaGateway, AtHop: last, Summary: dest + " is reached through the egress gateway " + a.gw.proxy}
	case a.gatewayIntended():
		return Verdict{Kind: Bypass, AtHop: a.side.clusterHop,
			Summary: dest + " goes straight from the sidecar to " + a.side.clusterName + " although Istio objects route the host through an egress gateway"}
	}
	return Verdict{Kind: Direct, AtHop: last, Summary: dest + " is reached directly from the sidecar through " + a.side.clusterName}
}

// gatewayIntended reports whether the objects route this host through a gateway on some port.
func (a *analysis) gatewayIntended() bool {
	return a.intent.Gateway != nil || len(a.intent.GatewayVSs) > 0
}

// finish sorts and de-duplicates the findings and normalises empty lists.
func (a *analysis) finish() {
	f := a.rep.Findings
	slices.SortStableFunc(f, func(x, y Finding) int {
		if c := cmp.Compare(levelRank(x.Level), levelRank(y.Level)); c != 0 {
			return c
		}
		if c := cmp.Compare(hopRank(x.Hop), hopRank(y.Hop)); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Code, y.Code); c != 0 {
			return c
		}
		return cmp.Compare(x.Message, y.Message)
	})
	a.rep.Findings = slices.CompactFunc(f, func(x, y Finding) bool { return x == y })
	if a.rep.Findings == nil {
		a.rep.Findings = []Finding{}
	}
	if a.rep.Hops == nil {
		a.rep.Hops = []Hop{}
	}
}

func levelRank(l Level) int {
	switch l {
	case LevelError:
		return 0
	case LevelWarning:
		return 1
	}
	return 2
}

// hopRank orders findings by hop, those without a hop last.
func hopRank(h int) int {
	if h < 0 {
		return 1 << 30
	}
	return h
}
