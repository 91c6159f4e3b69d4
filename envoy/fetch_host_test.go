package envoy_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/internal/envoyadmin"
	"github.com/kubectl-egress/kubectl-egress/internal/scale"
)

// adminGet serves an AdminGet from h in-process, with the Fetcher's error for a non-200.
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

func newAdmin(t *testing.T, dump []byte) *envoyadmin.Admin {
	t.Helper()
	a, err := envoyadmin.New(dump)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// hostTargets are the hosts the fetch is checked for, on every dump.
var hostTargets = []struct {
	host string
	port int
}{
	{"edition.cnn.com", 80}, {"edition.cnn.com", 443}, {"edition.cnn.com", 0},
	{"my-nginx.mesh-external.svc.cluster.local", 443}, {"my-nginx.mesh-external.svc.cluster.local", 80},
	{"en.wikipedia.org", 443}, {"httpbin.org", 443}, {"sleep.default.svc.cluster.local", 80},
	{"istio-egressgateway.istio-system.svc.cluster.local", 443}, {"reviews.default.svc.cluster.local", 9080},
}

// parsedForHost is what a trace reads: ParseFiltered with ForHost. Sections differ (the
// narrow fetch has no empty ScopedRoutesConfigDump), and so may the counts of unknown and
// legacy types, which count decoded resources: over the whole dump ParseFiltered also
// decodes, then drops, resources without a name (inline route configs), which name_regex
// leaves on the proxy. Neither reaches the trace, so they are left out.
func parsedForHost(t *testing.T, data []byte, host string, port int) *envoy.Dump {
	t.Helper()
	d, err := envoy.ParseFiltered(data, envoy.ForHost(host, port))
	if err != nil {
		t.Fatal(err)
	}
	d.Sections, d.UnknownTypes, d.LegacyTypes = nil, nil, nil
	return d
}

// TestFetchForHostReadsWhatTheTraceReads: over every dump in testdata, for several hosts,
// the narrow fetch parses to exactly what the whole dump parses to under ForHost: warming
// and rejected resources included.
func TestFetchForHostReadsWhatTheTraceReads(t *testing.T) {
	files, _ := filepath.Glob("../testdata/scenarios/*/dumps/*/*.json")
	more, _ := filepath.Glob("../testdata/envoy/*.json")
	public, _ := filepath.Glob("../testdata/envoy/public/*.json")
	checked := 0
	for _, f := range append(append(files, more...), public...) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		full, err := envoy.Parse(raw)
		if err != nil || full.Bootstrap == nil {
			continue // not a whole dump (istioctl arrays, v2alpha, a single section)
		}
		checked++
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			a := newAdmin(t, raw)
			for _, tt := range hostTargets {
				hf, err := envoy.FetchForHost(context.Background(), adminGet(a), tt.host, tt.port)
				if err != nil {
					t.Fatalf("FetchForHost(%s:%d): %v", tt.host, tt.port, err)
				}
				if hf.Full || hf.Note != "" {
					t.Errorf("FetchForHost(%s:%d) read the whole dump: %s", tt.host, tt.port, hf.Note)
				}
				want := parsedForHost(t, raw, tt.host, tt.port)
				if got := parsedForHost(t, hf.Data, tt.host, tt.port); !reflect.DeepEqual(got, want) {
					t.Errorf("FetchForHost(%s:%d) parses to\n%+v\nwant\n%+v", tt.host, tt.port, got, want)
				}
				if hf.Requests > 6 {
					t.Errorf("FetchForHost(%s:%d) made %d requests, want at most 6", tt.host, tt.port, hf.Requests)
				}
			}
		})
	}
	if checked < len(files) {
		t.Errorf("checked %d dumps, want at least the %d scenario dumps", checked, len(files))
	}
}

// clientListeners is what a trace from a client whose sidecar reaches the host at addrs
// can look up on port: <addr>_<port>, 0.0.0.0_<port>, [::]_<port> and the virtual
// listeners; on a proxy that is not a sidecar (a gateway pod as the client) also every
// 0.0.0.0_* and [::]_* listener, as an egress gateway reads them.
func clientListeners(sidecar bool, port int, addrs ...string) func(string) bool {
	p := "_" + strconv.Itoa(port)
	return func(name string) bool {
		wildcard := strings.HasPrefix(name, "0.0.0.0_") || strings.HasPrefix(name, "[::]_")
		return slices.Contains(addrs, strings.TrimSuffix(name, p)) && strings.HasSuffix(name, p) ||
			!strings.Contains(name, "_") || wildcard && (!sidecar || strings.HasSuffix(name, p) && strings.Count(name, "_") == 1)
	}
}

