package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/trace"
)

// hopGroup is a run of consecutive hops held by the same proxy ("" for client/external).
type hopGroup struct {
	proxy string
	hops  []int
}

// groupHops splits the path into consecutive runs per proxy, in path order.
func groupHops(hops []trace.Hop) []hopGroup {
	var out []hopGroup
	for i, h := range hops {
		if n := len(out); n > 0 && out[n-1].proxy == h.Proxy {
			out[n-1].hops = append(out[n-1].hops, i)
			continue
		}
		out = append(out, hopGroup{proxy: h.Proxy, hops: []int{i}})
	}
	return out
}

// hopLabelLines are the lines of a hop's box: kind and name, then detail and TLS.
func hopLabelLines(h trace.Hop) []string {
	lines := []string{string(h.Kind) + ": " + dash(h.Name)}
	if h.Detail != "" {
		lines = append(lines, h.Detail)
	}
	if h.TLS != nil && h.TLS.Mode != "" {
		tls := "tls " + h.TLS.Mode
		if h.TLS.SNI != "" {
			tls += " sni " + h.TLS.SNI
		}
		lines = append(lines, tls)
	}
	if s := hopStatus(h); s != string(trace.StatusOK) {
		lines = append(lines, s)
	}
	for i, l := range lines {
		lines[i] = Escape(l)
	}
	return lines
}

// WriteTraceMermaid writes the path as a Mermaid flowchart, one subgraph per proxy; hops
// that fail or warn get the classes fail and warn.
func WriteTraceMermaid(w io.Writer, r *trace.Report) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	fmt.Fprintf(&b, "  %%%% %s from %s/%s: %s\n", mermaidComment(TargetString(r.Target)),
		mermaidComment(r.From.Namespace), mermaidComment(fromName(r.From)), mermaidComment(string(r.Verdict.Kind)))
	for gi, g := range groupHops(r.Hops) {
		indent := "  "
		if g.proxy != "" {
			fmt.Fprintf(&b, "  subgraph p%d[\"%s\"]\n", gi, mermaidText(g.proxy))
			indent = "    "
		}
		for _, i := range g.hops {
			fmt.Fprintf(&b, "%sh%d[\"%s\"]\n", indent, i, mermaidLines(hopLabelLines(r.Hops[i])))
		}
		if g.proxy != "" {
			b.WriteString("  end\n")
		}
	}
	for i := 1; i < len(r.Hops); i++ {
		fmt.Fprintf(&b, "  h%d --> h%d\n", i-1, i)
	}
	b.WriteString("  classDef fail fill:#fdd,stroke:#c00,stroke-width:2px\n")
	b.WriteString("  classDef warn fill:#ffe,stroke:#c90\n")
	for i, h := range r.Hops {
		switch h.Status {
		case trace.StatusFail:
			fmt.Fprintf(&b, "  class h%d fail\n", i)
		case trace.StatusWarning, trace.StatusUnknown:
			fmt.Fprintf(&b, "  class h%d warn\n", i)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteTraceDot writes the path as a Graphviz digraph, one cluster per proxy.
func WriteTraceDot(w io.Writer, r *trace.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph trace {\n  label=\"%s\";\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n",
		dotText(TargetString(r.Target)+" from "+r.From.Namespace+"/"+fromName(r.From)+": "+string(r.Verdict.Kind)))
	for gi, g := range groupHops(r.Hops) {
		indent := "  "
		if g.proxy != "" {
			fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=\"%s\";\n", gi, dotText(g.proxy))
			indent = "    "
		}
		for _, i := range g.hops {
			fmt.Fprintf(&b, "%sh%d [label=\"%s\"%s];\n", indent, i, dotLines(hopLabelLines(r.Hops[i])), dotStyle(r.Hops[i].Status))
		}
		if g.proxy != "" {
			b.WriteString("  }\n")
		}
	}
	for i := 1; i < len(r.Hops); i++ {
		fmt.Fprintf(&b, "  h%d -> h%d;\n", i-1, i)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func fromName(wl trace.Workload) string {
	if wl.Pod != "" {
		return wl.Pod
	}
	return wl.Ref
}

func dotStyle(s trace.Status) string {
	switch s {
	case trace.StatusFail:
		return `, color=red, penwidth=2`
	case trace.StatusWarning, trace.StatusUnknown:
		return `, color=orange`
	}
	return ""
}

// mermaidText escapes a string for a quoted Mermaid label (entity codes, no raw markup).
var mermaidReplacer = strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "\n", " ")

func mermaidText(s string) string { return mermaidReplacer.Replace(Escape(s)) }

func mermaidLines(lines []string) string {
	for i, l := range lines {
		lines[i] = mermaidReplacer.Replace(l)
	}
	return strings.Join(lines, "<br/>")
}

func mermaidComment(s string) string { return strings.ReplaceAll(Escape(s), "\n", " ") }

var dotReplacer = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func dotText(s string) string { return dotReplacer.Replace(Escape(s)) }

func dotLines(lines []string) string {
	for i, l := range lines {
		lines[i] = dotReplacer.Replace(l)
	}
	return strings.Join(lines, `\n`)
}
