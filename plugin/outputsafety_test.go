package plugin_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/secrets/secretstest"
)

const (
	secretPassword = "hunter2-do-not-print"
	// evilName is an object name with a colour escape and a carriage return in it.
	evilName = "evil\x1b[31m\rname"
)

// secretScenario copies gateway-mtls-origination into a temporary directory with a
// client-credential Secret holding a freshly generated private key and a password, plus
// a ServiceEntry whose name and host carry terminal escapes. It returns the directory and
// the strings no output may contain.
func secretScenario(t *testing.T) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(scenario("gateway-mtls-origination"))); err != nil {
		t.Fatal(err)
	}
	ca := secretstest.NewCA(t, "example.com")
	leaf := ca.Issue(t, secretstest.Leaf{CN: "client.example.com", Client: true})
	certPEM, keyPEM, keyDER := leaf.CertPEM, leaf.KeyPEM, secretstest.KeyDER(t, leaf.Key)
	b64 := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	files := map[string]string{
		"40-secret-client-credential.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: client-credential\n  namespace: istio-system\ntype: Opaque\ndata:\n" +
			"  ca.crt: " + b64(ca.PEM) + "\n  tls.crt: " + b64(certPEM) + "\n  tls.key: " + b64(keyPEM) + "\n  password: " + b64([]byte(secretPassword)) + "\n",
		"90-evil.yaml": "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: \"evil\\e[31m\\rname\"\n  namespace: default\n" +
			"spec:\n  hosts: [\"my-nginx.mesh-external.svc.cluster.local\"]\n  ports: [{number: 80, name: \"http\\e[31m\\r\", protocol: HTTP}]\n  resolution: DNS\n---\n" +
			"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: evil-dr, namespace: istio-system}\n" +
			"spec:\n  host: x.example.com\n  trafficPolicy: {tls: {mode: MUTUAL, credentialName: \"evil\\e[31m\\rname\", sni: \"sni\\e[31m\\r.example.com\"}}\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, "manifests", name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	firstLine := strings.Split(string(keyPEM), "\n")[1]
	return dir, []string{"PRIVATE KEY", firstLine, b64(keyDER)[:40], b64(keyPEM)[:40], secretPassword, b64([]byte(secretPassword))}
}

// TestOutputSafety runs trace and check-secrets in every format over a scenario with a
// real private key and a password: neither shows up on stdout or stderr, and table-like
// output carries no terminal escape nor carriage return from the evil object name.
func TestOutputSafety(t *testing.T) {
	dir, secrets := secretScenario(t)
	runs := map[string][]string{}
	for _, f := range []string{"table", "wide", "json", "yaml", "mermaid", "dot"} {
		runs["trace -o "+f] = []string{"trace", "http://my-nginx.mesh-external.svc.cluster.local", "--from", "deploy/sleep", "-f", dir, "-o", f}
	}
	for _, f := range []string{"table", "wide", "json", "yaml"} {
		runs["check-secrets -o "+f] = []string{"check-secrets", "-A", "-f", dir, "-o", f}
	}
	sawEvil := false
	for name, args := range runs {
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := runMain(t, append(args, noCluster...)...)
			if code != plugin.ExitOK && code != plugin.ExitFindings {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			for _, s := range secrets {
				if strings.Contains(stdout, s) || strings.Contains(stderr, s) {
					t.Errorf("output contains secret material %q", s)
				}
			}
			format := args[len(args)-1]
			if format != "json" && format != "yaml" && strings.ContainsAny(stdout+stderr, "\x1b\r") {
				t.Errorf("-o %s wrote a terminal escape or carriage return:\n%q", format, stdout)
			}
			if strings.Contains(stdout, "evil^[[31m") || strings.Contains(stdout, `evil\u001b[31m`) {
				sawEvil = true
			}
		})
	}
	if !sawEvil {
		t.Error("no output named the evil objects, so their escaping went unchecked")
	}
}
