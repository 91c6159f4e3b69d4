package mesh

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SecretCerts holds the DER of the certificates of each data key of one Secret, in file
// order, so a check can verify signatures with crypto/x509. It holds public certificates
// only: what x509.ParseCertificate accepted from a CERTIFICATE PEM block, as the parser
// read it (cert.Raw); other blocks, and CERTIFICATE blocks that do not parse (a private
// key under that label, say), are never copied.
type SecretCerts map[string][][]byte

// CertsOf extracts the certificate DER of every data key of sec.
func CertsOf(sec *corev1.Secret) SecretCerts {
	out := SecretCerts{}
	for name, data := range secretData(sec) {
		for _, c := range parsedCerts(data) {
			out[name] = append(out[name], c.Raw)
		}
	}
	return out
}

// ReadSecretCerts reads the Secrets of the manifests in paths (as LoadFiles does) and
// returns their certificates keyed by Key(namespace, name). Errors are *InputError. To
// load the snapshot too in the same single read, use LoadManifests with Certs.
func ReadSecretCerts(paths []string) (map[string]SecretCerts, error) {
	out := map[string]SecretCerts{}
	if err := NewSnapshot(DefaultIstioNamespace).LoadManifests(Manifests{Paths: paths, Certs: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// LoadSecretCerts is LoadSecret that also returns the Secret's certificates (nil when
// the Secret could not be read), from the same single request.
func (l *Live) LoadSecretCerts(ctx context.Context, namespace, name string) (*SecretInfo, SecretCerts, error) {
	l.count()
	sec, err := l.kube.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsForbidden(err):
		l.snap.addSecretInfo(&SecretInfo{Namespace: namespace, Name: name, Access: AccessForbidden})
	case apierrors.IsNotFound(err):
		l.snap.addSecretInfo(&SecretInfo{Namespace: namespace, Name: name, Access: AccessNotFound})
	case err != nil:
		return nil, nil, apiError("get", "secret "+Key(namespace, name), "secrets", err)
	default:
		l.add(sec)
		return l.snap.Secrets[Key(namespace, name)], CertsOf(sec), nil
	}
	return l.snap.Secrets[Key(namespace, name)], nil, nil
}
