package mesh

import (
	"crypto/x509"
	"encoding/pem"
	"time"
)

// CRLSummary is what a check may show of a CRL key (ca.crl, crl); no other data.
type CRLSummary struct {
	Issuer     string    `json:"issuer,omitempty"`
	ThisUpdate time.Time `json:"thisUpdate,omitzero"`
	NextUpdate time.Time `json:"nextUpdate,omitzero"`
	// Revoked lists the revoked serial numbers (hex, as CertSummary.SerialHex).
	Revoked []string `json:"revoked,omitempty"`
	// SignedByCA: a CA certificate of the paired CA key (ca.crt for ca.crl, cacert for crl)
	// has the CRL's issuer name and signed it; nil when no CA of that name is there.
	SignedByCA *bool `json:"signedByCA,omitempty"`
	// Error says why the value is not a PEM X509 CRL Envoy can load.
	Error string `json:"error,omitempty"`
}

// crlPairs are the CRL keys istiod reads with each CA key (ExtractRoot in
// pilot/pkg/credentials/kube/secrets.go: cacert with crl, ca.crt with ca.crl).
var crlPairs = map[string]string{"ca.crl": "ca.crt", "crl": "cacert"}

// CRLCAKey is the CA key whose CRL key is crlKey ("" when crlKey is no CRL key).
func CRLCAKey(crlKey string) string { return crlPairs[crlKey] }

// summarizeCRL parses the first PEM X509 CRL block of v (Envoy reads the CRL with
// PEM_X509_INFO_read_bio, so PEM only) and checks its signature with the CA of that name
// in caPEM.
func summarizeCRL(v, caPEM []byte) CRLSummary {
	var block *pem.Block
	for rest := v; ; {
		block, rest = pem.Decode(rest)
		if block == nil || block.Type == "X509 CRL" {
			break
		}
	}
	if block == nil {
		return CRLSummary{Error: "no PEM X509 CRL block"}
	}
	crl, err := x509.ParseRevocationList(block.Bytes)
	if err != nil {
		return CRLSummary{Error: err.Error()}
	}
	s := CRLSummary{Issuer: crl.Issuer.String(), ThisUpdate: crl.ThisUpdate.UTC(), NextUpdate: crl.NextUpdate.UTC()}
	for _, e := range crl.RevokedCertificateEntries {
		s.Revoked = append(s.Revoked, e.SerialNumber.Text(16))
	}
	for rest := caPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		ca, err := x509.ParseCertificate(b.Bytes)
		if b.Type != "CERTIFICATE" || err != nil || ca.Subject.String() != s.Issuer {
			continue
		}
		ok := crl.CheckSignatureFrom(ca) == nil
		if s.SignedByCA == nil || ok {
			s.SignedByCA = &ok
		}
	}
	return s
}
