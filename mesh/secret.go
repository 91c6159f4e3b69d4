package mesh

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// SecretInfo is a Secret reduced to what a credentials check needs. It never holds
// private key bytes nor any data value other than parsed certificate summaries.
type SecretInfo struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Type      string `json:"type,omitempty"`
	// Access is ok, forbidden (RBAC denied the read) or notfound.
	Access string `json:"access"`
	// Keys lists the data keys and their value lengths, sorted by name.
	Keys []SecretKey `json:"keys,omitempty"`
	// Certs holds the parsed certificate chain of every key whose value has PEM
	// CERTIFICATE blocks (tls.crt, ca.crt, cert, cacert, ...).
	Certs map[string]CertChain `json:"certs,omitempty"`
	// KeyMatchesLeaf compares the private key (tls.key or key) with the first
	// certificate of its pair (tls.crt or cert); nil when either is missing.
	KeyMatchesLeaf *bool `json:"keyMatchesLeaf,omitempty"`
	// KeyError says why the private key could not be parsed.
	KeyError string `json:"keyError,omitempty"`
	// NotPEM names, by data key, certificate keys (tls.crt, cert, ca.crt, cacert) whose
	// value is not PEM but a DER certificate or a PKCS#12 archive: Envoy loads neither.
	NotPEM map[string]string `json:"notPEM,omitempty"`
	// CRLs summarises each non-empty CRL key (ca.crl, crl).
	CRLs map[string]CRLSummary `json:"crls,omitempty"`
	// KeyRedacted is set when the key's value is a "[redacted]" placeholder, as in support
	// bundles and the bundled scenarios: the key was never available to compare.
	KeyRedacted bool `json:"keyRedacted,omitempty"`
}

// RedactedPrefix starts a secret value that stands in for key material that was removed.
const RedactedPrefix = "[redacted]"

// SecretKey is one data key of a Secret and its value's length in bytes.
type SecretKey struct {
	Name  string `json:"name"`
	Bytes int    `json:"bytes"`
}

// HasKey reports whether the secret has data key name.
func (si *SecretInfo) HasKey(name string) bool {
	for _, k := range si.Keys {
		if k.Name == name {
			return true
		}
	}
	return false
}

// keyPairs are the (cert, key) layouts istiod accepts, in order of preference.
var keyPairs = [][2]string{{corev1.TLSCertKey, corev1.TLSPrivateKeyKey}, {"cert", "key"}}

// ReduceSecret turns a Secret into SecretInfo: key names and sizes, parsed certificate
// summaries and whether the private key matches the leaf certificate. The key material
// is only read in memory here; nothing of it is kept.
func ReduceSecret(sec *corev1.Secret) *SecretInfo {
	info := &SecretInfo{Namespace: sec.Namespace, Name: sec.Name, Type: string(sec.Type), Access: AccessOK}
	data := secretData(sec)
	for _, name := range SortedKeys(data) {
		info.Keys = append(info.Keys, SecretKey{Name: name, Bytes: len(data[name])})
		if bytes.Contains(data[name], []byte("-----BEGIN CERTIFICATE")) {
			if info.Certs == nil {
				info.Certs = map[string]CertChain{}
			}
			info.Certs[name] = ParseCertChain(data[name])
		}
		if ca := CRLCAKey(name); ca != "" && len(data[name]) > 0 {
			if info.CRLs == nil {
				info.CRLs = map[string]CRLSummary{}
			}
			info.CRLs[name] = summarizeCRL(data[name], data[ca])
		} else if f := notPEMFormat(name, data[name]); f != "" && !bytes.Contains(data[name], []byte("-----BEGIN CERTIFICATE")) {
			if info.NotPEM == nil {
				info.NotPEM = map[string]string{}
			}
			info.NotPEM[name] = f
		}
	}
	for _, pair := range keyPairs {
		certPEM, keyPEM := data[pair[0]], data[pair[1]]
		if len(certPEM) == 0 || len(keyPEM) == 0 {
			continue
		}
		if bytes.HasPrefix(bytes.TrimSpace(keyPEM), []byte(RedactedPrefix)) {
			info.KeyRedacted = true
			break
		}
		match, err := keyMatchesCert(keyPEM, certPEM)
		if errors.Is(err, errNoLeaf) {
			break // the certificate's own problem, reported with the certificate
		}
		if err != nil {
			info.KeyError = fmt.Sprintf("%s: %v", pair[1], err)
		} else {
			info.KeyMatchesLeaf = &match
		}
		break
	}
	return info
}

