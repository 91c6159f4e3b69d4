package realenvoy

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/secrets/secretstest"
)

// mtlsGateway is the scenario gateway that originates mTLS with kubernetes://client-credential.
var mtlsGateway = filepath.Join("testdata", "scenarios", "gateway-mtls-origination", "dumps", "istio-system", "istio-egressgateway-6d8c4b7f9-xk2lp.json")

const clientSDS = "kubernetes://client-credential"

// certWith makes a client certificate for the gateway's credential with key and validity.
func certWith(t *testing.T, ca *secretstest.CA, key crypto.Signer, notBefore, notAfter time.Time) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "client.example.com"},
		DNSNames: []string{"client.example.com"}, NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestRealCertificateStates gives the gateway's client credential certificates real Envoy
// may refuse, and records what Envoy does with each: RSA-1024, P-224, expired.
func TestRealCertificateStates(t *testing.T) {
	Require(t)
	ca := secretstest.NewCA(t, "realenvoy test CA")
	now := secretstest.Now // the CA's validity is around it; the traces judge at it
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p256 := secretstest.NewKey(t)
	other := secretstest.NewKey(t)
	for _, tt := range []struct {
		name     string
		key      crypto.Signer // the certificate's key
		cert     []byte
		wrongKey bool   // the Secret (and what Envoy is served) pairs the certificate with another key
		nack     string // Envoy's rejection of the SDS update, "" for none
		finding  string // the trace's finding on Envoy's own dump, "" for none
		secrets  string // check-secrets' finding on the Secret beside Envoy's dump
	}{
		{name: "rsa-1024", key: rsa1024, cert: certWith(t, ca, rsa1024, now.Add(-time.Hour), now.AddDate(1, 0, 0)),
			nack: "Failed to load certificate chain from <inline>, only RSA certificates with 2048-bit or larger keys are supported", finding: "EGR0610", secrets: "EGR0472"},
		{name: "p-224", key: p224, cert: certWith(t, ca, p224, now.Add(-time.Hour), now.AddDate(1, 0, 0)), nack: "Failed to load certificate chain from <inline>", finding: "EGR0610", secrets: "EGR0472"},
		{name: "expired", key: p256, cert: certWith(t, ca, p256, now.AddDate(-1, 0, 0), now.AddDate(0, 0, -3)), finding: "EGR0405", secrets: "EGR0457"},
		{name: "key-mismatch", key: p256, cert: certWith(t, ca, p256, now.Add(-time.Hour), now.AddDate(1, 0, 0)), wrongKey: true,
			nack: keyMismatchNack, secrets: "EGR0460"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := mustFeed(t, filepath.Join(testcluster.RepoRoot(), mtlsGateway))
			for i := range f.Secrets {
				if f.Secrets[i].Name == clientSDS {
					f.Secrets[i].PEM = tt.cert
				}
			}
			e := Start(t, f, Options{CA: ca, WrongKey: map[string]bool{clientSDS: tt.wrongKey}})
			st, unexpected := e.Settle(t, 15*time.Second)
			t.Logf("%s: secret %s %q, cluster %q, still warming %v", tt.name, clientSDS, st.Secrets[clientSDS], st.Clusters[mtlsCluster], unexpected)
			var nacks []string
			for _, n := range e.Nacks() {
				nacks = append(nacks, n.Message)
			}
			if got := strings.Join(dedupe(nacks), "; "); got != tt.nack {
				t.Errorf("real envoy's rejection = %q, want %q", got, tt.nack)
			}
			// What makes the finding necessary: Envoy's dump shows nothing wrong.
			if st.Secrets[clientSDS] != "active" || st.Clusters[mtlsCluster] != "active" {
				t.Errorf("real envoy shows secret %q, cluster %q; want both active", st.Secrets[clientSDS], st.Clusters[mtlsCluster])
			}
			body, _, err := e.Get("/config_dump?include_eds")
			if err != nil {
				t.Fatal(err)
			}
			codes := traceCodes(t, "http://my-nginx.mesh-external.svc.cluster.local", body)
			if tt.finding != "" && !strings.Contains(codes, tt.finding) {
				t.Errorf("trace of real envoy's dump: findings %s, want %s", codes, tt.finding)
			}
			for _, c := range []string{"EGR0610", "EGR0405"} {
				if c != tt.finding && strings.Contains(codes, c) {
					t.Errorf("trace of real envoy's dump: findings %s, want no %s", codes, c)
				}
			}
			keyPEM := pkcs8(t, tt.key)
			if tt.wrongKey {
				keyPEM = pkcs8(t, other)
			}
			if sc := checkSecretsCodes(t, body, tt.cert, keyPEM, ca.PEM); !strings.Contains(sc, tt.secrets) {
				t.Errorf("check-secrets on the Secret and real envoy's dump: findings %s, want %s", sc, tt.secrets)
			}
			saveReal(t, "gateway-client-cert-"+tt.name+".json", body)
		})
	}
}

