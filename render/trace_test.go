package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/trace"
)

// traceReport is a valid two-proxy report; tests change what they look at.
func traceReport(mods ...func(*trace.Report)) *trace.Report {
	r := &trace.Report{
		Target:  trace.Target{Host: "edition.cnn.com", Port: 443, Protocol: "tls"},
		From:    trace.Workload{Namespace: "default", Pod: "sleep-1", Ref: "deploy/sleep", Sidecar: true},
		Verdict: trace.Verdict{Kind: trace.Blocked, Summary: "no cluster", Response: "503 NC cluster_not_found", AtHop: 2},
		Hops: []trace.Hop{
			{Kind: trace.HopClient, Name: "10.244.0.10", Status: trace.StatusOK},
			{Kind: trace.HopListener, Proxy: "default/sleep-1", Name: "0.0.0.0_443", Detail: "sni edition.cnn.com",
				TLS: &trace.TLS{Mode: "passthrough", SNI: "edition.cnn.com"}, Status: trace.StatusOK},
			{Kind: trace.HopCluster, Proxy: "default/sleep-1", Name: "outbound|443|cnn|istio-egressgateway.istio-system.svc.cluster.local",
				Object: "DestinationRule default/egressgateway-for-cnn", State: "warming", Status: trace.StatusFail},
		},
		Findings: []trace.Finding{{Code: "EGR0001", Level: trace.LevelError, Object: "DestinationRule default/egressgateway-for-cnn",
			Hop: 2, Message: "subset cnn is not defined", Fix: "add subset cnn"}},
		Inputs: trace.Inputs{Source: "files"},
	}
	for _, m := range mods {
		m(r)
	}
	return r
}

func TestWriteTraceTable(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTrace(&b, traceReport(), "table", TraceOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `TRACE     edition.cnn.com:443 (tls) from default/sleep-1
VERDICT   blocked: no cluster
RESPONSE  503 NC cluster_not_found

#   PROXY             HOP        NAME                                                                  DETAIL                TLS           STATUS
1   -                 client     10.244.0.10                                                           -                     -             ok
2   default/sleep-1   listener   0.0.0.0_443                                                           sni edition.cnn.com   passthrough   ok
3   default/sleep-1   cluster    outbound|443|cnn|istio-egressgateway.istio-system.svc.cluster.local   -                     -             fail (warming)

LEVEL   CODE      OBJECT                                          MESSAGE
Error   EGR0001   DestinationRule default/egressgateway-for-cnn   subset cnn is not defined
`
	if got := b.String(); got != want {
		t.Errorf("table =\n%s\nwant\n%s", got, want)
	}
}

func TestWriteTraceEscapes(t *testing.T) {
	evil := func(r *trace.Report) {
		r.Verdict.Summary = "bad \x1b[31m\"summary\""
		r.Hops[1].Detail = `sni "<b>" \ x` + "\x1b]0;title\x07"
		r.Findings[0].Message = "msg \x1b[2J"
	}
	for _, format := range TraceFormats {
		if format == "json" || format == "yaml" {
			continue // encoders escape control characters themselves
		}
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteTrace(&b, traceReport(evil), format, TraceOptions{}); err != nil {
				t.Fatal(err)
			}
			if strings.ContainsAny(b.String(), "\x1b\x07") {
				t.Errorf("-o %s wrote a terminal escape:\n%q", format, b.String())
			}
		})
	}
	var b bytes.Buffer
	if err := WriteTraceMermaid(&b, traceReport(evil)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `sni #quot;#lt;b#gt;#quot;`) {
		t.Errorf("mermaid label not entity-escaped:\n%s", b.String())
	}
	b.Reset()
	if err := WriteTraceDot(&b, traceReport(evil)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `sni \"<b>\" \\ x`) {
		t.Errorf("dot label not escaped:\n%s", b.String())
	}
}

func TestWriteTraceGraphsMarkFailingHop(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTraceMermaid(&b, traceReport()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"flowchart LR\n", "  subgraph p1[\"default/sleep-1\"]\n", "  h1 --> h2\n", "  class h2 fail\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("mermaid lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := WriteTraceDot(&b, traceReport()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"digraph trace {\n", "subgraph cluster_1 {", "h1 -> h2;", "color=red"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("dot lacks %q:\n%s", want, b.String())
		}
	}
}

func TestWriteTraceUnknownFormat(t *testing.T) {
	if err := WriteTrace(&bytes.Buffer{}, traceReport(), "xml", TraceOptions{}); err == nil {
		t.Error(`WriteTrace(-o xml) = nil error, want one`)
	}
}
