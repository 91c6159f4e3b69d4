package realenvoy

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"

	"github.com/kubectl-egress/kubectl-egress/secrets/secretstest"
)

// Options tune one instance.
type Options struct {
	// Minimal starts Envoy from a bootstrap holding only the dump's node (and the xDS and SDS
	// clusters), not the dump's whole bootstrap: for old dumps whose bootstrap 1.40 rejects.
	Minimal bool
	// CA issues the replacement certificates; a fresh one when nil.
	CA *secretstest.CA
	// WrongKey names SDS certificates served with a private key other than the one the
	// certificate was issued for (a Secret whose tls.key does not match tls.crt).
	WrongKey map[string]bool
	// Now is the time supplied certificates (pilot-agent's default) are valid around;
	// secretstest.Now when zero, the time secretstest's CA is valid around (a trace of the
	// dump Envoy writes judges certificates at it: --now).
	Now time.Time
}

// Envoy is one running real Envoy, fed from a dump.
type Envoy struct {
	Feed *Feed
	// Rejected lists resources the harness could not even hand to Envoy (Envoy's 1.40 API has
	// no such field or type): they are findings about the fixture, shown by the caller.
	Rejected  []error
	Notes     []string // bootstrap changes the harness made
	adminSock string
	client    *http.Client
	xds       *xdsServer
	logPath   string
	ns        string
	pid       int
}

var instances atomic.Int64

// Start runs a real Envoy for feed in a fresh network namespace and serves it the feed over
// ADS; everything is stopped and removed when t ends (logs are kept and printed if t failed).
func Start(t testing.TB, feed *Feed, opts Options) *Envoy {
	t.Helper()
	bin := Require(t)
	dir, err := os.MkdirTemp("", "realenvoy-")
	if err != nil {
		t.Fatal(err)
	}
	n := instances.Add(1)
	e := &Envoy{Feed: feed, adminSock: filepath.Join(dir, "admin.sock"), logPath: filepath.Join(dir, "envoy.log"),
		ns: fmt.Sprintf("kegr-%d-%d", os.Getpid(), n)}
	e.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", e.adminSock)
	}}}
	t.Cleanup(func() { e.cleanupDir(t, dir) })
	res := e.resources(t, opts)
	first := res
	if len(feed.WarmingClusters) > 0 {
		first = withoutClusters(res, feed.WarmingClusters)
	}
	e.xds = startXDS(t, filepath.Join(dir, "xds.sock"), feed.NodeID(), first)
	boot, notes, err := feed.bootstrapJSON(opts.Minimal, filepath.Join(dir, "xds.sock"), e.adminSock)
	if err != nil {
		t.Fatalf("bootstrap for %s: %v", feed.NodeID(), err)
	}
	e.Notes = notes
	bootPath := filepath.Join(dir, "bootstrap.json")
	if err := os.WriteFile(bootPath, boot, 0o600); err != nil {
		t.Fatal(err)
	}
	e.netns(t)
	e.run(t, bin, dir, bootPath, int(n))
	e.waitAdmin(t)
	if len(feed.WarmingClusters) > 0 {
		// A cluster warming at start blocks Envoy's init, and so every listener; the dump
		// shows listeners active beside it, i.e. a cluster added to a running proxy.
		e.waitLive(t)
		e.xds.update(t, "2", res)
		e.Notes = append(e.Notes, fmt.Sprintf("clusters %v (warming in the dump) served once Envoy was live, as a cluster added to a running proxy", feed.WarmingClusters))
	}
	t.Logf("real envoy %s running: node %s (pid %d, netns %s)", Version, feed.NodeID(), e.pid, e.ns)
	return e
}

// resources decodes the feed and issues its secrets.
func (e *Envoy) resources(t testing.TB, opts Options) Resources {
	t.Helper()
	res, errs := e.Feed.Decode()
	e.Rejected = errs
	ca := opts.CA
	if ca == nil {
		ca = secretstest.NewCA(t, "realenvoy test CA")
	}
	now := opts.Now
	if now.IsZero() {
		now = secretstest.Now
	}
	is := &issuer{ca: ca, now: now, spiffe: spiffeID(e.Feed.Node), wrongKey: opts.WrongKey}
	for _, s := range e.Feed.Secrets {
		res[resource.SecretType] = append(res[resource.SecretType], types.Resource(is.secret(t, s)))
	}
	return res
}

