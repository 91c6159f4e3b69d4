package secrets

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCatalogue: codes unique and in EGR0450..EGR0499, every code reported by exactly one
// registered check (or by discovery), every check's codes in the catalogue.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Catalogue {
		if seen[r.Code] {
			t.Errorf("code %s listed twice", r.Code)
		}
		seen[r.Code] = true
		if r.Code < "EGR0450" || r.Code > "EGR0499" {
			t.Errorf("code %s outside EGR0450..EGR0499 (EGR0401.. belong to trace)", r.Code)
		}
		if r.Level.Rank() < 0 || r.Name == "" || r.Summary == "" || r.Class == "" {
			t.Errorf("rule %+v incomplete", r)
		}
	}
	owner := map[string]string{}
	for _, c := range discoveryCodes {
		owner[c] = "discovery"
	}
	for _, ch := range checks {
		for _, c := range ch.codes {
			if prev, dup := owner[c]; dup {
				t.Errorf("code %s reported by %s and %s", c, prev, ch.name)
			}
			owner[c] = ch.name
			if !seen[c] {
				t.Errorf("check %s reports %s, which is not in the catalogue", ch.name, c)
			}
		}
	}
	for _, r := range Catalogue {
		if owner[r.Code] == "" {
			t.Errorf("catalogue code %s is reported by no registered check", r.Code)
		}
	}
}

// docPath is the findings page kept in sync with Catalogue.
var docPath = filepath.Join("..", "docs", "secrets-findings.md")

// TestDocsInSync regenerates docs/secrets-findings.md under UPDATE_GOLDEN=1.
func TestDocsInSync(t *testing.T) {
	want := CatalogueMarkdown()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(docPath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(docPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("%v; run UPDATE_GOLDEN=1 go test ./secrets/ -run TestDocsInSync", err)
	}
	if string(got) != want {
		t.Errorf("%s is out of date with secrets.Catalogue; run UPDATE_GOLDEN=1 go test ./secrets/ -run TestDocsInSync", docPath)
	}
	for _, r := range Catalogue {
		if !strings.Contains(string(got), "| "+r.Code+" |") {
			t.Errorf("%s does not document %s", docPath, r.Code)
		}
	}
}

func TestLevelOrder(t *testing.T) {
	levels := []Level{LevelInfo, LevelWarning, LevelError}
	if !slices.IsSortedFunc(levels, func(a, b Level) int { return a.Rank() - b.Rank() }) {
		t.Error(fmt.Sprint("levels not ordered: ", levels))
	}
}