// TestFetchForHostWithClient: with WithClient, over every dump in testdata and for
// several hosts and addresses, the narrow fetch reads the listeners the trace can look up
// on the client's proxy and what they name: it parses to what the whole dump parses to
// when only those listeners are kept, in at most 6 requests.
func TestFetchForHostWithClient(t *testing.T) {
	files, _ := filepath.Glob("../testdata/scenarios/*/dumps/*/*.json")
	more, _ := filepath.Glob("../testdata/envoy/*.json")
	public, _ := filepath.Glob("../testdata/envoy/public/*.json")
	for _, f := range append(append(files, more...), public...) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		full, err := envoy.Parse(raw)
		if err != nil || full.Bootstrap == nil {
			continue
		}
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			a := newAdmin(t, raw)
			for _, tt := range hostTargets {
				for _, addrs := range [][]string{nil, {"10.96.20.20"}, {"10.96.20.20", "10.96.30.30", "240.240.0.1"}} {
					hf, err := envoy.FetchForHost(context.Background(), adminGet(a), tt.host, tt.port, envoy.WithClient(envoy.PodRef{}, addrs...))
					if err != nil || hf.Full || hf.Note != "" {
						t.Fatalf("FetchForHost(%s:%d, %v): full %v (%s), %v", tt.host, tt.port, addrs, hf.Full, hf.Note, err)
					}
					f := envoy.ForHost(tt.host, tt.port)
					if tt.port != 0 {
						f.Listener = clientListeners(full.Node.Type == envoy.ProxySidecar, tt.port, addrs...)
					}
					if got, want := parsed(t, hf.Data, f), parsed(t, raw, f); !reflect.DeepEqual(got, want) {
						t.Errorf("FetchForHost(%s:%d, %v) parses to\n%+v\nwant\n%+v", tt.host, tt.port, addrs, got, want)
					}
					if hf.Requests > 6 {
						t.Errorf("FetchForHost(%s:%d, %v) made %d requests, want at most 6", tt.host, tt.port, addrs, hf.Requests)
					}
				}
			}
		})
	}
}

// parsed is parsedForHost with any filter.
func parsed(t *testing.T, data []byte, f envoy.Filter) *envoy.Dump {
	t.Helper()
	d, err := envoy.ParseFiltered(data, f)
	if err != nil {
		t.Fatal(err)
	}
	d.Sections, d.UnknownTypes, d.LegacyTypes = nil, nil, nil
	return d
}

// TestFetchForHostFallsBack: an admin that rejects or ignores the parameters still gives
// the trace what the whole dump gives, and the fetch says what happened.
func TestFetchForHostFallsBack(t *testing.T) {
	raw, err := os.ReadFile("../testdata/envoy/egress-gateway-edited.json")
	if err != nil {
		t.Fatal(err)
	}
	a := newAdmin(t, raw)
	host, port := "my-nginx.mesh-external.svc.cluster.local", 443
	want := parsedForHost(t, raw, host, port)
	tests := []struct {
		name     string
		admin    http.HandlerFunc
		full     bool
		note     string
		requests int
	}{
		{"regex over the size limit", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Has("name_regex") {
				http.Error(w, "INVALID_ARGUMENT: Error while parsing name_regex from ...: RE2 program size of 40000 > max program size of 32768", http.StatusBadRequest)
				return
			}
			a.ServeHTTP(w, r)
		}, true, "the proxy admin rejected a narrowed /config_dump", 3},
		{"mask ignored", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(raw) }, true, "ignored mask=", 1},
		{"name_regex ignored", func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			q.Del("name_regex")
			r.URL.RawQuery = q.Encode()
			a.ServeHTTP(w, r)
		}, false, "ignored name_regex=", 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hf, err := envoy.FetchForHost(context.Background(), adminGet(tt.admin), host, port)
			if err != nil {
				t.Fatal(err)
			}
			if hf.Full != tt.full || !strings.Contains(hf.Note, tt.note) || hf.Requests != tt.requests {
				t.Errorf("Full %v, Note %q, %d requests; want %v, %q, %d", hf.Full, hf.Note, hf.Requests, tt.full, tt.note, tt.requests)
			}
			if got := parsedForHost(t, hf.Data, host, port); !reflect.DeepEqual(got, want) {
				t.Errorf("parses to\n%+v\nwant\n%+v", got, want)
			}
		})
	}
	t.Run("unreachable admin is an error", func(t *testing.T) {
		boom := errors.New("connection refused")
		_, err := envoy.FetchForHost(context.Background(), func(context.Context, string) ([]byte, error) { return nil, boom }, host, port)
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want %v", err, boom)
		}
	})
}

