// Package secretstest builds certificates, keys and Secrets for tests of check-secrets.
// Everything is generated in memory at test time: no key material is committed.
package secretstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"sync/atomic"
	"testing"
	"time"
)

// Now is the time tests judge certificates at; validity periods are relative to it.
var Now = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

var serial atomic.Int64

// CA is a certificate authority.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	PEM  []byte
}

// Pair is a certificate and its private key, both PEM.
type Pair struct {
	Cert    *x509.Certificate
	CertPEM []byte
	KeyPEM  []byte
	Key     *ecdsa.PrivateKey
}

// Leaf describes a leaf certificate; zero validity means Now-1d..Now+365d.
type Leaf struct {
	CN        string
	DNSNames  []string
	Client    bool
	Server    bool
	NotBefore time.Time
	NotAfter  time.Time
	// Curve of the leaf's ECDSA key; P-256 when nil.
	Curve elliptic.Curve
}

// NewKey returns a fresh P-256 key.
func NewKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// NewCA returns a self-signed root CA valid Now-1y..Now+5y.
func NewCA(t testing.TB, cn string) *CA {
	t.Helper()
	key := NewKey(t)
	tmpl := caTemplate(cn)
	return (&CA{Cert: sign(t, tmpl, tmpl, &key.PublicKey, key), Key: key}).withPEM()
}

// Intermediate returns a CA signed by ca.
func (ca *CA) Intermediate(t testing.TB, cn string) *CA {
	t.Helper()
	key := NewKey(t)
	return (&CA{Cert: sign(t, caTemplate(cn), ca.Cert, &key.PublicKey, ca.Key), Key: key}).withPEM()
}

func (ca *CA) withPEM() *CA {
	ca.PEM = CertPEM(ca.Cert)
	return ca
}

func caTemplate(cn string) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1) + 0x1000), Subject: pkix.Name{CommonName: cn, Organization: []string{"example Inc."}},
		NotBefore: Now.AddDate(-1, 0, 0), NotAfter: Now.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
}

// ExpiredCA returns a self-signed root CA that expired a day before Now.
func ExpiredCA(t testing.TB, cn string) *CA {
	t.Helper()
	key := NewKey(t)
	tmpl := caTemplate(cn)
	tmpl.NotBefore, tmpl.NotAfter = Now.AddDate(-10, 0, 0), Now.AddDate(0, 0, -1)
	return (&CA{Cert: sign(t, tmpl, tmpl, &key.PublicKey, key), Key: key}).withPEM()
}

// Issue returns a leaf certificate signed by ca with a fresh key.
func (ca *CA) Issue(t testing.TB, l Leaf) *Pair {
	t.Helper()
	key := NewKey(t)
	if l.Curve != nil {
		var err error
		if key, err = ecdsa.GenerateKey(l.Curve, rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	if l.NotBefore.IsZero() {
		l.NotBefore = Now.AddDate(0, 0, -1)
	}
	if l.NotAfter.IsZero() {
		l.NotAfter = Now.AddDate(1, 0, 0)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1) + 0x1000), Subject: pkix.Name{CommonName: l.CN},
		DNSNames: l.DNSNames, NotBefore: l.NotBefore, NotAfter: l.NotAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
	}
	if l.Client {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	if l.Server {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	c := sign(t, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	return &Pair{Cert: c, CertPEM: CertPEM(c), KeyPEM: KeyPEM(t, key), Key: key}
}

func sign(t testing.TB, tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, priv *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// CertPEM encodes certificates as PEM, in order.
func CertPEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// KeyPEM encodes a key as PKCS#8 PEM.
func KeyPEM(t testing.TB, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE " + "KEY", Bytes: der})
}

// KeyDER returns the PKCS#8 DER of a key (to assert it never appears in output).
func KeyDER(t testing.TB, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// PFX wraps der in the outer shape of a PKCS#12 archive (RFC 7292 PFX: version 3, authSafe
// a PKCS#7 data ContentInfo), enough to be recognised as one; it holds no key.
func PFX(t testing.TB, der []byte) []byte {
	t.Helper()
	octets, err := asn1.Marshal(der)
	if err != nil {
		t.Fatal(err)
	}
	type contentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
	}
	out, err := asn1.Marshal(struct {
		Version  int
		AuthSafe contentInfo
	}{3, contentInfo{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}, asn1.RawValue{FullBytes: octets}}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// CRL returns a PEM X509 CRL signed by ca, valid from thisUpdate to nextUpdate, revoking
// the given certificates.
func (ca *CA) CRL(t testing.TB, thisUpdate, nextUpdate time.Time, revoked ...*x509.Certificate) []byte {
	t.Helper()
	tmpl := &x509.RevocationList{Number: big.NewInt(serial.Add(1)), ThisUpdate: thisUpdate, NextUpdate: nextUpdate}
	for _, c := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: thisUpdate})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
}
