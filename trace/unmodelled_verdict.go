package trace

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// uncertainVerdict marks v uncertain when objects the trace does not model sit on the
// path: the summary says so, a block or bypass decided at or after the first such hop
// becomes unknown, and Errors that depend on those hops are downgraded to Warnings, so no
// Error (nor exit code 79) rests on what the trace could not read.
func (a *analysis) uncertainVerdict(v Verdict) Verdict {
	if len(a.uncertain) == 0 {
		return v
	}
	u := slices.Clone(a.uncertain)
	slices.SortStableFunc(u, func(x, y Uncertainty) int { return cmp.Compare(x.Hop, y.Hop) })
	from := u[0].Hop
	refs := uncertainRefs(u)
	v.Uncertain = u // hops are 0-based here and 1-based (#) in the rendered table and summary
	v.Summary = fmt.Sprintf("uncertain from hop %d (%s) on, where the trace does not model %s; %s", from+1, a.rep.Hops[from].Kind, refs, v.Summary)
	if (v.Kind == Blocked || v.Kind == Bypass) && v.AtHop >= from {
		v.Kind = Unknown
		v.Missing = append(v.Missing, "a model of "+refs)
	}
	a.downgradeUncertain(from, refs)
	return v
}

// downgradeUncertain turns Errors on hops from `from` on, or on no hop, into Warnings.
func (a *analysis) downgradeUncertain(from int, refs string) {
	for i := range a.rep.Findings {
		f := &a.rep.Findings[i]
		if f.Level != LevelError || (f.Hop >= 0 && f.Hop < from) {
			continue
		}
		f.Level = LevelWarning
		f.Message += " (uncertain: it rests on hops the trace does not model, see " + refs + ")"
	}
}

// uncertainRefs names the objects and findings once each, in hop order:
// "EnvoyFilter istio-system/sni-proxy (EGR0701)".
func uncertainRefs(u []Uncertainty) string {
	var refs []string
	for _, x := range u {
		if r := x.Object + " (" + x.Code + ")"; !slices.Contains(refs, r) {
			refs = append(refs, r)
		}
	}
	return strings.Join(refs, ", ")
}
