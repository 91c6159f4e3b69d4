package main

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// Certificates are generated deterministically so that the dumps (which carry the public
// certificates istiod serves over SDS) do not change between runs:
//   - RSA keys are derived from a fixed seed (SHA-256 counter stream -> prime search),
//   - RSA PKCS#1 v1.5 signatures are deterministic,
//   - serial numbers and validity are fixed.
// Private keys only ever live in memory: they are handed to the fake istiod and never written out.

var (
	certNotBefore = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	certNotAfter  = time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)
)

type seededStream struct {
	seed    []byte
	counter uint64
	buf     []byte
}

func (s *seededStream) Read(p []byte) (int, error) {
	for len(s.buf) < len(p) {
		var c [8]byte
		binary.BigEndian.PutUint64(c[:], s.counter)
		s.counter++
		h := sha256.Sum256(append(append([]byte{}, s.seed...), c[:]...))
		s.buf = append(s.buf, h[:]...)
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

func seededPrime(r *seededStream, bits int) *big.Int {
	b := make([]byte, bits/8)
	for {
		_, _ = r.Read(b)
		b[0] |= 0xC0 // top two bits: product has full bit length
		b[len(b)-1] |= 1
		p := new(big.Int).SetBytes(b)
		for i := 0; i < 4096; i++ {
			if p.ProbablyPrime(20) {
				return p
			}
			p.Add(p, big.NewInt(2))
		}
	}
}

// deterministicRSAKey derives a 2048-bit RSA key from seed.
func deterministicRSAKey(seed string) *rsa.PrivateKey {
	r := &seededStream{seed: []byte("kubectl-egress/dumpgen/" + seed)}
	e := big.NewInt(65537)
	one := big.NewInt(1)
	for {
		p := seededPrime(r, 1024)
		q := seededPrime(r, 1024)
		if p.Cmp(q) == 0 {
			continue
		}
		pm1 := new(big.Int).Sub(p, one)
		qm1 := new(big.Int).Sub(q, one)
		phi := new(big.Int).Mul(pm1, qm1)
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue
		}
		n := new(big.Int).Mul(p, q)
		if n.BitLen() != 2048 {
			continue
		}
		k := &rsa.PrivateKey{
			PublicKey: rsa.PublicKey{N: n, E: int(e.Int64())},
			D:         d,
			Primes:    []*big.Int{p, q},
		}
		k.Precompute()
		if err := k.Validate(); err != nil {
			continue
		}
		return k
	}
}

type certBundle struct {
	CACertPEM     []byte
	ClientCertPEM []byte
	ClientKeyPEM  []byte // in memory only
}

// makeClientCredential builds the CA (example.com, as in the Istio docs) and a client certificate
// (client.example.com) signed by it.
func makeClientCredential() (*certBundle, error) {
	caKey := deterministicRSAKey("example.com-ca")
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: []string{"example Inc."}, CommonName: "example.com"},
		NotBefore:             certNotBefore,
		NotAfter:              certNotAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          keyID(&caKey.PublicKey),
	}
	caDER, err := x509.CreateCertificate(nil, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("CA cert: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	clKey := deterministicRSAKey("client.example.com")
	clTmpl := &x509.Certificate{
		SerialNumber:   big.NewInt(2),
		Subject:        pkix.Name{Organization: []string{"client organization"}, CommonName: "client.example.com"},
		DNSNames:       []string{"client.example.com"},
		NotBefore:      certNotBefore,
		NotAfter:       certNotAfter,
		KeyUsage:       x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		SubjectKeyId:   keyID(&clKey.PublicKey),
		AuthorityKeyId: caCert.SubjectKeyId,
	}
	clDER, err := x509.CreateCertificate(nil, clTmpl, caCert, &clKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("client cert: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(clKey)
	if err != nil {
		return nil, err
	}
	return &certBundle{
		CACertPEM:     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		ClientCertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: clDER}),
		ClientKeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

func keyID(pub *rsa.PublicKey) []byte {
	h := sha256.Sum256(x509.MarshalPKCS1PublicKey(pub))
	return h[:20]
}

// containsPrivateKey reports whether b holds PEM private key material.
func containsPrivateKey(b []byte) bool {
	return bytes.Contains(b, []byte("PRIVATE KEY-----"))
}
