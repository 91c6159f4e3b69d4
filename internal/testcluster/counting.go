package testcluster

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// APICounter is a loopback reverse proxy in front of the apiserver that counts the
// requests a client makes through it: point a client at Kubeconfig. Upgraded connections
// (pods/portforward) pass through and count once each; their bytes are not counted.
type APICounter struct {
	// Kubeconfig is a kubeconfig for the cluster-admin user that goes through the proxy.
	Kubeconfig string
	// URL is the proxy's https address.
	URL string

	requests atomic.Int64
	bytes    atomic.Int64
	mu       sync.Mutex
	byKind   map[string]int
}

// CountingProxy starts an APICounter for the cluster, stopped when t ends.
func (c *Cluster) CountingProxy(t testing.TB) *APICounter {
	t.Helper()
	target, err := url.Parse(c.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: false}
	a := &APICounter{byKind: map[string]int{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.requests.Add(1)
		a.mu.Lock()
		a.byKind[requestKind(r)]++
		a.mu.Unlock()
		rp.ServeHTTP(&countingWriter{ResponseWriter: w, n: &a.bytes}, r)
	}))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	a.Kubeconfig = filepath.Join(t.TempDir(), "kubeconfig-counted")
	writeFile(t, a.Kubeconfig, kubeconfigFor(a.URL))
	return a
}

// Reset zeroes the counts.
func (a *APICounter) Reset() {
	a.requests.Store(0)
	a.bytes.Store(0)
	a.mu.Lock()
	a.byKind = map[string]int{}
	a.mu.Unlock()
}

// Requests is the number of requests since the last Reset.
func (a *APICounter) Requests() int64 { return a.requests.Load() }

// Bytes is the number of response body bytes of non-upgraded requests since the last Reset.
func (a *APICounter) Bytes() int64 { return a.bytes.Load() }

// Summary lists the requests by verb and resource, e.g. "GET pods=2, LIST serviceentries=1".
func (a *APICounter) Summary() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var parts []string
	for k, n := range a.byKind {
		parts = append(parts, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// requestKind names a request by method and resource: "GET pods", "LIST pods" (a GET of a
// collection), "POST pods/portforward".
func requestKind(r *http.Request) string {
	p := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	// /api/v1/..., /apis/group/version/...
	switch {
	case len(p) >= 2 && p[0] == "api":
		p = p[2:]
	case len(p) >= 3 && p[0] == "apis":
		p = p[3:]
	default:
		return r.Method + " " + r.URL.Path
	}
	if len(p) >= 2 && p[0] == "namespaces" && len(p) != 2 {
		p = p[2:] // namespaced resource; a GET of namespaces/NAME stays a namespace
	}
	verb := r.Method
	switch {
	case len(p) == 1 && r.Method == http.MethodGet:
		verb = "LIST"
	case len(p) == 3:
		return verb + " " + p[0] + "/" + p[2]
	}
	if len(p) == 0 {
		return verb + " " + r.URL.Path
	}
	return verb + " " + p[0]
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.n.Add(int64(n))
	return n, err
}

// Flush lets streamed responses through.
func (w *countingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController (and ReverseProxy's upgrade handling) the writer.
func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func kubeconfigFor(server string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: %s
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: %s
contexts:
- name: test
  context: {cluster: test, user: admin, namespace: default}
current-context: test
`, server, AdminToken)
}
