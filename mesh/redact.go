package mesh

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RedactSecret returns a copy of sec that is safe to hand to someone else: its name,
// namespace, labels and type, and for each data key either the X.509 certificates of its
// value, re-encoded from their parsed DER (public), or the placeholder "[redacted] N
// bytes". Annotations are dropped (the last-applied-configuration one holds the data), so
// are StringData (merged into Data first) and managed fields.
func RedactSecret(sec *corev1.Secret) *corev1.Secret {
	out := &corev1.Secret{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      sec.Name,
			Namespace: sec.Namespace,
			Labels:    copyMap(sec.Labels),
		},
		Type: sec.Type,
	}
	data := secretData(sec)
	if len(data) > 0 {
		out.Data = make(map[string][]byte, len(data))
	}
	for name, value := range data {
		out.Data[name] = redactValue(value)
	}
	return out
}

// redactValue keeps only the certificates of value (as PEM), else a placeholder.
func redactValue(value []byte) []byte {
	var certs bytes.Buffer
	for _, c := range parsedCerts(value) {
		_ = pem.Encode(&certs, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	if certs.Len() > 0 {
		return certs.Bytes()
	}
	return []byte(fmt.Sprintf("%s %d bytes removed by kubectl egress", RedactedPrefix, len(value)))
}

// parsedCerts returns the certificates of the CERTIFICATE PEM blocks of data that parse
// as X.509. A block that does not parse (a private key under a CERTIFICATE label, say)
// is left out: only what x509.ParseCertificate accepts is ever kept, and callers keep
// c.Raw (the DER the parser read) rather than the bytes as given.
func parsedCerts(data []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return out
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		if c, err := x509.ParseCertificate(block.Bytes); err == nil {
			out = append(out, c)
		}
	}
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
