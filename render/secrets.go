package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/secrets"
)

// SecretsTable writes one row per credential, then the findings, one per line.
func SecretsTable(w io.Writer, rep *secrets.Report, wide bool) error {
	headers := []string{"NAME", "NAMESPACE", "USED BY", "KEYS", "EXPIRES", "PROXY STATE", "RESULT"}
	if wide {
		headers = append(headers, "MODE", "PROXIES", "LIST SECRETS", "LEAF", "CHAIN")
	}
	rows := make([][]string, 0, len(rep.Credentials))
	for _, c := range rep.Credentials {
		row := []string{c.Name, c.Namespace, secUsedBy(c), secKeys(c), secExpires(c), c.ProxyState, c.Result}
		if wide {
			row = append(row, secModes(c), secProxies(c), secListSecrets(c), secLeaf(c), secOrDash(c.Secret.ChainVerified))
		}
		rows = append(rows, row)
	}
	if err := WriteTable(w, headers, rows); err != nil {
		return err
	}
	return SecretsFindings(w, rep.Findings)
}

// SecretsFindings writes findings as Istio's analyzer prints messages, after a blank line.
func SecretsFindings(w io.Writer, fs []secrets.Finding) error {
	if len(fs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("\n")
	for _, f := range fs {
		b.WriteString(Escape(f.String()))
		if f.Fix != "" {
			b.WriteString("\n    fix: " + Escape(f.Fix))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func secUsedBy(c secrets.Credential) string {
	if len(c.UsedBy) == 0 {
		return "-"
	}
	s := c.UsedBy[0].Object
	if c.UsedBy[0].Ignored != "" {
		s += " (ignored)"
	}
	if n := len(c.UsedBy); n > 1 {
		s += " +" + strconv.Itoa(n-1)
	}
	return s
}

func secKeys(c secrets.Credential) string {
	switch c.Secret.Access {
	case "forbidden":
		return "<forbidden>"
	case "notfound":
		return "<missing>"
	}
	names := make([]string, 0, len(c.Secret.Keys))
	for _, k := range c.Secret.Keys {
		n := k.Name
		if k.Bytes == 0 {
			n += "(empty)"
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		return "<none>"
	}
	return strings.Join(names, ",")
}

func secExpires(c secrets.Credential) string {
	if c.Secret.DaysLeft == nil {
		return "-"
	}
	return fmt.Sprintf("%s (%dd)", c.Secret.Expires.Format("2006-01-02"), *c.Secret.DaysLeft)
}

func secModes(c secrets.Credential) string {
	var out []string
	for _, u := range c.UsedBy {
		m := u.Mode + "/" + u.Proxy
		if !secContains(out, m) {
			out = append(out, m)
		}
	}
	return secOrDash(strings.Join(out, ","))
}

func secProxies(c secrets.Credential) string {
	out := make([]string, 0, len(c.Proxies))
	for _, p := range c.Proxies {
		out = append(out, p.Pod)
	}
	return secOrDash(strings.Join(out, ","))
}

func secListSecrets(c secrets.Credential) string {
	var out []string
	for _, p := range c.Proxies {
		if !secContains(out, p.ListSecrets) {
			out = append(out, p.ListSecrets)
		}
	}
	return secOrDash(strings.Join(out, ","))
}

func secLeaf(c secrets.Credential) string {
	if c.Secret.Leaf == nil {
		return "-"
	}
	return c.Secret.Leaf.Subject
}

func secOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func secContains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
