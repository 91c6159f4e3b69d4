package trace

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const findingsDoc = "../docs/findings.md"

// TestChecksRegistered fails when a check_*.go file declares a check missing from the
// checks list, or the list holds one no file declares.
func TestChecksRegistered(t *testing.T) {
	declared := declaredChecks(t)
	var registered []string
	for _, c := range checks {
		registered = append(registered, c.code)
	}
	for name, code := range declared {
		if !slices.Contains(registered, code) {
			t.Errorf("%s (%s) is declared but not in the checks list", name, code)
		}
	}
	if len(declared) != len(checks) {
		t.Errorf("%d checks declared in check_*.go, %d registered", len(declared), len(checks))
	}
}

// declaredChecks maps each `var checkX = check{...}` in check_*.go to its code.
func declaredChecks(t *testing.T) map[string]string {
	t.Helper()
	files, _ := filepath.Glob("check_*.go")
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		ast.Inspect(af, func(node ast.Node) bool {
			vs, ok := node.(*ast.ValueSpec)
			if !ok || len(vs.Values) != 1 {
				return true
			}
			if cl, ok := vs.Values[0].(*ast.CompositeLit); ok && fmt.Sprint(cl.Type) == "check" {
				out[vs.Names[0].Name] = codeOf(cl)
				n++
			}
			return true
		})
		if n != 1 {
			t.Errorf("%s declares %d checks, want exactly one", f, n)
		}
	}
	return out
}

func codeOf(cl *ast.CompositeLit) string {
	for _, e := range cl.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok && fmt.Sprint(kv.Key) == "code" {
			if bl, ok := kv.Value.(*ast.BasicLit); ok {
				return strings.Trim(bl.Value, `"`)
			}
		}
	}
	return ""
}

var codePattern = regexp.MustCompile(`^EGR0[1-7]\d\d$`)

func TestCatalogueCodes(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Catalogue() {
		if !codePattern.MatchString(d.Code) {
			t.Errorf("code %q does not match %s", d.Code, codePattern)
		}
		if seen[d.Code] {
			t.Errorf("code %s is used twice", d.Code)
		}
		seen[d.Code] = true
		if d.Title == "" || d.Doc == "" || d.Class == "" || d.Level == "" {
			t.Errorf("%s: title, doc, class and level are required: %+v", d.Code, d)
		}
	}
}

// TestFindingsDoc keeps docs/findings.md equal to the catalogue; -update rewrites it.
func TestFindingsDoc(t *testing.T) {
	got := renderFindingsDoc(Catalogue())
	if *update {
		if err := os.WriteFile(findingsDoc, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(findingsDoc)
	if err != nil {
		t.Fatalf("read %s: %v (run go test ./trace -update)", findingsDoc, err)
	}
	if string(want) != got {
		t.Errorf("%s is out of sync with Catalogue(); run go test ./trace -update", findingsDoc)
	}
}

var groups = []struct{ prefix, title string }{
	{"EGR01", "Registry (01xx)"}, {"EGR02", "Routing through the egress gateway (02xx)"},
	{"EGR03", "Visibility and scoping (03xx)"}, {"EGR04", "TLS origination and secrets (04xx)"},
	{"EGR05", "Capture and network (05xx)"}, {"EGR06", "Proxy state (06xx)"},
	{"EGR07", "Not modelled (07xx, class G: configuration the trace does not model)"},
}

func renderFindingsDoc(docs []FindingDoc) string {
	var b strings.Builder
	b.WriteString("# Trace findings\n\n<!-- Generated from trace.Catalogue() by `go test ./trace -update`; do not edit. -->\n\n")
	b.WriteString("Every finding of `kubectl egress trace` has a permanent code. Classes refer to\n`EGRESS-FAILURES.md`. Findings are ordered Error, Warning, Info, then by hop.\n\n")
	b.WriteString("| Code | Level | Class | Title |\n|---|---|---|---|\n")
	for _, d := range docs {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s |\n", d.Code, strings.ToLower(d.Code), d.Level, d.Class, d.Title)
	}
	for _, g := range groups {
		fmt.Fprintf(&b, "\n## %s\n", g.title)
		for _, d := range docs {
			if strings.HasPrefix(d.Code, g.prefix) {
				fmt.Fprintf(&b, "\n### %s\n\n%s — %s (class %s)\n\n%s\n", d.Code, d.Level, d.Title, d.Class, d.Doc)
			}
		}
	}
	return b.String()
}
