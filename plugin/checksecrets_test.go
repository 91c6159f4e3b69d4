package plugin

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-egress/kubectl-egress/secrets"
	"github.com/kubectl-egress/kubectl-egress/secrets/secretstest"
)

// runCheckSecrets runs the real command tree and returns stdout, stderr and the exit code.
func runCheckSecrets(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code := Main(context.Background(), streams, append([]string{"check-secrets"}, args...))
	return out.String(), errOut.String(), code
}

// caseArgs writes a case's manifests and dumps into a temp dir and returns the flags.
func caseArgs(t *testing.T, tc secretstest.Case) []string {
	dir := t.TempDir()
	args := []string{"-A", "-f", secretstest.WriteManifests(t, dir, tc.Manifests...), "--now", secretstest.Now.Format("2006-01-02T15:04:05Z")}
	for k, js := range tc.Dumps {
		p := filepath.Join(dir, strings.ReplaceAll(k, "/", "_")+".json")
		if err := os.WriteFile(p, js, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--dump", k+"="+p)
	}
	return args
}

// TestCheckSecretsNeverPrintsKeys runs every output format of every case and asserts no
// private key material appears on stdout or stderr.
func TestCheckSecretsNeverPrintsKeys(t *testing.T) {
	for _, tc := range secretstest.Cases(t) {
		args := caseArgs(t, tc)
		for _, format := range []string{"table", "wide", "json", "yaml"} {
			t.Run(tc.Name+"/"+format, func(t *testing.T) {
				stdout, stderr, code := runCheckSecrets(t, append(args, "-o", format)...)
				wantCode := ExitOK
				for _, c := range tc.Want {
					if r, _ := secrets.LookupRule(c); r.Level == secrets.LevelError {
						wantCode = ExitFindings
					}
				}
				if code != wantCode {
					t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, wantCode, stdout, stderr)
				}
				all := stdout + stderr
				if strings.Contains(all, "PRIVATE KEY") {
					t.Fatalf("output contains a PEM private key header:\n%s", all)
				}
				for _, der := range tc.Keys {
					for _, enc := range []string{base64.StdEncoding.EncodeToString(der), base64.StdEncoding.EncodeToString(der[len(der)-40:]), string(der[len(der)-32:])} {
						if strings.Contains(all, enc) {
							t.Fatalf("output contains private key bytes (%d chars)", len(enc))
						}
					}
				}
			})
		}
	}
}

func TestCheckSecretsJSONModel(t *testing.T) {
	tc := secretstest.Cases(t)[0]
	stdout, stderr, code := runCheckSecrets(t, append(caseArgs(t, tc), "-o", "json")...)
	if code != ExitOK {
		t.Fatalf("exit code %d, stderr %s", code, stderr)
	}
	var rep secrets.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	c := rep.Credentials[0]
	if c.Name != secretstest.CredName || c.Namespace != secretstest.GatewayNS || c.ProxyState != "active" || c.Result != "ok" || c.Secret.ChainVerified != "verified" {
		t.Errorf("credential = %+v, want client-credential in istio-system, active, ok, chain verified", c)
	}
}

func TestCheckSecretsUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want int
		msg  string
	}{
		{[]string{"-o", "xml"}, ExitUsage, `--output must be one of table|wide|json|yaml, got "xml"`},
		{[]string{"--expiry-warning", "soon"}, ExitUsage, "--expiry-warning"},
		{[]string{"--failure-threshold", "Fatal"}, ExitUsage, "--failure-threshold"},
		{[]string{"--dump", "a/b=c"}, ExitUsage, "--dump needs -f"},
		{[]string{"-f", "/nonexistent/manifests.yaml"}, ExitBadInput, "/nonexistent/manifests.yaml"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, stderr, code := runCheckSecrets(t, tt.args...)
			if code != tt.want || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.want, tt.msg)
			}
		})
	}
}

func TestCheckSecretsScenarioDir(t *testing.T) {
	dir := filepath.Join("..", "testdata", "scenarios", "broken-credential-secret-missing")
	if _, err := os.Stat(dir); err != nil {
		t.Skip(err)
	}
	stdout, _, code := runCheckSecrets(t, "-A", "-f", dir, "--now", "2026-06-01T00:00:00Z")
	if code != ExitFindings || !strings.Contains(stdout, "EGR0450") || !strings.Contains(stdout, "warming") {
		t.Errorf("exit %d, stdout:\n%s\nwant 79 with EGR0450 and a warming proxy", code, stdout)
	}
}

// TestCheckSecretsHostForms: --host takes what trace takes (host, host:port, an http(s)
// URL, a trailing dot) and finds the same credential; another port or host finds none.
func TestCheckSecretsHostForms(t *testing.T) {
	args := caseArgs(t, secretstest.Cases(t)[0])
	h := secretstest.Host
	for _, tt := range []struct {
		host string
		want int // credentials found
	}{
		{h, 1}, {strings.ToUpper(h), 1}, {h + ".", 1}, {h + ":443", 1}, {h + ".:443", 1},
		{"https://" + h, 1}, {"https://" + h + "/some/path?q=1", 1}, {"https://" + h + ".:443/", 1},
		{h + ":8443", 0}, {"http://" + h, 0}, {"other.example.com", 0},
	} {
		t.Run(tt.host, func(t *testing.T) {
			stdout, stderr, code := runCheckSecrets(t, append(args, "--host", tt.host, "-o", "json")...)
			if code != ExitOK {
				t.Fatalf("exit code %d, stderr %s", code, stderr)
			}
			var rep secrets.Report
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Credentials) != tt.want {
				t.Errorf("--host %q found %d credentials, want %d", tt.host, len(rep.Credentials), tt.want)
			}
		})
	}
}

func TestParseSecretsHost(t *testing.T) {
	for _, tt := range []struct {
		in, host string
		port     int
	}{
		{"", "", 0}, {"My-Nginx.Mesh-External.svc.cluster.local.", "my-nginx.mesh-external.svc.cluster.local", 0},
		{"edition.cnn.com:443", "edition.cnn.com", 443}, {"http://edition.cnn.com/politics", "edition.cnn.com", 80},
		{"https://edition.cnn.com.", "edition.cnn.com", 443}, {"[2001:db8::1]:443", "2001:db8::1", 443},
	} {
		host, port, err := parseSecretsHost(tt.in)
		if err != nil || host != tt.host || port != tt.port {
			t.Errorf("parseSecretsHost(%q) = %q, %d, %v; want %q, %d", tt.in, host, port, err, tt.host, tt.port)
		}
	}
	for _, bad := range []string{"edition.cnn.com/politics", "edition.cnn.com:0", "ftp://edition.cnn.com", "."} {
		if _, _, err := parseSecretsHost(bad); err == nil || !strings.HasPrefix(err.Error(), "--host: ") {
			t.Errorf("parseSecretsHost(%q) error = %v, want a --host usage error", bad, err)
		}
	}
}