// spiffeID is the workload identity pilot-agent's default certificate carries.
func spiffeID(node map[string]any) string {
	md, _ := node["metadata"].(map[string]any)
	ns, sa := str(md["NAMESPACE"]), str(md["SERVICE_ACCOUNT"])
	if ns == "" || sa == "" {
		return ""
	}
	return "spiffe://cluster.local/ns/" + ns + "/sa/" + sa
}

func parseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, fmt.Errorf("empty")
	}
	return url.Parse(s)
}

// netns creates the instance's network namespace with loopback up, deleted when t ends.
func (e *Envoy) netns(t testing.TB) {
	t.Helper()
	if out, err := exec.Command("ip", "netns", "add", e.ns).CombinedOutput(); err != nil {
		requireFail(t, fmt.Sprintf("ip netns add %s: %v: %s (the real-Envoy tests need root and iproute2)", e.ns, err, out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", e.ns).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v: %s", e.ns, err, out)
		}
	})
	if out, err := exec.Command("ip", "-n", e.ns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("ip -n %s link set lo up: %v: %s", e.ns, err, out)
	}
}

// run starts Envoy inside the namespace (ip netns exec execs it: the PID is Envoy's) and
// stops it by PID when t ends.
func (e *Envoy) run(t testing.TB, bin, dir, bootPath string, n int) {
	t.Helper()
	logFile, err := os.Create(e.logPath)
	if err != nil {
		t.Fatal(err)
	}
	baseID := (os.Getpid()%100000)*100 + n%100
	cmd := exec.Command("ip", "netns", "exec", e.ns, bin, "-c", bootPath, "--base-id", fmt.Sprint(baseID),
		"--concurrency", "1", "--log-level", "info", "--drain-time-s", "1", "--parent-shutdown-time-s", "2")
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start envoy: %v", err)
	}
	e.pid = cmd.Process.Pid
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(e.pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(e.pid, syscall.SIGKILL)
			<-done
		}
		_ = logFile.Close()
	})
}

func (e *Envoy) waitAdmin(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if _, _, err = e.Get("/server_info"); err == nil {
			return
		}
		if syscall.Kill(e.pid, 0) != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("real envoy for %s: admin not ready: %v\n--- envoy log ---\n%s", e.Feed.NodeID(), err, e.Log())
}

// waitLive waits for Envoy's init (clusters, then listeners) to finish: /ready is 200.
func (e *Envoy) waitLive(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, code, err := e.Get("/ready"); err == nil && code == http.StatusOK {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("real envoy for %s: not live after 20s\n%s", e.Feed.NodeID(), tail(e.Log(), 40))
}

// Get sends one admin request (path with query) and returns the body and status.
func (e *Envoy) Get(path string) ([]byte, int, error) {
	resp, err := e.client.Get("http://envoy" + path)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return b, resp.StatusCode, err
}

// AdminHandler forwards HTTP requests to this Envoy's admin API (for a port-forward target).
func (e *Envoy) AdminHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, code, err := e.Get(r.URL.RequestURI())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write(body)
	})
}

// Nacks are the updates Envoy rejected, with its error text.
func (e *Envoy) Nacks() []Nack { return e.xds.Nacks() }

// Log is Envoy's log so far.
func (e *Envoy) Log() string {
	b, err := os.ReadFile(e.logPath)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// cleanupDir prints the log and keeps the directory (bootstrap, log; never keys: secrets go
// over xDS only) when t failed; removes it otherwise.
func (e *Envoy) cleanupDir(t testing.TB, dir string) {
	if t.Failed() {
		t.Logf("real envoy %s failed; kept %s\n--- envoy log (last 60 lines) ---\n%s", e.ns, dir, tail(e.Log(), 60))
		return
	}
	_ = os.RemoveAll(dir)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
