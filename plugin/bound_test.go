package plugin_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/plugin"
)

// boundBinary is the binary under test: the tree's, or EGRESS_BOUND_BIN (an older build,
// to record the figures before a change; its cases are expected to fail).
func boundBinary(t *testing.T) string {
	if b := os.Getenv("EGRESS_BOUND_BIN"); b != "" {
		return b
	}
	return filepath.Join(testcluster.BuildPlugin(t), "kubectl-egress")
}

// boundCase is one hostile input: the command must end within limit with one error line
// holding want (or, want empty, succeed), in at most rss bytes of memory.
type boundCase struct {
	name  string
	args  []string
	stdin string // a file to open as standard input
	code  int
	want  string
	limit time.Duration
	rss   int64
}

const mb = 1 << 20

// TestBoundedInputs: every offline input is a regular file (or -) under a size cap, read
// in bounded memory; each hostile one ends within seconds with one line naming the file,
// the cap and the flag raising it. The figures (time, peak RSS) are logged as BOUND lines.
func TestBoundedInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary: skipped under -short")
	}
	bin := boundBinary(t)
	dir := t.TempDir()
	scen := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", "gateway-tls-origination")
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	sparse := filepath.Join(dir, "sparse.json") // 2 GiB, no disk used: refused by its size
	if err := os.WriteFile(sparse, nil, 0o600); err != nil || os.Truncate(sparse, 2<<30) != nil {
		t.Fatal("cannot create the sparse file")
	}
	docs := manyDocuments(t, dir, 100000)
	bomb := writeBundle(t, dir, "bomb.tar.gz", scen, map[string]int64{"dumps/default/sleep-7b4c9d8f6-abcde.json": 64 * mb})
	wide := writeBundle(t, dir, "wide.tar.gz", scen, map[string]int64{"dumps/a/1.json": 6 * mb, "dumps/a/2.json": 6 * mb, "dumps/a/3.json": 6 * mb})

	trace := []string{"trace", "edition.cnn.com:80", "--from", "deploy/sleep", "-o", "json"}
	dump := func(file string) []string {
		return append(trace, "-f", filepath.Join(scen, "manifests"), "--dump", "default/sleep-7b4c9d8f6-abcde="+file)
	}
	sec := []string{"check-secrets", "-o", "json"}
	const in = plugin.ExitBadInput
	tests := []boundCase{
		{"dump /dev/zero", dump("/dev/zero"), "", in, "from /dev/zero: not a regular file (a character device)", 10 * time.Second, 200 * mb},
		{"dump /dev/urandom", dump("/dev/urandom"), "", in, "from /dev/urandom: not a regular file (a character device)", 10 * time.Second, 200 * mb},
		{"dump FIFO", dump(fifo), "", in, "fifo.json: not a regular file (a FIFO)", 10 * time.Second, 200 * mb},
		{"dump symlink to /dev/zero", dump(link), "", in, "link.json: not a regular file (a character device)", 10 * time.Second, 200 * mb},
		{"dump over the 1Gi cap", dump(sparse), "", in, "sparse.json: larger than 1Gi (--max-input-size); raise --max-input-size", 10 * time.Second, 200 * mb},
		{"dump over --max-input-size 64Ki", append(dump(filepath.Join(scen, "dumps", "default", "sleep-7b4c9d8f6-abcde.json")), "--max-input-size", "64Ki"), "", in, "larger than 64Ki (--max-input-size)", 10 * time.Second, 200 * mb},
		{"-f /dev/zero", append(trace, "-f", "/dev/zero"), "", in, "load /dev/zero: not a regular file (a character device)", 10 * time.Second, 200 * mb},
		{"-f symlink to /dev/zero", append(trace, "-f", link), "", in, "link.json: not a regular file (a character device)", 10 * time.Second, 200 * mb},
		{"-f - </dev/zero", append(trace, "-f", "-"), "/dev/zero", in, "load standard input (-f -): larger than 256Mi (--max-manifest-size)", 30 * time.Second, 2*256*mb + 200*mb},
		{"-f - </dev/urandom --max-manifest-size 16Mi", append(trace, "-f", "-", "--max-manifest-size", "16Mi"), "/dev/urandom", in, "load standard input (-f -): larger than 16Mi (--max-manifest-size)", 30 * time.Second, 2*16*mb + 200*mb},
		{"-f 100k documents", append(trace, "-f", filepath.Join(scen, "manifests"), "-f", docs), "", -1, "", 60 * time.Second, 600 * mb},
		{"bundle gzip bomb entry", append(trace, "-f", bomb, "--max-input-size", "16Mi"), "", in, "entry dumps/default/sleep-7b4c9d8f6-abcde.json: larger than 16Mi (--max-input-size)", 20 * time.Second, 200 * mb},
		{"bundle content over the cap", append(trace, "-f", wide, "--max-input-size", "16Mi"), "", in, "uncompressed content larger than 16Mi (--max-input-size)", 20 * time.Second, 200 * mb},
		{"check-secrets -f - </dev/zero", append(sec, "-f", "-"), "/dev/zero", in, "load standard input (-f -): larger than 256Mi (--max-manifest-size)", 30 * time.Second, 2*256*mb + 200*mb},
		{"check-secrets dump FIFO", append(sec, "-f", filepath.Join(scen, "manifests"), "--dump", "istio-system/gw="+fifo), "", in, "fifo.json: not a regular file (a FIFO)", 10 * time.Second, 200 * mb},
		{"check-secrets dump /dev/zero", append(sec, "-f", filepath.Join(scen, "manifests"), "--dump", "istio-system/gw=/dev/zero"), "", in, "/dev/zero: not a regular file (a character device)", 10 * time.Second, 200 * mb},
		{"check-secrets -f 100k documents", append(sec, "-f", filepath.Join(scen, "manifests"), "-f", docs), "", -1, "", 60 * time.Second, 600 * mb},
	}
	tests = append(tests, bigDumpCases(t, dir)...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkBound(t, bin, tt) })
	}
}

