package render

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/secrets"
)

func TestEscape(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"edition.cnn.com", "edition.cnn.com"},
		{"ünïcødé 名前", "ünïcødé 名前"},
		{"a\nError   EGR0101 forged", `a\nError   EGR0101 forged`},
		{"cr\rtab\t", `cr\rtab\t`},
		{"esc\x1b[31m", "esc^[[31m"},
		{"bel\x07bs\x08nul\x00", "bel^Gbs^Hnul^@"},
		{"del\x7f", "del^?"},
		{"nel\u0085csi\u009b", `nel\u0085csi\u009b`},
		{"ls\u2028ps\u2029", `ls\u2028ps\u2029`},
		{"rlo\u202eoverride\u202c", `rlo\u202eoverride\u202c`},
		{"lri\u2066isolate\u2069", `lri\u2066isolate\u2069`},
		{"lrm\u200erlm\u200falm\u061c", `lrm\u200erlm\u200falm\u061c`},
		{"bad\xffutf8\xc3", `bad\xffutf8\xc3`},
		{"zwj\u200d is kept", "zwj\u200d is kept"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Escape(Escape(tt.in)); got != tt.want {
			t.Errorf("Escape(Escape(%q)) = %q, want %q (idempotent)", tt.in, got, tt.want)
		}
	}
}

// forged is a value a hostile object name, route name or dump field could carry: a line
// break followed by a fake finding row, then every class of character Escape rewrites.
const forged = "sleep-abc\nError   EGR0101   -   forged\r\x1b[2K\x07\x7f\u0085\u2028\u2029\u202e\u2066\xff\t."

// unsafeOutput returns the first rune of out, other than the newlines the renderer
// writes itself, that must not reach a terminal.
func unsafeOutput(out string) (rune, bool) {
	for i, r := range out {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(out[i:]); size <= 1 {
				return r, true
			}
		}
		if r != '\n' && unsafeRune(r) {
			return r, true
		}
	}
	return 0, false
}

// fillStrings sets every settable string (and string-kinded type) reachable from v to s,
// through structs, pointers (allocating nil ones) and slice elements.
func fillStrings(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(s)
		}
	case reflect.Pointer:
		if v.IsNil() && v.CanSet() && v.Type().Elem().Kind() == reflect.Struct {
			v.Set(reflect.New(v.Type().Elem()))
		}
		if !v.IsNil() {
			fillStrings(v.Elem(), s)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillStrings(v.Field(i), s)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			fillStrings(v.Index(i), s)
		}
	}
}

func secretsReport() *secrets.Report {
	days := 12
	return &secrets.Report{
		Credentials: []secrets.Credential{{
			UsedBy:  []secrets.Use{{Hosts: []string{"h"}}, {}},
			Proxies: []secrets.Proxy{{SDS: []secrets.SDSSecret{{Clusters: []secrets.ClusterUse{{}}}}}, {}},
			Secret: secrets.SecretState{Keys: []mesh.SecretKey{{Bytes: 3}, {Bytes: 1}}, DaysLeft: &days,
				Leaf: &mesh.CertSummary{}, Chain: []mesh.CertSummary{{}}},
			Findings: []secrets.Finding{{}},
		}, {}},
		Findings: []secrets.Finding{{}, {}},
		Inputs:   secrets.Inputs{Proxies: []string{"p"}},
	}
}

// TestRenderersCannotBeForged fills every string of a trace report and a check-secrets
// report with a forged value and renders each human format: the output has exactly as
// many lines as with a harmless value, and no control, separator or bidi character nor
// invalid UTF-8 reaches it.
func TestRenderersCannotBeForged(t *testing.T) {
	render := map[string]func(string) (string, error){}
	for _, format := range TraceFormats {
		if format == "json" || format == "yaml" {
			continue // exact data: their encoders escape
		}
		render["trace -o "+format] = func(s string) (string, error) {
			r := traceReport()
			fillStrings(reflect.ValueOf(r), s)
			var b bytes.Buffer
			err := WriteTrace(&b, r, format, TraceOptions{})
			return b.String(), err
		}
	}
	for _, wide := range []bool{false, true} {
		render["check-secrets wide="+map[bool]string{false: "false", true: "true"}[wide]] = func(s string) (string, error) {
			r := secretsReport()
			fillStrings(reflect.ValueOf(r), s)
			var b bytes.Buffer
			err := SecretsTable(&b, r, wide)
			return b.String(), err
		}
	}
	for name, fn := range render {
		t.Run(name, func(t *testing.T) {
			plain, err := fn("x")
			if err != nil {
				t.Fatal(err)
			}
			got, err := fn(forged)
			if err != nil {
				t.Fatal(err)
			}
			if n, want := strings.Count(got, "\n"), strings.Count(plain, "\n"); n != want {
				t.Errorf("%s wrote %d lines with a forged value, want %d:\n%s", name, n, want, got)
			}
			if r, bad := unsafeOutput(got); bad {
				t.Errorf("%s wrote %U:\n%q", name, r, got)
			}
			if !strings.Contains(got, "sleep-abc") {
				t.Errorf("%s does not show the forged value at all:\n%s", name, got)
			}
		})
	}
}
