package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/trace"
)

// TraceFormats are the -o values WriteTrace accepts, default first.
var TraceFormats = []string{"table", "wide", "json", "yaml", "mermaid", "dot"}

// TraceOptions tune the human formats.
type TraceOptions struct {
	// Color wraps the verdict line in ANSI colours (table and wide only).
	Color bool
}

// WriteTrace writes r in one of TraceFormats.
func WriteTrace(w io.Writer, r *trace.Report, format string, opts TraceOptions) error {
	switch format {
	case "", "table":
		return WriteTraceTable(w, r, false, opts)
	case "wide":
		return WriteTraceTable(w, r, true, opts)
	case "json":
		return WriteJSON(w, r)
	case "yaml":
		return WriteYAML(w, r)
	case "mermaid":
		return WriteTraceMermaid(w, r)
	case "dot":
		return WriteTraceDot(w, r)
	}
	return fmt.Errorf("unknown trace output format %q", format)
}

// WriteTraceTable writes the verdict lines, the hops table and the findings table.
func WriteTraceTable(w io.Writer, r *trace.Report, wide bool, opts TraceOptions) error {
	if _, err := io.WriteString(w, verdictLines(r, opts.Color)); err != nil {
		return err
	}
	if len(r.Hops) > 0 {
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
		headers, rows := hopRows(r, wide)
		if err := WriteTable(w, headers, rows); err != nil {
			return err
		}
	}
	if len(r.Findings) == 0 {
		return nil
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return err
	}
	headers, rows := findingRows(r, wide)
	return WriteTable(w, headers, rows)
}

// TargetString is "host:port (protocol)", the way the trace names its destination.
func TargetString(t trace.Target) string {
	s := t.Host
	if t.Port != 0 {
		s += ":" + strconv.Itoa(t.Port)
	}
	if t.Protocol != "" {
		s += " (" + t.Protocol + ")"
	}
	return s
}

// verdictLines are the kubectl-describe-like lines above the tables.
func verdictLines(r *trace.Report, color bool) string {
	var b strings.Builder
	from := r.From.Pod
	if from == "" {
		from = r.From.Ref
	}
	kind := Escape(string(r.Verdict.Kind))
	if color {
		kind = colorize(r.Verdict.Kind, kind)
	}
	fmt.Fprintf(&b, "TRACE     %s from %s\n", Escape(TargetString(r.Target)), Escape(r.From.Namespace+"/"+from))
	fmt.Fprintf(&b, "VERDICT   %s: %s\n", kind, Escape(r.Verdict.Summary))
	if r.Verdict.Response != "" {
		fmt.Fprintf(&b, "RESPONSE  %s\n", Escape(r.Verdict.Response))
	}
	if len(r.Verdict.Missing) > 0 {
		fmt.Fprintf(&b, "MISSING   %s\n", Escape(strings.Join(r.Verdict.Missing, ", ")))
	}
	if len(r.Inputs.MissingDumps) > 0 {
		fmt.Fprintf(&b, "NO DUMP   %s (traced from Istio config only)\n", Escape(strings.Join(r.Inputs.MissingDumps, ", ")))
	}
	return b.String()
}

// colorize wraps an already escaped s in the ANSI colour of the verdict kind.
func colorize(k trace.VerdictKind, s string) string {
	code := "33" // yellow: bypass, unknown
	switch k {
	case trace.ViaGateway, trace.Direct:
		code = "32"
	case trace.Blocked:
		code = "31"
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func hopRows(r *trace.Report, wide bool) ([]string, [][]string) {
	headers := []string{"#", "proxy", "hop", "name", "detail", "tls", "status"}
	if wide {
		headers = []string{"#", "proxy", "hop", "name", "detail", "tls", "sni", "credential", "object", "status"}
	}
	rows := make([][]string, 0, len(r.Hops))
	for i, h := range r.Hops {
		row := []string{strconv.Itoa(i + 1), dash(h.Proxy), string(h.Kind), dash(h.Name), dash(h.Detail), tlsMode(h.TLS)}
		if wide {
			row = append(row, dash(tlsSNI(h.TLS)), dash(tlsCredential(h.TLS)), dash(h.Object))
		}
		rows = append(rows, append(row, hopStatus(h)))
	}
	return headers, rows
}

func findingRows(r *trace.Report, wide bool) ([]string, [][]string) {
	headers := []string{"level", "code", "object", "message"}
	if wide {
		headers = []string{"level", "code", "hop", "object", "proxy", "message", "fix"}
	}
	rows := make([][]string, 0, len(r.Findings))
	for _, f := range r.Findings {
		if wide {
			rows = append(rows, []string{string(f.Level), f.Code, hopNumber(f.Hop), dash(f.Object), dash(f.Proxy), f.Message, dash(f.Fix)})
			continue
		}
		rows = append(rows, []string{string(f.Level), f.Code, dash(f.Object), f.Message})
	}
	return headers, rows
}

// hopNumber is the 1-based number shown in the # column, "-" for none.
func hopNumber(i int) string {
	if i < 0 {
		return "-"
	}
	return strconv.Itoa(i + 1)
}

// hopStatus is the status, with the dump's state when it is not simply active.
func hopStatus(h trace.Hop) string {
	if h.State != "" && h.State != "active" {
		return string(h.Status) + " (" + h.State + ")"
	}
	return string(h.Status)
}

func tlsMode(t *trace.TLS) string {
	if t == nil || t.Mode == "" {
		return "-"
	}
	return t.Mode
}

func tlsSNI(t *trace.TLS) string {
	if t == nil {
		return ""
	}
	return t.SNI
}

func tlsCredential(t *trace.TLS) string {
	if t == nil {
		return ""
	}
	return t.Credential
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
