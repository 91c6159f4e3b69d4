package mesh

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-egress/kubectl-egress/secrets/secretstest"
)

// TestRedactSecretKeepsOnlyParsedCertificates: a value keeps exactly its certificates,
// re-encoded from the parsed DER; a key under a CERTIFICATE label, a key after a real
// certificate and every other value are gone.
func TestRedactSecretKeepsOnlyParsedCertificates(t *testing.T) {
	ca := secretstest.NewCA(t, "example.com")
	leaf := ca.Issue(t, secretstest.Leaf{CN: "client", Client: true})
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	edDER, _ := x509.MarshalPKCS8PrivateKey(ed)
	mislabelled := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: edDER})
	withHeaders := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Headers: map[string]string{"Comment": "hunter2"}, Bytes: leaf.Cert.Raw})
	for _, tt := range []struct {
		name  string
		value []byte
		want  []byte
	}{
		{"certificate", leaf.CertPEM, leaf.CertPEM},
		{"chain", append(append([]byte{}, leaf.CertPEM...), ca.PEM...), append(append([]byte{}, leaf.CertPEM...), ca.PEM...)},
		{"key under a CERTIFICATE label", mislabelled, nil},
		{"key under a CERTIFICATE label after a certificate", append(append([]byte{}, leaf.CertPEM...), mislabelled...), leaf.CertPEM},
		{"key after a certificate", append(append([]byte{}, ca.PEM...), leaf.KeyPEM...), ca.PEM},
		{"PEM headers are not kept", withHeaders, leaf.CertPEM},
		{"private key", leaf.KeyPEM, nil},
		{"DER certificate (not PEM)", leaf.Cert.Raw, nil},
		{"password", []byte("hunter2"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "ns", Annotations: map[string]string{"a": "hunter2"}},
				Data: map[string][]byte{"v": tt.value}}
			got := RedactSecret(sec).Data["v"]
			if tt.want == nil && !bytes.HasPrefix(got, []byte(RedactedPrefix)) || tt.want != nil && !bytes.Equal(got, tt.want) {
				t.Errorf("RedactSecret(%s).Data[v] = %q, want %q (or the placeholder)", tt.name, got, tt.want)
			}
			certs := CertsOf(sec)["v"]
			if n := len(parsedCerts(tt.want)); len(certs) != n {
				t.Errorf("CertsOf(%s) = %d certificates, want %d", tt.name, len(certs), n)
			}
			if out, _ := json.Marshal(RedactSecret(sec)); bytes.Contains(out, []byte("hunter2")) {
				t.Errorf("RedactSecret(%s) keeps an annotation or value: %s", tt.name, out)
			}
		})
	}
}

// TestRedactMeshConfig: the reduced mesh config parses to the same MeshConfig (but for
// the proxyMetadata not read), and what does not parse still does not.
func TestRedactMeshConfig(t *testing.T) {
	for _, tt := range []struct{ name, in string }{
		{"defaults", ""},
		{"all read fields", "outboundTrafficPolicy: {mode: REGISTRY_ONLY}\nrootNamespace: root\ntrustDomain: td\ndefaultConfig:\n  holdApplicationUntilProxyStarts: true\n  proxyMetadata: {ISTIO_META_DNS_CAPTURE: \"true\"}\n"},
		{"wrong type", "outboundTrafficPolicy: hunter2\n"},
		{"wrong leaf type", "defaultConfig: {proxyMetadata: {ISTIO_META_DNS_CAPTURE: true}}\n"},
		{"list at the top", "- hunter2\n"},
		{"not YAML", "a: [hunter2\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			red := redactMeshConfig(tt.in)
			want, wantErr := ParseMeshConfig(tt.in, "istio-system")
			got, gotErr := ParseMeshConfig(red, "istio-system")
			if (wantErr == nil) != (gotErr == nil) {
				t.Fatalf("ParseMeshConfig(redacted %q) error = %v, want error %v", red, gotErr, wantErr)
			}
			if wantErr == nil && (got.OutboundTrafficPolicyMode != want.OutboundTrafficPolicyMode || got.RootNamespace != want.RootNamespace ||
				got.TrustDomain != want.TrustDomain || got.DefaultConfig.ProxyMetadata["ISTIO_META_DNS_CAPTURE"] != want.DefaultConfig.ProxyMetadata["ISTIO_META_DNS_CAPTURE"]) {
				t.Errorf("ParseMeshConfig(redacted %q) = %+v, want %+v", red, got, want)
			}
			if bytes.Contains([]byte(red), []byte("hunter2")) {
				t.Errorf("redactMeshConfig(%q) = %q keeps free text", tt.in, red)
			}
		})
	}
}
