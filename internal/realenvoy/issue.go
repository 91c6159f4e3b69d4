package realenvoy

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"

	"github.com/kubectl-egress/kubectl-egress/secrets/secretstest"
)

// systemRoots is where pilot-agent reads file-root:system from on Debian-based images.
const systemRoots = "/etc/ssl/certs/ca-certificates.crt"

// issuer signs replacement certificates for redacted secrets.
type issuer struct {
	ca  *secretstest.CA
	now time.Time
	// node identity, for the default workload certificate
	spiffe string
	// wrongKey: SDS names whose certificate is served with another key (Options.WrongKey)
	wrongKey map[string]bool
}

// secret builds the SDS Secret for ref. Validation contexts carry the dump's own (public)
// CA bytes when it has them; certificates are re-issued from the test CA with the dump
// certificate's subject, SANs, validity, usages and key type, since its key is redacted.
func (is *issuer) secret(t testing.TB, ref SecretRef) *tlsv3.Secret {
	t.Helper()
	if ref.Validate {
		ca := ref.PEM
		if len(ca) == 0 {
			ca = is.defaultCA(ref.Name)
		}
		return &tlsv3.Secret{Name: ref.Name, Type: &tlsv3.Secret_ValidationContext{ValidationContext: &tlsv3.CertificateValidationContext{
			TrustedCa: &corev3.DataSource{Specifier: &corev3.DataSource_InlineBytes{InlineBytes: ca}}}}}
	}
	chain, key := is.issue(t, is.template(ref))
	if is.wrongKey[ref.Name] {
		_, key = is.issue(t, is.template(ref)) // a key of the same kind, not the certificate's
	}
	return &tlsv3.Secret{Name: ref.Name, Type: &tlsv3.Secret_TlsCertificate{TlsCertificate: &tlsv3.TlsCertificate{
		CertificateChain: &corev3.DataSource{Specifier: &corev3.DataSource_InlineBytes{InlineBytes: chain}},
		PrivateKey:       &corev3.DataSource{Specifier: &corev3.DataSource_InlineBytes{InlineBytes: key}}}}}
}

func (is *issuer) defaultCA(name string) []byte {
	if len(name) > 10 && name[:10] == "file-root:" {
		if b, err := os.ReadFile(systemRoots); err == nil {
			return b
		}
	}
	return is.ca.PEM
}

// template is the dump certificate's leaf (first PEM block), or a workload certificate
// like pilot-agent's for secrets the dump does not hold.
func (is *issuer) template(ref SecretRef) *x509.Certificate {
	if blk, _ := pem.Decode(ref.PEM); blk != nil {
		if c, err := x509.ParseCertificate(blk.Bytes); err == nil {
			return c
		}
	}
	tmpl := &x509.Certificate{NotBefore: is.now.Add(-time.Hour), NotAfter: is.now.Add(23 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	if u, err := parseURL(is.spiffe); err == nil && ref.Name == "default" {
		tmpl.URIs = append(tmpl.URIs, u)
	} else {
		tmpl.Subject = pkix.Name{CommonName: ref.Name}
	}
	return tmpl
}

// issue signs a copy of tmpl (subject, SANs, validity, usages) with the test CA and a fresh
// key of the template's algorithm and size; returns chain and key PEM.
func (is *issuer) issue(t testing.TB, tmpl *x509.Certificate) ([]byte, []byte) {
	t.Helper()
	key, err := keyLike(tmpl.PublicKey)
	if err != nil {
		t.Fatalf("replacement key for %q: %v", tmpl.Subject.CommonName, err)
	}
	c := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: tmpl.Subject,
		DNSNames: tmpl.DNSNames, URIs: tmpl.URIs, IPAddresses: tmpl.IPAddresses, EmailAddresses: tmpl.EmailAddresses,
		NotBefore: tmpl.NotBefore, NotAfter: tmpl.NotAfter, KeyUsage: tmpl.KeyUsage, ExtKeyUsage: tmpl.ExtKeyUsage,
		BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, c, is.ca.Cert, key.Public(), is.ca.Key)
	if err != nil {
		t.Fatalf("issue replacement for %q: %v", tmpl.Subject.CommonName, err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE " + "KEY", Bytes: kd})
}

// keyLike makes a fresh key of the same kind as pub (RSA size, ECDSA curve); P-256 otherwise.
func keyLike(pub any) (crypto.Signer, error) {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return rsa.GenerateKey(rand.Reader, p.N.BitLen())
	case *ecdsa.PublicKey:
		return ecdsa.GenerateKey(p.Curve, rand.Reader)
	case nil:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("unsupported key type %T", pub)
	}
}