// keyMismatchNack is what Envoy 1.40 says of a certificate served with another key.
const keyMismatchNack = "Failed to load private key from <inline>, Cause: error:0b000074:X.509 certificate routines:OPENSSL_internal:KEY_VALUES_MISMATCH"

func pkcs8(t *testing.T, key crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE " + "KEY", Bytes: der})
}

// checkSecretsCodes runs check-secrets over the gateway-mtls-origination scenario with its
// Secret client-credential replaced by one of cert, key and ca, and the gateway's dump by
// gatewayDump; returns the finding codes.
func checkSecretsCodes(t *testing.T, gatewayDump, cert, key, ca []byte) string {
	t.Helper()
	scen := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", "gateway-mtls-origination", "manifests")
	dir := t.TempDir()
	files, err := os.ReadDir(scen)
	if err != nil {
		t.Fatal(err)
	}
	for _, fe := range files {
		if fe.Name() == "40-secret-client-credential.yaml" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(scen, fe.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeTemp(t, filepath.Join(dir, fe.Name()), data)
	}
	writeTemp(t, filepath.Join(dir, "40-secret.yaml"), []byte(secretstest.Secret(t, "istio-system", "client-credential", corev1.SecretTypeOpaque,
		map[string][]byte{"tls.crt": cert, "tls.key": key, "ca.crt": ca})))
	dump := filepath.Join(t.TempDir(), "gateway.json")
	writeTemp(t, dump, gatewayDump)
	var out, errOut bytes.Buffer
	args := []string{"check-secrets", "-A", "-f", dir, "-o", "json", "--now", secretstest.Now.Format(time.RFC3339),
		"--dump", "istio-system/istio-egressgateway-6d8c4b7f9-xk2lp=" + dump, "--kubeconfig", "/nonexistent/kubeconfig"}
	code := plugin.Main(context.Background(), genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, args)
	if code != plugin.ExitOK && code != plugin.ExitFindings {
		t.Fatalf("kubectl egress %s: exit %d\n%s", strings.Join(args, " "), code, errOut.String())
	}
	var codes []string
	for _, m := range regexp.MustCompile(`"code": ?"(EGR\d+)"`).FindAllStringSubmatch(out.String(), -1) {
		codes = append(codes, m[1])
	}
	return strings.Join(codes, ",")
}

func writeTemp(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

const mtlsCluster = "outbound|443||my-nginx.mesh-external.svc.cluster.local"

// traceCodes traces target from deploy/sleep over the gateway-mtls-origination scenario
// with the gateway's dump replaced by gatewayDump, and returns the finding codes.
func traceCodes(t *testing.T, target string, gatewayDump []byte) string {
	t.Helper()
	scen := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", "gateway-mtls-origination")
	dump := filepath.Join(t.TempDir(), "gateway.json")
	if err := os.WriteFile(dump, gatewayDump, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := []string{"trace", target, "--from", "deploy/sleep", "-n", "default", "-f", scen, "-o", "json", "--now", secretstest.Now.Format(time.RFC3339),
		"--dump", "istio-system/istio-egressgateway-6d8c4b7f9-xk2lp=" + dump, "--kubeconfig", "/nonexistent/kubeconfig"}
	code := plugin.Main(context.Background(), genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, args)
	if code != plugin.ExitOK && code != plugin.ExitFindings {
		t.Fatalf("kubectl egress %s: exit %d\n%s", strings.Join(args, " "), code, errOut.String())
	}
	var r struct {
		Findings []struct {
			Code string `json:"code"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, f := range r.Findings {
		codes = append(codes, f.Code)
	}
	return strings.Join(codes, ",")
}
