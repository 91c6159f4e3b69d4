package realenvoy

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// TestScenarioDumpsLoad feeds every istiod-generated scenario dump to a real Envoy: after the
// Istio-only extensions are removed, Envoy must accept every resource (no NACK) and warm
// nothing the dump does not show warming.
func TestScenarioDumpsLoad(t *testing.T) {
	Require(t)
	for _, fx := range scenarioFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			t.Parallel()
			e := Start(t, mustFeed(t, fx.path), Options{})
			logFeed(t, e)
			_, unexpected := e.Settle(t, 20*time.Second)
			for _, err := range e.Rejected {
				t.Errorf("harness could not serve: %v", err)
			}
			for _, n := range e.Nacks() {
				t.Errorf("real envoy rejected %s: %s", n.TypeURL, n.Message)
			}
			if len(unexpected) > 0 {
				t.Errorf("real envoy still warming %v; the dump shows warming only %v %v", unexpected, e.Feed.WarmingListeners, e.Feed.WarmingClusters)
			}
		})
	}
}

// TestPublicDumpsLoad feeds every other v3 dump (testdata/envoy, and the shared public ones
// when present) to a real Envoy with a minimal bootstrap, and keeps beside each a record of
// what the harness changed, what Envoy 1.40's API could not even decode, what Envoy NACKed and
// what it ended with. Old fixtures (Istio 1.5–1.6 wrote v2 types and fields Envoy 1.40 no
// longer has) are expected to be partly rejected: the record says which and why, and the test
// fails when Envoy does not run, never settles, or does something other than the record says.
func TestPublicDumpsLoad(t *testing.T) {
	Require(t)
	fixtures, skipped := publicFixtures(t)
	for name, why := range skipped {
		t.Logf("not loaded: %s: %s", name, why)
	}
	if _, err := os.Stat(sharedPublic); err != nil {
		t.Logf("%s not on this machine: only the repository's fixtures are loaded", sharedPublic)
	}
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			t.Parallel()
			e := Start(t, mustFeed(t, fx.path), Options{Minimal: true})
			logFeed(t, e)
			st, unexpected := e.Settle(t, 20*time.Second)
			got := loadRecord(fx.name, e, st, unexpected)
			t.Log(got)
			compareRecord(t, fx.loadRecord(), got)
		})
	}
}

// loadRecord is what Envoy made of a fixture: the harness's bootstrap changes, resources
// Envoy's API could not decode (grouped by reason), NACKs with Envoy's text, and the state
// Envoy settled in. It holds no times, pids or paths, so it is the same on every run.
func loadRecord(name string, e *Envoy, st State, unexpected []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s in real Envoy %s (minimal bootstrap; TestPublicDumpsLoad, refresh with REALENVOY_UPDATE=1)\n", name, Version)
	f := e.Feed
	fmt.Fprintf(&b, "fed: %d listeners, %d clusters, %d route configs, %d endpoint sets, %d extension configs, %d secrets\n",
		len(f.Listeners), len(f.Clusters), len(f.Routes), len(f.Endpoints), len(f.Extensions), len(f.Secrets))
	for _, n := range e.Notes {
		if strings.HasPrefix(n, "node ") || strings.HasPrefix(n, "bootstrap extension ") {
			fmt.Fprintf(&b, "harness: %s\n", n)
		}
	}
	for _, g := range groupRejected(e.Rejected) {
		fmt.Fprintf(&b, "not decodable by Envoy %s's API: %s\n", Version, g)
	}
	var nacks []string
	for _, n := range e.Nacks() {
		nacks = append(nacks, fmt.Sprintf("NACK %s: %s", n.TypeURL, n.Message))
	}
	sort.Strings(nacks)
	for _, n := range slices.Compact(nacks) {
		fmt.Fprintln(&b, n)
	}
	fmt.Fprintf(&b, "settled: %d listeners, %d clusters, %d secrets in Envoy's dump\n", len(st.Listeners), len(st.Clusters), len(st.Secrets))
	sort.Strings(unexpected)
	for _, u := range unexpected {
		fmt.Fprintf(&b, "not as dumped: %s\n", u)
	}
	return b.String()
}

// lineCol is protojson's position in an error, which says nothing about the reason.
var lineCol = regexp.MustCompile(`\(line \d+:\d+\): `)

// groupRejected groups "KIND "NAME": REASON" errors by kind and reason, listing the names.
func groupRejected(errs []error) []string {
	names := map[string][]string{}
	for _, err := range errs {
		// protojson varies its errors' spacing (U+00A0 at random) so that none is relied on.
		msg := lineCol.ReplaceAllString(strings.Join(strings.Fields(err.Error()), " "), "")
		kind, rest, _ := strings.Cut(msg, ` "`)
		name, reason, ok := strings.Cut(rest, `": `)
		if !ok {
			name, reason = "", rest
		}
		key := kind + ": " + reason
		names[key] = append(names[key], name)
	}
	var out []string
	for _, key := range mesh.SortedKeys(names) {
		n := names[key]
		sort.Strings(n)
		out = append(out, fmt.Sprintf("%s (%d: %s)", key, len(n), strings.Join(n, ", ")))
	}
	return out
}

// compareRecord compares got with the committed record at path, or writes it under
// REALENVOY_UPDATE=1.
func compareRecord(t *testing.T, path, got string) {
	t.Helper()
	if os.Getenv("REALENVOY_UPDATE") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create with REALENVOY_UPDATE=1)", err)
	}
	if got != string(want) {
		t.Errorf("differs from the record %s (review what changed; refresh with REALENVOY_UPDATE=1):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func logFeed(t *testing.T, e *Envoy) {
	t.Helper()
	f := e.Feed
	t.Logf("feed %s: %d listeners, %d clusters, %d route configs, %d endpoint sets, %d secrets (withheld %v)",
		f.NodeID(), len(f.Listeners), len(f.Clusters), len(f.Routes), len(f.Endpoints), len(f.Secrets), f.Withheld)
	for _, r := range f.Removals {
		t.Logf("removed: %v", r)
	}
	for _, n := range e.Notes {
		t.Logf("bootstrap: %s", n)
	}
	if len(f.Supplied) > 0 {
		t.Logf("supplied by the harness: %s", strings.Join(f.Supplied, "; "))
	}
}
