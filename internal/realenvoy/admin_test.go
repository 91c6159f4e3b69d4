package realenvoy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/internal/envoyadmin"
	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// adminProbes are requests beyond the live fetch's: each parameter alone, their combinations,
// and the error answers (non-repeated resource, unknown resource, a mask fitting nothing, a
// mask through a repeated field, an invalid regex).
var adminProbes = []string{
	"/config_dump",
	"/config_dump?include_eds",
	"/config_dump?mask=bootstrap",
	"/config_dump?mask=dynamic_active_clusters",
	"/config_dump?mask=static_clusters,dynamic_active_clusters,dynamic_warming_clusters&name_regex=.*443.*",
	"/config_dump?resource=dynamic_active_clusters",
	"/config_dump?resource=dynamic_listeners&name_regex=0%5C.0%5C.0%5C.0_.*",
	"/config_dump?resource=dynamic_active_clusters&mask=cluster.name,cluster.type",
	"/config_dump?resource=dynamic_route_configs&mask=route_config.name",
	"/config_dump?resource=dynamic_endpoint_configs&include_eds",
	"/config_dump?resource=dynamic_active_secrets",
	"/config_dump?name_regex=outbound.*",
	"/config_dump?include_eds&name_regex=outbound%5C%7C443.*",
	"/config_dump?mask=static_endpoint_configs,dynamic_endpoint_configs&include_eds",
	"/config_dump?resource=bootstrap",
	"/config_dump?resource=no_such_field",
	"/config_dump?mask=no_such_field",
	"/config_dump?mask=static_clusters.name",
	"/config_dump?name_regex=%5B",
}

// TestAdminAPIIsEnvoys sends every request the live fetch makes for the scenario's target
// (FetchForHost, with and without WithClient, and its whole-dump fallback) plus adminProbes
// to the real Envoy and to internal/envoyadmin serving Envoy's own dump: answers must be
// equal (status and JSON, modulo last_updated/version_info).
func TestAdminAPIIsEnvoys(t *testing.T) {
	Require(t)
	for _, fx := range scenarioFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			t.Parallel()
			e := Start(t, mustFeed(t, fx.path), Options{})
			e.Settle(t, 20*time.Second)
			full, code, err := e.Get("/config_dump?include_eds")
			if err != nil || code != 200 {
				t.Fatalf("real envoy /config_dump?include_eds: %d %v", code, err)
			}
			if dir := os.Getenv("REALENVOY_KEEP"); dir != "" {
				_ = os.WriteFile(filepath.Join(dir, filepath.Base(fx.path)+".full.json"), full, 0o644)
			}
			stand, err := envoyadmin.New(full)
			if err != nil {
				t.Fatalf("envoyadmin.New(real envoy's dump): %v", err)
			}
			paths := append(fetchPaths(t, e), adminProbes...)
			for _, p := range dedupe(paths) {
				compareAdmin(t, e, stand, p)
			}
		})
	}
}

// fetchPaths runs the live fetch against the real Envoy for the hosts the scenarios trace
// and records every request it makes.
func fetchPaths(t *testing.T, e *Envoy) []string {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	get := func(_ context.Context, path string) ([]byte, error) {
		mu.Lock()
		seen = append(seen, path)
		mu.Unlock()
		body, code, err := e.Get(path)
		if err != nil {
			return nil, err
		}
		if code != http.StatusOK {
			line, _, _ := strings.Cut(string(body), "\n")
			return nil, &envoy.AdminError{Code: code, Status: http.StatusText(code), Body: line}
		}
		return body, nil
	}
	for _, h := range []struct {
		host string
		port int
	}{{"edition.cnn.com", 80}, {"edition.cnn.com", 443}, {"my-nginx.mesh-external.svc.cluster.local", 80}, {"httpbin.org", 443}} {
		hf, err := envoy.FetchForHost(context.Background(), get, h.host, h.port)
		if err != nil {
			t.Fatalf("FetchForHost(%s:%d) against real envoy: %v", h.host, h.port, err)
		}
		if hf.Full {
			t.Errorf("FetchForHost(%s:%d) against real envoy fell back to the whole dump: %s", h.host, h.port, hf.Note)
		}
		if _, err := envoy.FetchForHost(context.Background(), get, h.host, h.port, envoy.WithClient(envoy.PodRef{}, "10.96.10.10")); err != nil {
			t.Fatalf("FetchForHost(%s:%d, WithClient) against real envoy: %v", h.host, h.port, err)
		}
	}
	seen = append(seen, envoy.FullDumpQuery.Path())
	return seen
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// compareAdmin sends path to both and reports any difference in status or content.
func compareAdmin(t *testing.T, e *Envoy, stand http.Handler, path string) {
	t.Helper()
	realBody, realCode, err := e.Get(path)
	if err != nil {
		t.Fatalf("real envoy %s: %v", path, err)
	}
	rec := httptest.NewRecorder()
	stand.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != realCode {
		t.Errorf("GET %s: envoyadmin %d %q, real envoy %d %q", path, rec.Code, firstLine(rec.Body.String()), realCode, firstLine(string(realBody)))
		return
	}
	if realCode != http.StatusOK {
		if a, b := normErr(rec.Body.String()), normErr(string(realBody)); a != b {
			t.Errorf("GET %s: error text differs:\n envoyadmin %q\n real envoy %q", path, a, b)
		}
		return
	}
	if d := jsonDifference(rec.Body.Bytes(), realBody); d != "" {
		t.Errorf("GET %s: envoyadmin's answer differs from real envoy's: %s", path, d)
		if dir := os.Getenv("REALENVOY_KEEP"); dir != "" {
			n := strings.NewReplacer("/", "_", "?", "_", "&", "_").Replace(path)
			_ = os.WriteFile(filepath.Join(dir, n+".envoyadmin.json"), rec.Body.Bytes(), 0o644)
			_ = os.WriteFile(filepath.Join(dir, n+".real.json"), realBody, 0o644)
		}
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func normErr(s string) string { return strings.TrimSpace(s) }

// jsonDifference compares two JSON documents modulo last_updated/version_info; it returns
// the first differing path, or "".
func jsonDifference(a, b []byte) string {
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		return "envoyadmin: " + err.Error()
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		return "real envoy: " + err.Error()
	}
	return firstDiff("", stripVolatile(va), stripVolatile(vb))
}

func stripVolatile(v any) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "last_updated")
		delete(x, "version_info")
		for k := range x {
			x[k] = stripVolatile(x[k])
		}
	case []any:
		for i := range x {
			x[i] = stripVolatile(x[i])
		}
	}
	return v
}

func firstDiff(path string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: object vs %T", path, b)
		}
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		for _, k := range mesh.SortedKeys(keys) {
			if d := firstDiff(path+"."+k, x[k], y[k]); d != "" {
				return d
			}
		}
		return ""
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Sprintf("%s: list of %d vs %s", path, len(x), short(b))
		}
		for i := range x {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%s: envoyadmin %s, real envoy %s", path, short(a), short(b))
	}
	return ""
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
