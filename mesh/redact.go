package mesh

import (
	"bytes"
	"encoding/pem"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RedactSecret returns a copy of sec that is safe to hand to someone else: its name,
// namespace, labels and type, and for each data key either the CERTIFICATE blocks of its
// value (public) or the placeholder "[redacted] N bytes". Annotations are dropped (the
// last-applied-configuration one holds the data), so are StringData and managed fields.
func RedactSecret(sec *corev1.Secret) *corev1.Secret {
	out := &corev1.Secret{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      sec.Name,
			Namespace: sec.Namespace,
			Labels:    sec.Labels,
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

// redactValue keeps only the CERTIFICATE PEM blocks of value, else a placeholder.
func redactValue(value []byte) []byte {
	var certs bytes.Buffer
	for rest := value; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			_ = pem.Encode(&certs, &pem.Block{Type: block.Type, Bytes: block.Bytes})
		}
	}
	if certs.Len() > 0 {
		return certs.Bytes()
	}
	return []byte(fmt.Sprintf("%s %d bytes removed by kubectl egress", RedactedPrefix, len(value)))
}
