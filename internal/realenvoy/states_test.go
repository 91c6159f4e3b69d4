package realenvoy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
)

// realDir holds dumps real Envoy wrote (testdata/envoy/real/README.md says how).
func realDir() string { return filepath.Join(testcluster.RepoRoot(), "testdata", "envoy", "real") }

// saveReal writes Envoy's own dump as a fixture under REALENVOY_UPDATE, else checks the
// committed one still shows the same states (Envoy's dump modulo times).
func saveReal(t *testing.T, name string, body []byte) {
	t.Helper()
	path := filepath.Join(realDir(), name)
	if err := CheckRedacted(body); err != nil {
		t.Fatalf("real envoy's dump for %s: %v: not saved", name, err)
	}
	if os.Getenv("REALENVOY_UPDATE") != "" {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatal(err)
		}
		out, _ := json.MarshalIndent(v, "", "  ")
		if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create with REALENVOY_UPDATE=1)", err)
	}
	a, _ := ParseState(old)
	b, _ := ParseState(body)
	if a.signature() != b.signature() {
		t.Errorf("real envoy's states differ from %s (refresh with REALENVOY_UPDATE=1):\n committed %s\n now       %s", path, a.signature(), b.signature())
	}
}

// listenerError is the error_state.details Envoy reports for listener name ("" if none).
func listenerError(t *testing.T, body []byte, name string) string {
	t.Helper()
	var d struct {
		Configs []struct {
			DynamicListeners []struct {
				Name       string `json:"name"`
				ErrorState *struct {
					Details string `json:"details"`
				} `json:"error_state"`
			} `json:"dynamic_listeners"`
		} `json:"configs"`
	}
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Configs {
		for _, l := range c.DynamicListeners {
			if l.Name == name && l.ErrorState != nil {
				return l.ErrorState.Details
			}
		}
	}
	return ""
}

// TestRealRejectedListener feeds the edited gateway fixture (listener 0.0.0.0_9443 with its
// only filter chain twice, a warming secret) to real Envoy, which must reject the listener
// with its own error_state text, the text the edited fixture quotes.
func TestRealRejectedListener(t *testing.T) {
	Require(t)
	fixture := filepath.Join(testcluster.RepoRoot(), "testdata", "envoy", "egress-gateway-edited.json")
	e := Start(t, mustFeed(t, fixture), Options{})
	st, _ := e.Settle(t, 20*time.Second)
	body, _, err := e.Get("/config_dump?include_eds")
	if err != nil {
		t.Fatal(err)
	}
	got := listenerError(t, body, "0.0.0.0_9443")
	want := listenerError(t, mustRead(t, fixture), "0.0.0.0_9443")
	t.Logf("real envoy: listener 0.0.0.0_9443 error_state.details = %q", got)
	t.Logf("real envoy states: %s", st.signature())
	for _, n := range e.Nacks() {
		t.Logf("real envoy rejected %s: %s", n.TypeURL, n.Message)
	}
	if got != want {
		t.Errorf("real envoy rejects 0.0.0.0_9443 with %q; the edited fixture says %q", got, want)
	}
	saveReal(t, "egress-gateway-rejected-listener.json", body)
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
