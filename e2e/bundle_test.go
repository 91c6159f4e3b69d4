package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/secrets"
	"github.com/kubectl-egress/kubectl-egress/secrets/secretstest"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// secretsReport names the check-secrets report where a test's local variable shadows the package.
type secretsReport = secrets.Report

// secretValue is a non-certificate data value that must never leave the cluster.
const secretValue = "hunter2-do-not-print"

// realKeyScenario copies a scenario into a temporary directory and replaces its
// client-credential Secret with one holding a freshly generated private key, its
// certificate and a password. It returns the directory and the secret strings (PEM key,
// base64 of the key DER, the password) that no output may contain.
func realKeyScenario(t *testing.T, name string) (string, []string) {
	t.Helper()
	src := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", name)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	ca := secretstest.NewCA(t, "example.com")
	leaf := ca.Issue(t, secretstest.Leaf{CN: "client.example.com", DNSNames: []string{"client.example.com"}, Client: true})
	certPEM, keyPEM, keyDER := leaf.CertPEM, leaf.KeyPEM, secretstest.KeyDER(t, leaf.Key)
	b64 := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	secret := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: client-credential\n  namespace: istio-system\ntype: Opaque\ndata:\n" +
		"  ca.crt: " + b64(ca.PEM) + "\n  tls.crt: " + b64(certPEM) + "\n  tls.key: " + b64(keyPEM) + "\n  password: " + b64([]byte(secretValue)) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "manifests", "40-secret-client-credential.yaml"), []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	pemBody := strings.Split(string(keyPEM), "\n")[1] // the first base64 line of the key
	return dir, []string{"PRIVATE KEY", pemBody, b64(keyDER)[:40], b64(keyPEM)[:40], secretValue, b64([]byte(secretValue))}
}

// assertNoSecrets fails when out holds any of the secret strings.
func assertNoSecrets(t *testing.T, what string, out []byte, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("%s contains secret material %q", what, s)
		}
	}
}

// TestTraceBundleReplays: a live trace with --bundle writes a redacted support bundle
// that an offline trace replays to the same report (but for Inputs.Source).
func TestTraceBundleReplays(t *testing.T) {
	const name = "gateway-mtls-origination"
	dir, secrets := realKeyScenario(t, name)
	target := demoTarget(t, name)
	c := testcluster.Start(t)
	k := c.StartKubelet(t)
	deployScenario(t, c, k, dir)

	out := filepath.Join(t.TempDir(), "out.tar.gz")
	var live, replay trace.Report
	stderr := runTrace(t, &live, "trace", target, "--from", "deploy/sleep", "-n", "default", "-o", "json",
		"--kubeconfig", c.Kubeconfig, "--bundle", out)
	assertNoSecrets(t, "live stderr", []byte(stderr), secrets)
	if !strings.Contains(stderr, "wrote support bundle "+out) {
		t.Errorf("stderr does not report the bundle:\n%s", stderr)
	}
	runTrace(t, &replay, "trace", target, "--from", "deploy/sleep", "-n", "default", "-o", "json",
		"-f", out, "--kubeconfig", "/nonexistent/kubeconfig")
	if live.Inputs.Source != "cluster" || replay.Inputs.Source != "files" {
		t.Errorf("sources = %q, %q; want cluster, files", live.Inputs.Source, replay.Inputs.Source)
	}
	live.Inputs.Source, replay.Inputs.Source = "", ""
	if !reflect.DeepEqual(live, replay) {
		a, _ := json.MarshalIndent(live, "", "  ")
		b, _ := json.MarshalIndent(replay, "", "  ")
		t.Errorf("replayed report differs from the live one:\nlive:\n%s\nreplay:\n%s", a, b)
	}
	entries := readBundle(t, out)
	for _, p := range live.Inputs.Proxies {
		if _, ok := entries["dumps/"+p+".json"]; !ok {
			t.Errorf("bundle lacks the dump of proxy %s", p)
		}
	}
	var manifests, dumps int
	for name, data := range entries {
		assertNoSecrets(t, "bundle entry "+name, data, secrets)
		switch {
		case strings.HasPrefix(name, "manifests/"):
			manifests++
		case strings.HasPrefix(name, "dumps/"):
			dumps++
		}
	}
	readme := string(entries["README.md"])
	for _, want := range []string{"env values and valueFrom", "re-encoded from their parsed DER", "bootstrap node metadata"} {
		if !strings.Contains(readme, want) {
			t.Errorf("bundle README does not say what was dropped (%q):\n%s", want, readme)
		}
	}
	for name, data := range entries {
		if strings.HasPrefix(name, "dumps/") && bytes.Contains(data, []byte(`"PROXY_CONFIG"`)) {
			t.Errorf("bundle dump %s keeps node metadata PROXY_CONFIG, which is not read", name)
		}
	}
	if manifests == 0 || dumps == 0 || !strings.Contains(readme, "kubectl egress trace "+target) {
		t.Errorf("bundle has %d manifests, %d dumps, README:\n%s", manifests, dumps, entries["README.md"])
	}
	all := bytes.Join(mapValues(entries), nil)
	if !bytes.Contains(all, []byte("tls.key: "+base64.StdEncoding.EncodeToString([]byte(mesh.RedactedPrefix))[:12])) {
		t.Errorf("bundle Secret does not hold the redacted placeholder for tls.key")
	}
	t.Logf("bundle: %d entries (%d manifests, %d dumps); replay equals the live report", len(entries), manifests, dumps)

	t.Run("check-secrets reads the bundle", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		code := plugin.Main(context.Background(), genericiooptions.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr},
			[]string{"check-secrets", "-A", "-o", "json", "-f", out, "--kubeconfig", "/nonexistent/kubeconfig"})
		if code != plugin.ExitOK && code != plugin.ExitFindings {
			t.Fatalf("check-secrets -f %s: exit %d\n%s", out, code, stderr.String())
		}
		assertNoSecrets(t, "check-secrets on the bundle", append(stdout.Bytes(), stderr.Bytes()...), secrets)
		var rep secretsReport
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatalf("check-secrets -o json: %v\n%s", err, stdout.String())
		}
		cred := findCredential(t, &rep, "istio-system", "client-credential")
		if cred.Secret.Access != "ok" || cred.Secret.ChainVerified != "verified" || len(cred.Proxies) != 1 || !cred.Proxies[0].Dump {
			t.Errorf("credential from the bundle = %+v, want the recorded certificates verified and the gateway's recorded dump read", cred)
		}
	})
}

func readBundle(t *testing.T, file string) map[string][]byte {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	out := map[string][]byte{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[hdr.Name] = data
	}
}

func mapValues(m map[string][]byte) [][]byte {
	var out [][]byte
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