// TestFetchForHostQueries: the requests are Envoy's own parameters, readable in a log.
func TestFetchForHostQueries(t *testing.T) {
	raw, err := os.ReadFile("../testdata/scenarios/gateway-tls-origination/dumps/default/sleep-7b4c9d8f6-abcde.json")
	if err != nil {
		t.Fatal(err)
	}
	a := newAdmin(t, raw)
	if _, err := envoy.FetchForHost(context.Background(), adminGet(a), "edition.cnn.com", 80); err != nil {
		t.Fatal(err)
	}
	var masks []string
	for _, s := range a.Seen() {
		u, _ := url.Parse(s)
		masks = append(masks, u.Query().Get("mask"))
	}
	want := []string{"bootstrap", "static_listeners,dynamic_listeners", "static_route_configs,dynamic_route_configs",
		"static_clusters,dynamic_active_clusters,dynamic_warming_clusters", "static_endpoint_configs,dynamic_endpoint_configs",
		"static_secrets,dynamic_active_secrets,dynamic_warming_secrets"}
	if !reflect.DeepEqual(masks, want) {
		t.Errorf("masks asked %q, want %q", masks, want)
	}
	if s := a.Seen(); !strings.Contains(s[2], "name_regex=80") || strings.Contains(s[1], "%2C") {
		t.Errorf("requests %q: want route 80 by name and commas unescaped", s)
	}
}

// TestFetchForHostScaledDump: on a sidecar dump grown with hundreds of other services, the
// narrow fetch of edition.cnn.com:80 reads route config "80" and a fixed part (bootstrap,
// listeners, a few clusters), not the replicas' clusters and listeners, and the trace's
// view is unchanged. Route "80" holds one virtual host per HTTP service and name_regex
// selects whole route configs, so it is read whole: about 11% of this dump's bytes.
// Without WithClient, port 443 reads much more: ForHost keeps every *_443 listener (any
// may be the host's VIP) and the clusters they name, and the scaled dump gives each
// replica one. With it (edition.cnn.com has no address), the fixed part only: the
// sidecar's listeners on 443 and the virtual ones, not 0.0.0.0_80 and its route "80".
func TestFetchForHostScaledDump(t *testing.T) {
	tpl, err := os.ReadFile("../" + scale.TemplateDump)
	if err != nil {
		t.Fatal(err)
	}
	data, n, err := scale.ScaleDump(tpl, 4<<20)
	if err != nil {
		t.Fatal(err)
	}
	a := newAdmin(t, data)
	_, route80 := a.ConfigDump(url.Values{"mask": {"dynamic_route_configs"}, "name_regex": {"80"}})
	for _, port := range []int{80, 443} {
		for _, client := range []bool{false, true} {
			var opts []envoy.HostOption
			f := envoy.ForHost("edition.cnn.com", port)
			if client {
				opts = append(opts, envoy.WithClient(envoy.PodRef{Namespace: "default", Name: "sleep"}))
				f.Listener = clientListeners(true, port)
			}
			hf, err := envoy.FetchForHost(context.Background(), adminGet(a), "edition.cnn.com", port, opts...)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("edition.cnn.com:%d (WithClient %v) on a %d-replica %.1f MB dump: %d requests, %d bytes = %.1f%% of the dump (route 80 alone: %.1f%%)",
				port, client, n, float64(len(data))/(1<<20), hf.Requests, hf.Bytes, 100*float64(hf.Bytes)/float64(len(data)), 100*float64(len(route80))/float64(len(data)))
			if got, want := parsed(t, hf.Data, f), parsed(t, data, f); !reflect.DeepEqual(got, want) {
				t.Errorf("edition.cnn.com:%d (WithClient %v): narrow fetch parses differently from the whole dump", port, client)
			}
			switch {
			case port == 80 && hf.Bytes > int64(len(route80))+256<<10:
				t.Errorf("narrow fetch of edition.cnn.com:80 read %d bytes, want at most route 80 (%d) + 256 KiB", hf.Bytes, len(route80))
			case port == 443 && client && hf.Bytes > 256<<10:
				t.Errorf("narrow fetch of edition.cnn.com:443 with WithClient read %d bytes, want at most 256 KiB", hf.Bytes)
			}
		}
	}
}
