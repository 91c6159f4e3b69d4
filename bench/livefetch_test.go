package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/internal/envoyadmin"
)

// adminGet answers an AdminGet from h in-process, with the Fetcher's error for a non-200.
func adminGet(h http.Handler) envoy.AdminGet {
	return func(_ context.Context, path string) ([]byte, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			line, _, _ := strings.Cut(rec.Body.String(), "\n")
			return nil, &envoy.AdminError{Code: rec.Code, Status: http.StatusText(rec.Code), Body: line}
		}
		return rec.Body.Bytes(), nil
	}
}

// TestNarrowFetchTraceEquivalence: in every scenario, for every traced host, the live
// path's narrow fetch (envoy.FetchForHost against each dump served with Envoy's admin
// semantics, then ParseFiltered as the live load parses) gives the trace exactly the
// report the whole dump files give it offline.
func TestNarrowFetchTraceEquivalence(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range traceCases {
		covered[tc.scenario] = true
		t.Run(tc.scenario+"/"+tc.host, func(t *testing.T) {
			snap, raw := readScenario(t, tc.scenario)
			want := reportJSON(t, input(snap, parseAll(t, raw, envoy.Parse), tc.host, tc.port))
			narrow := map[string][]byte{}
			for key, b := range raw {
				a, err := envoyadmin.New(b)
				if err != nil {
					t.Fatal(err)
				}
				hf, err := envoy.FetchForHost(context.Background(), adminGet(a), tc.host, tc.port)
				if err != nil || hf.Full {
					t.Fatalf("FetchForHost(%s) from %s: full %v (%s), %v", tc.host, key, hf.Full, hf.Note, err)
				}
				narrow[key] = hf.Data
			}
			parse := func(b []byte) (*envoy.Dump, error) { return envoy.ParseFiltered(b, envoy.ForHost(tc.host, tc.port)) }
			if got := reportJSON(t, input(snap, parseAll(t, narrow, parse), tc.host, tc.port)); got != want {
				t.Errorf("trace over the narrow fetch differs from the trace over the dump files:\n got %s\nwant %s", got, want)
			}
		})
	}
	dirs, _ := filepath.Glob(filepath.Join(root(t), "testdata", "scenarios", "*"))
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() && !covered[filepath.Base(d)] {
			t.Errorf("scenario %s has no trace case", filepath.Base(d))
		}
	}
}