// bigDumpCases are trace and check-secrets over the same large, valid gateway dump of the
// gateway-mtls-origination scenario: its own with EGRESS_BOUND_LISTENERS (default 200000)
// tiny listeners added, and EGRESS_BOUND_BIG_DUMP (a scaled dump, e.g. from make bench)
// when set. Both must give a report; the figures compare them.
func bigDumpCases(t *testing.T, dir string) []boundCase {
	scen := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", "gateway-mtls-origination")
	const gw = "istio-system/istio-egressgateway-6d8c4b7f9-xk2lp"
	n := 200000
	if v, err := strconv.Atoi(os.Getenv("EGRESS_BOUND_LISTENERS")); err == nil && v > 0 {
		n = v
	}
	tpl, err := os.ReadFile(filepath.Join(scen, "dumps", gw+".json"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{fmt.Sprintf("%d tiny listeners", n): writeTinyListeners(t, dir, tpl, n)}
	if big := os.Getenv("EGRESS_BOUND_BIG_DUMP"); big != "" {
		files["EGRESS_BOUND_BIG_DUMP"] = big
	}
	var out []boundCase
	for what, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		rss := 4*fi.Size() + 200*mb // valid input: the bytes, the scan and the decoded model
		override := []string{"-f", scen, "--dump", gw + "=" + f, "-o", "json"}
		out = append(out,
			boundCase{"trace, " + what, append([]string{"trace", "my-nginx.mesh-external.svc.cluster.local:80", "--from", "deploy/sleep"}, override...), "", -1, "", 120 * time.Second, rss},
			boundCase{"check-secrets, " + what, append([]string{"check-secrets"}, override...), "", -1, "", 120 * time.Second, rss})
	}
	return out
}

// writeTinyListeners writes tpl (a dump) with n minimal listeners added.
func writeTinyListeners(t *testing.T, dir string, tpl []byte, n int) string {
	t.Helper()
	key := []byte(`"dynamic_listeners": [`)
	i := bytes.Index(tpl, key)
	if i < 0 {
		t.Fatal("template dump has no dynamic_listeners")
	}
	i += len(key)
	var b bytes.Buffer
	b.Write(tpl[:i])
	for k := range n {
		ip := fmt.Sprintf("10.%d.%d.%d", 200+k>>16, k>>8&255, k&255)
		fmt.Fprintf(&b, `{"name":"%s_9000","active_state":{"listener":{"name":"%s_9000","address":{"socket_address":{"address":"%s","port_value":9000}}}}},`, ip, ip, ip)
	}
	b.Write(tpl[i:])
	p := filepath.Join(dir, "tiny-listeners.json")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkBound runs one case and checks its end, its one line and its memory.
func checkBound(t *testing.T, bin string, tt boundCase) {
	t.Helper()
	var stdin *os.File
	if tt.stdin != "" {
		f, err := os.Open(tt.stdin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		stdin = f
	}
	r := testcluster.RunMeasured(t, tt.limit, stdin, []string{"KUBECONFIG=" + filepath.Join(t.TempDir(), "none")}, bin, tt.args...)
	t.Logf("BOUND %-45s %s", tt.name, r)
	if r.Killed {
		t.Fatalf("did not end within %s (killed); stderr: %.300q", tt.limit, r.Stderr)
	}
	if r.Peak() > tt.rss {
		t.Errorf("peak RSS %.1f MB, want at most %.1f MB", float64(r.Peak())/mb, float64(tt.rss)/mb)
	}
	if tt.code == -1 {
		if r.Code != plugin.ExitOK && r.Code != plugin.ExitFindings {
			t.Errorf("exit %d, stderr %.500q; want a report (exit 0 or 79)", r.Code, r.Stderr)
		}
		return
	}
	if r.Code != tt.code || strings.Count(r.Stderr, "\n") != 1 || !strings.HasPrefix(r.Stderr, "error: ") || !strings.Contains(r.Stderr, tt.want) {
		t.Errorf("exit %d, stderr %.500q; want exit %d and one line \"error: ...%s...\"", r.Code, r.Stderr, tt.code, tt.want)
	}
}

// manyDocuments writes n small ConfigMaps, one YAML document each.
func manyDocuments(t *testing.T, dir string, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: default\ndata:\n  k: v%d\n", i, i)
	}
	p := filepath.Join(dir, "many.yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeBundle writes a support bundle of the scenario's manifests plus entries of zeros
// of the given sizes (they compress to almost nothing: a decompression bomb).
func writeBundle(t *testing.T, dir, name, scen string, zeros map[string]int64) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	files, _ := filepath.Glob(filepath.Join(scen, "manifests", "*.yaml"))
	for _, m := range files {
		data, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		writeTarEntry(t, tw, "manifests/"+filepath.Base(m), int64(len(data)), strings.NewReader(string(data)))
	}
	for entry, size := range zeros {
		writeTarEntry(t, tw, entry, size, io.LimitReader(zeroReader{}, size))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeTarEntry(t *testing.T, tw *tar.Writer, name string, size int64, r io.Reader) {
	t.Helper()
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(tw, r); err != nil {
		t.Fatal(err)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestAPIServerNeverAnswers: an API server that accepts connections and never answers
// ends a live command with one line naming the server, the timeout and the flag, whether
// --request-timeout is given or its default (30s) applies; one that never completes the
// TLS handshake too.
func TestAPIServerNeverAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary: skipped under -short")
	}
	bin := boundBinary(t)
	silent, hanging := silentListener(t), hangingServer(t)
	trace := func(server string, extra ...string) []string {
		return append([]string{"trace", "edition.cnn.com", "--from", "deploy/sleep", "--kubeconfig", kubeconfigFor(t, server)}, extra...)
	}
	tests := []boundCase{
		{"no HTTP answer, --request-timeout 2s", trace(hanging, "--request-timeout", "2s"), "", plugin.ExitError,
			"the API server at " + hanging + " did not answer within 2s (--request-timeout)", 20 * time.Second, 200 * mb},
		{"no HTTP answer, default request timeout", trace(hanging), "", plugin.ExitError,
			"the API server at " + hanging + " did not answer within 30s (--request-timeout)", 60 * time.Second, 200 * mb},
		{"no TLS handshake, --request-timeout 2s", trace(silent, "--request-timeout", "2s"), "", plugin.ExitError,
			"the API server at " + silent + " did not answer within 2s (--request-timeout)", 20 * time.Second, 200 * mb},
		{"no TLS handshake, default request timeout", trace(silent), "", plugin.ExitError,
			"the API server at " + silent + " accepted the connection but did not complete the TLS handshake within 10s", 60 * time.Second, 200 * mb},
		{"check-secrets, no HTTP answer, --request-timeout 2s", []string{"check-secrets", "--kubeconfig", kubeconfigFor(t, hanging), "--request-timeout", "2s"}, "", plugin.ExitError,
			"the API server at " + hanging + " did not answer within 2s (--request-timeout)", 20 * time.Second, 200 * mb},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkBound(t, bin, tt) })
	}
}

func kubeconfigFor(t *testing.T, server string) string {
	t.Helper()
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: " + server + "\n    insecure-skip-tls-verify: true\n" +
		"users:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  context: {cluster: c, user: u, namespace: default}\ncurrent-context: x\n"
	if err := os.WriteFile(kc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return kc
}

// hangingServer is a loopback HTTPS server that completes the TLS handshake, reads each
// request and never answers it (until the client goes away).
func hangingServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Minute):
		}
	}))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// silentListener accepts loopback connections, reads what comes and never answers.
func silentListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	return "https://" + l.Addr().String()
}
