package realenvoy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// State is what Envoy's /config_dump says about its dynamic listeners and clusters.
type State struct {
	Listeners map[string]string // name → active, warming, error (comma-joined when several)
	Clusters  map[string]string // name → active, warming
	Secrets   map[string]string // name → active, warming
}

// Warming lists the listeners and clusters Envoy has warming, as "listener NAME" / "cluster NAME".
func (s State) Warming() []string {
	var out []string
	for n, st := range s.Listeners {
		if strings.Contains(st, "warming") {
			out = append(out, "listener "+n)
		}
	}
	for n, st := range s.Clusters {
		if st == "warming" {
			out = append(out, "cluster "+n)
		}
	}
	sort.Strings(out)
	return out
}

// ParseState reads the states from a /config_dump body.
func ParseState(body []byte) (State, error) {
	var dump struct {
		Configs []map[string]json.RawMessage `json:"configs"`
	}
	if err := json.Unmarshal(body, &dump); err != nil {
		return State{}, fmt.Errorf("read envoy /config_dump: %w", err)
	}
	s := State{Listeners: map[string]string{}, Clusters: map[string]string{}, Secrets: map[string]string{}}
	for _, c := range dump.Configs {
		s.listeners(c["dynamic_listeners"])
		names(c["dynamic_active_clusters"], "cluster", s.Clusters, "active")
		names(c["dynamic_warming_clusters"], "cluster", s.Clusters, "warming")
		names(c["dynamic_active_secrets"], "", s.Secrets, "active")
		names(c["dynamic_warming_secrets"], "", s.Secrets, "warming")
	}
	return s, nil
}

func (s State) listeners(raw json.RawMessage) {
	var ls []map[string]json.RawMessage
	_ = json.Unmarshal(raw, &ls)
	for _, l := range ls {
		var name string
		_ = json.Unmarshal(l["name"], &name)
		var st []string
		for _, k := range []string{"active_state", "warming_state", "error_state"} {
			if _, ok := l[k]; ok {
				st = append(st, strings.TrimSuffix(k, "_state"))
			}
		}
		s.Listeners[name] = strings.Join(st, ",")
	}
}

// names records each entry's name (entry.name, or entry[inner].name) with state.
func names(raw json.RawMessage, inner string, into map[string]string, state string) {
	var items []map[string]json.RawMessage
	_ = json.Unmarshal(raw, &items)
	for _, it := range items {
		var n struct {
			Name string `json:"name"`
		}
		src := it["name"]
		if inner != "" {
			_ = json.Unmarshal(it[inner], &n)
		} else {
			_ = json.Unmarshal(src, &n.Name)
		}
		if n.Name != "" {
			into[n.Name] = state
		}
	}
}

func (s State) signature() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Settle polls /config_dump until Envoy has taken every served listener and cluster (or
// rejected it), nothing is warming beyond what the dump itself shows warming, and the state
// has held for a second; bounded by timeout. It returns the last state and what is still
// warming unexpectedly (empty when settled).
func (e *Envoy) Settle(t testing.TB, timeout time.Duration) (State, []string) {
	t.Helper()
	want := map[string]bool{}
	for _, n := range e.Feed.WarmingListeners {
		want["listener "+n] = true
	}
	for _, n := range e.Feed.WarmingClusters {
		want["cluster "+n] = true
	}
	deadline := time.Now().Add(timeout)
	var last State
	var unexpected []string
	sig, same := "", 0
	for time.Now().Before(deadline) {
		body, code, err := e.Get("/config_dump")
		if err != nil || code != 200 {
			t.Fatalf("real envoy %s: /config_dump: %d %v\n%s", e.ns, code, err, tail(e.Log(), 40))
		}
		if last, err = ParseState(body); err != nil {
			t.Fatal(err)
		}
		unexpected = unexpected[:0]
		for _, w := range last.Warming() {
			if !want[w] {
				unexpected = append(unexpected, w)
			}
		}
		unexpected = append(unexpected, e.missing(last)...)
		if s := last.signature(); s == sig {
			same++
		} else {
			sig, same = s, 0
		}
		if same >= 5 && len(unexpected) == 0 {
			return last, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return last, append([]string(nil), unexpected...)
}

// missing lists the served listeners and clusters Envoy's dump does not show in any state
// (not yet received, or its init is blocked) and that it did not reject.
func (e *Envoy) missing(s State) []string {
	nacked := strings.Builder{}
	for _, n := range e.Nacks() {
		nacked.WriteString(n.Message)
	}
	var out []string
	for _, l := range e.Feed.Listeners {
		if n := str(l["name"]); s.Listeners[n] == "" && !strings.Contains(nacked.String(), n) {
			out = append(out, "listener "+n+" (missing)")
		}
	}
	for _, c := range e.Feed.Clusters {
		if n := str(c["name"]); s.Clusters[n] == "" && !strings.Contains(nacked.String(), n) {
			out = append(out, "cluster "+n+" (missing)")
		}
	}
	return out
}
