package secrets

import (
	"slices"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// Results of a Credential.
const (
	ResultOK      = "ok"
	ResultWarning = "warning"
	ResultError   = "error"
	ResultSkipped = "skipped"
)

// Run checks every credential in scope. It is deterministic for a given Input.
func Run(in Input) *Report {
	if in.ExpiryWarning == 0 {
		in.ExpiryWarning = DefaultExpiryWarning
	}
	d := discover(in)
	rep := &Report{Credentials: []Credential{}, Findings: []Finding{}, Inputs: inputs(in, d)}
	found := map[string][]Finding{}
	for _, f := range d.findings {
		found[f.Credential] = append(found[f.Credential], f)
	}
	byName := secretsByName(in.Snapshot)
	for _, k := range mesh.SortedKeys(d.creds) {
		c := d.creds[k]
		x := newCheckCtx(in, c, byName[c.Name])
		x.findings = found[k]
		if x.used() && c.NotSecret == "" {
			for _, ch := range checks {
				ch.run(x)
			}
		}
		c.Secret = x.state
		c.ProxyState = proxyState(c)
		c.Findings = x.findings
		sortFindings(c.Findings)
		c.Result = result(c)
		rep.Credentials = append(rep.Credentials, *c)
		rep.Findings = append(rep.Findings, c.Findings...)
	}
	sortFindings(rep.Findings)
	return rep
}

func inputs(in Input, d *discovery) Inputs {
	out := Inputs{Source: in.Source, Now: in.Now.UTC(), ExpiryWarning: in.ExpiryWarning.String()}
	seen := map[string]bool{}
	for _, c := range d.creds {
		for pk := range d.pods[mesh.Key(c.Namespace, c.Name)] {
			seen[pk] = true
		}
	}
	for _, pk := range mesh.SortedKeys(seen) {
		out.Proxies = append(out.Proxies, pk)
		if in.Dumps[pk] == nil {
			out.MissingDumps = append(out.MissingDumps, pk)
		}
	}
	return out
}

// result is error/warning by the worst finding; skipped when the Secret was not readable.
func result(c *Credential) string {
	worst := -1
	for _, f := range c.Findings {
		worst = max(worst, f.Level.Rank())
	}
	switch {
	case worst >= LevelError.Rank():
		return ResultError
	case c.Secret.Access == mesh.AccessForbidden:
		return ResultSkipped
	case worst == LevelWarning.Rank():
		return ResultWarning
	}
	return ResultOK
}

// proxyState sums up the SDS states of the credential in its proxies' dumps.
func proxyState(c *Credential) string {
	if len(c.Proxies) == 0 {
		return "unused"
	}
	order := []string{"rejected", "warming", "absent", "unknown", "active"}
	worst := len(order) - 1
	for _, p := range c.Proxies {
		if !p.Dump {
			worst = min(worst, slices.Index(order, "unknown"))
			continue
		}
		for _, s := range p.SDS {
			if i := slices.Index(order, s.State); i >= 0 {
				worst = min(worst, i)
			}
		}
	}
	return order[worst]
}
