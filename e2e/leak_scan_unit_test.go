package e2e

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/secrets/secretstest"
)

// TestNeedlesFindEveryEncoding: the leak test's scanner finds a key however it is
// re-encoded, and does not mistake the certificates (which hold the public key) for it.
func TestNeedlesFindEveryEncoding(t *testing.T) {
	ca := secretstest.NewCA(t, "example.com")
	leaf := ca.Issue(t, secretstest.Leaf{CN: "client.example.com", Client: true})
	der := secretstest.KeyDER(t, leaf.Key)
	n := newNeedles(ca.Cert.Raw, ca.PEM, leaf.Cert.Raw, leaf.CertPEM)
	n.addKey("key PEM", leaf.KeyPEM)
	n.addKey("key DER", der)
	n.addToken("a token", "tok0123456789abcdef")
	b64 := base64.StdEncoding.EncodeToString
	quoted, _ := json.Marshal(string(leaf.KeyPEM))
	for _, tt := range []struct {
		name string
		data []byte
		want bool
	}{
		{"PEM", leaf.KeyPEM, true},
		{"DER", der, true},
		{"base64 of the PEM (a Secret's data in YAML)", []byte(b64(leaf.KeyPEM)), true},
		{"base64 of the DER, shifted by one byte", []byte(b64(append([]byte{0}, der...))), true},
		{"base64 of the DER, shifted by two bytes", []byte(b64(append([]byte{0, 0}, der...))), true},
		{"hex dump of the PEM", []byte(hex.Dump(leaf.KeyPEM)), true},
		{"JSON string of the PEM", quoted, true},
		{"32 bytes of the DER", der[len(der)/2 : len(der)/2+32], true},
		{"the token inside text", []byte(`value: "tok0123456789abcdef"`), true},
		{"certificates as PEM", append(ca.PEM, leaf.CertPEM...), false},
		{"certificates as base64 of PEM", []byte(b64(append(ca.PEM, leaf.CertPEM...))), false},
		{"hex dump of the certificates", []byte(hex.Dump(leaf.Cert.Raw)), false},
		{"the redacted placeholder", []byte("[redacted] 241 bytes removed by kubectl egress"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(n.scan("data", tt.data)) > 0; got != tt.want {
				t.Errorf("scan(%s) found a needle = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}
