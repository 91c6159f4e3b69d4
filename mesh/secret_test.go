package mesh

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// testPKI is a CA and helpers to issue certificates signed by it.
type testPKI struct {
	caKey  *ecdsa.PrivateKey
	caCert *x509.Certificate
	caPEM  []byte
}

var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-ca"},
		NotBefore: epoch, NotAfter: epoch.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	return &testPKI{caKey: key, caCert: ca, caPEM: pemBlock("CERTIFICATE", der)}
}

// issue signs a client certificate for pub valid from notBefore for a year.
func (p *testPKI) issue(t *testing.T, pub crypto.PublicKey, serial int64, notBefore time.Time) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "client"},
		DNSNames: []string{"my-nginx.mesh-external.svc.cluster.local"}, NotBefore: notBefore,
		NotAfter: notBefore.AddDate(1, 0, 0), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, pub, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pemBlock("CERTIFICATE", der)
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func pkcs8(t *testing.T, key crypto.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemBlock("PRIVATE KEY", der)
}

func tlsSecret(name string, data map[string][]byte) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "istio-system", Name: name},
		Type: corev1.SecretTypeTLS, Data: data}
}

func TestReduceSecret(t *testing.T) {
	pki := newTestPKI(t)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	ecDER, _ := x509.MarshalECPrivateKey(ecKey)
	ecCert := append(pki.issue(t, ecKey.Public(), 0x1f, epoch), pki.caPEM...)
	yes, no := true, false

	tests := []struct {
		name      string
		data      map[string][]byte
		wantMatch *bool
		wantKeys  string
		check     func(t *testing.T, si *SecretInfo)
	}{
		{name: "EC key matches leaf", data: map[string][]byte{"tls.crt": ecCert, "tls.key": pemBlock("EC PRIVATE KEY", ecDER), "ca.crt": pki.caPEM},
			wantMatch: &yes, wantKeys: "ca.crt tls.crt tls.key", check: func(t *testing.T, si *SecretInfo) {
				chain := si.Certs["tls.crt"].Certs
				if len(chain) != 2 || chain[0].SerialHex != "1f" || !chain[0].ClientAuth || chain[0].ServerAuth || chain[0].IsCA || !chain[1].IsCA {
					t.Errorf("Certs[tls.crt] = %+v, want leaf serial 1f clientAuth only, then the CA", chain)
				}
				if chain[0].Issuer != "CN=test-ca" || len(chain[0].SHA256) != 64 || chain[0].DNSNames[0] != "my-nginx.mesh-external.svc.cluster.local" {
					t.Errorf("leaf summary = %+v", chain[0])
				}
			}},
		{name: "RSA PKCS1 key matches, cert/key layout", data: map[string][]byte{"cert": pki.issue(t, rsaKey.Public(), 2, epoch),
			"key": pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey))}, wantMatch: &yes, wantKeys: "cert key"},
		{name: "ed25519 PKCS8 key matches", data: map[string][]byte{"tls.crt": pki.issue(t, edKey.Public(), 3, epoch), "tls.key": pkcs8(t, edKey)},
			wantMatch: &yes, wantKeys: "tls.crt tls.key"},
		{name: "key does not match leaf", data: map[string][]byte{"tls.crt": ecCert, "tls.key": pkcs8(t, otherKey)},
			wantMatch: &no, wantKeys: "tls.crt tls.key"},
		{name: "expired cert", data: map[string][]byte{"tls.crt": pki.issue(t, ecKey.Public(), 4, epoch.AddDate(-3, 0, 0)), "tls.key": pkcs8(t, ecKey)},
			wantMatch: &yes, wantKeys: "tls.crt tls.key", check: func(t *testing.T, si *SecretInfo) {
				if c := si.Certs["tls.crt"].Certs[0]; c.ValidAt(epoch) || !c.ValidAt(epoch.AddDate(-2, 0, 0)) {
					t.Errorf("ValidAt: cert %v..%v should be expired at %v", c.NotBefore, c.NotAfter, epoch)
				}
			}},
		{name: "CA only", data: map[string][]byte{"ca.crt": pki.caPEM}, wantKeys: "ca.crt", check: func(t *testing.T, si *SecretInfo) {
			if c := si.Certs["ca.crt"].Certs; len(c) != 1 || !c[0].IsCA {
				t.Errorf("Certs[ca.crt] = %+v, want one CA", c)
			}
		}},
		{name: "redacted key placeholder is not compared", data: map[string][]byte{"tls.crt": ecCert, "tls.key": []byte("[redacted] private key removed by a support bundle")},
			wantKeys: "tls.crt tls.key", check: func(t *testing.T, si *SecretInfo) {
				if !si.KeyRedacted || si.KeyError != "" {
					t.Errorf("KeyRedacted = %v, KeyError = %q; want redacted and no parse error", si.KeyRedacted, si.KeyError)
				}
			}},
		{name: "garbage key and broken cert", data: map[string][]byte{"tls.crt": []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "tls.key": []byte("nope")},
			wantKeys: "tls.crt tls.key", check: func(t *testing.T, si *SecretInfo) {
				if si.KeyError == "" || len(si.Certs["tls.crt"].Errors) != 1 {
					t.Errorf("KeyError = %q, Certs errors = %v, want both set", si.KeyError, si.Certs["tls.crt"].Errors)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			si := ReduceSecret(tlsSecret("client-credential", tt.data))
			if fmt.Sprint(deref(si.KeyMatchesLeaf)) != fmt.Sprint(deref(tt.wantMatch)) {
				t.Errorf("KeyMatchesLeaf = %v, want %v (KeyError %q)", deref(si.KeyMatchesLeaf), deref(tt.wantMatch), si.KeyError)
			}
			var names []string
			for _, k := range si.Keys {
				names = append(names, k.Name)
				if k.Bytes != len(tt.data[k.Name]) {
					t.Errorf("Keys[%s].Bytes = %d, want %d", k.Name, k.Bytes, len(tt.data[k.Name]))
				}
			}
			if got := strings.Join(names, " "); got != tt.wantKeys {
				t.Errorf("Keys = %q, want %q", got, tt.wantKeys)
			}
			if tt.check != nil {
				tt.check(t, si)
			}
			assertNoKeyMaterial(t, si, tt.data)
		})
	}
}

