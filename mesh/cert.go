package mesh

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

// CertChain is the parsed content of one PEM bundle, in file order.
type CertChain struct {
	Certs []CertSummary `json:"certs,omitempty"`
	// Errors lists blocks that could not be parsed ("block 2: x509: ...").
	Errors []string `json:"errors,omitempty"`
}

// CertSummary is what a check may show of a certificate; no key material.
type CertSummary struct {
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	DNSNames    []string  `json:"dnsNames,omitempty"`
	IPAddresses []string  `json:"ipAddresses,omitempty"`
	URIs        []string  `json:"uris,omitempty"`
	Emails      []string  `json:"emails,omitempty"`
	SerialHex   string    `json:"serial"`
	NotBefore   time.Time `json:"notBefore"`
	NotAfter    time.Time `json:"notAfter"`
	IsCA        bool      `json:"isCA"`
	// ClientAuth and ServerAuth are true when the extKeyUsage allows that use
	// (including when the extension is absent).
	ClientAuth bool   `json:"clientAuth"`
	ServerAuth bool   `json:"serverAuth"`
	SHA256     string `json:"sha256"`
	// Key is the public key as Envoy judges it (envoy.KeyName): RSA-2048, ECDSA-P256, ...
	Key string `json:"key,omitempty"`
}

// ParseCertChain parses every CERTIFICATE block of a PEM bundle; other block types are
// ignored, unparsable blocks are recorded in Errors.
func ParseCertChain(data []byte) CertChain {
	var chain CertChain
	for i, rest := 1, data; ; i++ {
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
			chain.Errors = append(chain.Errors, fmt.Sprintf("block %d: %v", i, err))
			continue
		}
		chain.Certs = append(chain.Certs, SummarizeCert(c))
	}
	if len(chain.Certs) == 0 && len(chain.Errors) == 0 {
		chain.Errors = append(chain.Errors, "no PEM CERTIFICATE block")
	}
	return chain
}

// SummarizeCert reduces a parsed certificate to a CertSummary.
func SummarizeCert(c *x509.Certificate) CertSummary {
	sum := sha256.Sum256(c.Raw)
	s := CertSummary{
		Subject:   c.Subject.String(),
		Issuer:    c.Issuer.String(),
		DNSNames:  c.DNSNames,
		Emails:    c.EmailAddresses,
		SerialHex: c.SerialNumber.Text(16),
		NotBefore: c.NotBefore.UTC(),
		NotAfter:  c.NotAfter.UTC(),
		IsCA:      c.IsCA,
		SHA256:    hex.EncodeToString(sum[:]),
		Key:       envoy.KeyName(c.PublicKey),
	}
	for _, ip := range c.IPAddresses {
		s.IPAddresses = append(s.IPAddresses, ip.String())
	}
	for _, u := range c.URIs {
		s.URIs = append(s.URIs, u.String())
	}
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		// No extKeyUsage extension: the certificate is not restricted.
		s.ClientAuth, s.ServerAuth = true, true
	}
	for _, u := range c.ExtKeyUsage {
		s.ClientAuth = s.ClientAuth || u == x509.ExtKeyUsageClientAuth || u == x509.ExtKeyUsageAny
		s.ServerAuth = s.ServerAuth || u == x509.ExtKeyUsageServerAuth || u == x509.ExtKeyUsageAny
	}
	return s
}

// ValidAt reports whether t lies within the certificate's validity period.
func (c CertSummary) ValidAt(t time.Time) bool {
	return !t.Before(c.NotBefore) && !t.After(c.NotAfter)
}
