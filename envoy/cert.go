package envoy

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Certificate is the public facts of one X.509 certificate.
type Certificate struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial"` // hex
	DNSNames  []string  `json:"dnsNames,omitempty"`
	URIs      []string  `json:"uris,omitempty"`
	IPs       []string  `json:"ips,omitempty"`
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
	IsCA      bool      `json:"isCA,omitempty"`
	SHA256    string    `json:"sha256"` // hex fingerprint of the DER
	// Key is the public key's algorithm and size: RSA-2048, ECDSA-P256, Ed25519, ...
	Key string `json:"key,omitempty"`
}

// ParseCertificates parses every CERTIFICATE block of a PEM bundle (or a
// single DER certificate). Other PEM blocks, private keys included, are
// skipped unread. It returns the certificates it could parse and the first error.
func ParseCertificates(data []byte) ([]Certificate, error) {
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, fmt.Errorf("not PEM and not a DER certificate: %w", err)
		}
		return []Certificate{certificateFrom(c)}, nil
	}
	var out []Certificate
	var firstErr error
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("certificate %d: %w", len(out)+1, err)
			}
			continue
		}
		out = append(out, certificateFrom(c))
	}
	if len(out) == 0 && firstErr == nil {
		firstErr = fmt.Errorf("no PEM certificate found")
	}
	return out, firstErr
}

func certificateFrom(c *x509.Certificate) Certificate {
	sum := sha256.Sum256(c.Raw)
	out := Certificate{
		Subject: c.Subject.String(), Issuer: c.Issuer.String(), Serial: hex.EncodeToString(c.SerialNumber.Bytes()),
		DNSNames: c.DNSNames, NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), IsCA: c.IsCA,
		SHA256: hex.EncodeToString(sum[:]), Key: KeyName(c.PublicKey),
	}
	for _, u := range c.URIs {
		out.URIs = append(out.URIs, u.String())
	}
	for _, ip := range c.IPAddresses {
		out.IPs = append(out.IPs, ip.String())
	}
	return out
}

// KeyName names a certificate's public key as Envoy's TLS context judges it: RSA-2048,
// ECDSA-P256, Ed25519; "" for other keys.
func KeyName(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA-" + strings.ReplaceAll(k.Curve.Params().Name, "-", "")
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return ""
}

// RefusedKey says why Envoy's TLS context refuses to load a certificate whose key is key (as
// KeyName names it), or "" when it loads. Envoy 1.40 with BoringSSL, confirmed with the real
// binary (internal/realenvoy TestRealCertificateStates): RSA below 2048 bits, and ECDSA on
// curves other than P-256, P-384 and P-521, are rejected when the SDS secret arrives;
// source/common/tls/context_impl.cc, ContextImpl::ContextImpl (the RSA bit-length and EC
// curve checks on each certificate).
func RefusedKey(key string) string {
	switch {
	case strings.HasPrefix(key, "RSA-"):
		if bits, err := strconv.Atoi(strings.TrimPrefix(key, "RSA-")); err == nil && bits < 2048 {
			return `Envoy rejects it ("Failed to load certificate chain from <inline>, only RSA certificates with 2048-bit or larger keys are supported")`
		}
	case strings.HasPrefix(key, "ECDSA-"):
		switch key {
		case "ECDSA-P256", "ECDSA-P384", "ECDSA-P521":
		default:
			return `Envoy rejects the curve ("Failed to load certificate chain from <inline>")`
		}
	}
	return ""
}