func deref(b *bool) string {
	if b == nil {
		return "nil"
	}
	return fmt.Sprint(*b)
}

// assertNoKeyMaterial fails if v marshalled to JSON holds a private key in any form.
func assertNoKeyMaterial(t *testing.T, v any, data map[string][]byte) {
	t.Helper()
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	out := string(js)
	if strings.Contains(out, "PRIVATE KEY") {
		t.Errorf("JSON contains PRIVATE KEY: %s", out)
	}
	for _, name := range []string{"tls.key", "key"} {
		if v := data[name]; len(v) > 0 {
			block, _ := pem.Decode(v)
			if block != nil && strings.Contains(out, base64.StdEncoding.EncodeToString(block.Bytes)[:40]) {
				t.Errorf("JSON contains the DER of %s", name)
			}
			if strings.Contains(out, base64.StdEncoding.EncodeToString(v)) {
				t.Errorf("JSON contains the value of %s", name)
			}
		}
	}
}

func TestLoadFilesSecretHasNoKeyMaterial(t *testing.T) {
	pki := newTestPKI(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	data := map[string][]byte{"tls.crt": pki.issue(t, key.Public(), 9, epoch), "tls.key": pkcs8(t, key)}
	manifest := fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: client-credential, namespace: istio-system}\n"+
		"type: kubernetes.io/tls\ndata:\n  tls.crt: %s\n  tls.key: %s\nstringData:\n  key: %q\n",
		base64.StdEncoding.EncodeToString(data["tls.crt"]), base64.StdEncoding.EncodeToString(data["tls.key"]), string(data["tls.key"]))
	s, err := LoadFiles([]string{writeFiles(t, map[string]string{"s.yaml": manifest})})
	if err != nil {
		t.Fatalf("LoadFiles: %v", err)
	}
	si := s.Secrets["istio-system/client-credential"]
	if si == nil || deref(si.KeyMatchesLeaf) != "true" || si.Access != AccessOK {
		t.Fatalf("Secrets[istio-system/client-credential] = %+v, want access ok and a matching key", si)
	}
	assertNoKeyMaterial(t, s, data)
}