// secretData merges Data and StringData (as the API server would on write).
func secretData(sec *corev1.Secret) map[string][]byte {
	data := make(map[string][]byte, len(sec.Data)+len(sec.StringData))
	for k, v := range sec.Data {
		data[k] = v
	}
	for k, v := range sec.StringData {
		data[k] = []byte(v)
	}
	return data
}

// keyMatchesCert parses the first private key in keyPEM and compares its public key with
// the first certificate in certPEM.
func keyMatchesCert(keyPEM, certPEM []byte) (bool, error) {
	priv, err := parsePrivateKey(keyPEM)
	if err != nil {
		return false, err
	}
	leaf, err := firstCert(certPEM)
	if err != nil {
		return false, fmt.Errorf("%w: %v", errNoLeaf, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return false, fmt.Errorf("unsupported private key type %T", priv)
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return false, fmt.Errorf("unsupported public key type %T", signer.Public())
	}
	return pub.Equal(leaf.PublicKey), nil
}

// errNoLeaf: the certificate key holds no parsable certificate to compare the key with.
var errNoLeaf = errors.New("no leaf certificate")

// certKeys are the data keys istiod hands to Envoy as certificates (ExtractCertInfo and
// ExtractRoot in pilot/pkg/credentials/kube/secrets.go), unchanged, as inline_bytes.
var certKeys = map[string]bool{corev1.TLSCertKey: true, "cert": true, "ca.crt": true, "cacert": true}

// notPEMFormat recognises a certificate key holding DER ("DER certificate") or PKCS#12
// ("PKCS#12 archive") instead of PEM; "" otherwise.
func notPEMFormat(key string, v []byte) string {
	if !certKeys[key] || len(v) == 0 {
		return ""
	}
	if _, err := x509.ParseCertificates(v); err == nil {
		return "DER certificate"
	}
	var pfx struct {
		Version  int
		AuthSafe struct {
			ContentType asn1.ObjectIdentifier
			Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
		}
		MacData asn1.RawValue `asn1:"optional"`
	}
	// RFC 7292 PFX: version 3, authSafe a PKCS#7 data (1.2.840.113549.1.7.1) or signedData (.2).
	if rest, err := asn1.Unmarshal(v, &pfx); err == nil && len(rest) == 0 && pfx.Version == 3 &&
		(pfx.AuthSafe.ContentType.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}) || pfx.AuthSafe.ContentType.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2})) {
		return "PKCS#12 archive"
	}
	return ""
}

func firstCert(certPEM []byte) (*x509.Certificate, error) {
	for rest := certPEM; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("no PEM CERTIFICATE block")
		}
		if block.Type == "CERTIFICATE" {
			return x509.ParseCertificate(block.Bytes)
		}
	}
}

// parsePrivateKey accepts PKCS#1 RSA, SEC 1 EC and PKCS#8 keys.
func parsePrivateKey(keyPEM []byte) (crypto.PrivateKey, error) {
	for rest := keyPEM; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("no PEM private key block")
		}
		switch block.Type {
		case "RSA PRIVATE KEY":
			return x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			return x509.ParseECPrivateKey(block.Bytes)
		case "PRIVATE KEY":
			return x509.ParsePKCS8PrivateKey(block.Bytes)
		}
	}
}

// SortedSecrets returns the secrets ordered by namespace/name.
func (s *Snapshot) SortedSecrets() []*SecretInfo {
	return sortedValues(s.Secrets)
}
