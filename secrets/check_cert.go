package secrets

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// chainOf returns the parsed chain of data key k of the Secret (or of NAME-cacert).
func (x *checkCtx) chainOf(k string, sibling bool) (mesh.CertChain, bool) {
	info := x.info
	if sibling {
		info = x.caInfo
	}
	if k == "" || info == nil || !info.HasKey(k) || keyBytes(info, k) == 0 {
		return mesh.CertChain{}, false // an empty key is reported by checkLayout
	}
	ch, ok := info.Certs[k]
	if !ok {
		ch = mesh.CertChain{Errors: []string{"no PEM CERTIFICATE block"}}
	}
	return ch, true
}

// checkCertificates: every block parses; every certificate is within its validity.
func checkCertificates(x *checkCtx) {
	if !x.readable {
		return
	}
	chain, hasChain := x.chainOf(x.certKey, false)
	ca, hasCA := x.chainOf(x.caKey, x.caFromSibling)
	if hasChain {
		x.state.Chain = chain.Certs
		if len(chain.Certs) > 0 {
			x.state.Leaf = &chain.Certs[0]
		}
		x.checkParsed(x.certKey, x.info, chain)
	}
	if hasCA {
		x.state.CA = ca.Certs
		info := x.info
		if x.caFromSibling {
			info = x.caInfo
		}
		x.checkParsed(x.state.CASource, info, ca)
	}
	x.setExpiry()
	for _, c := range x.state.Chain {
		x.checkValidity(x.certKey, c)
	}
	x.checkCAValidity()
}

// checkCAValidity: a bundle whose certificates are all outside their validity verifies
// nothing (Error each). Beside a valid one, an invalid root is an Error only when the chain
// needs it (it is the issuer of the chain's last certificate and no valid certificate of
// that name is in the bundle); otherwise an Info: BoringSSL's path building, which Envoy's
// DefaultCertValidator uses, picks the valid path and never reaches the unused root.
func (x *checkCtx) checkCAValidity() {
	now := x.in.Now
	valid := func(c mesh.CertSummary) bool { return !now.Before(c.NotBefore) && !now.After(c.NotAfter) }
	if !slices.ContainsFunc(x.state.CA, valid) {
		for _, c := range x.state.CA {
			x.checkValidity(x.state.CASource, c)
		}
		return
	}
	needed := ""
	if n := len(x.state.Chain); n > 0 {
		needed = x.state.Chain[n-1].Issuer
	}
	for _, c := range x.state.CA {
		switch {
		case valid(c):
			if len(x.state.CA) == 1 {
				x.checkValidity(x.state.CASource, c) // expiring soon (as before: not in bundles of several)
			}
		case c.Subject == needed && !slices.ContainsFunc(x.state.CA, func(o mesh.CertSummary) bool { return o.Subject == needed && valid(o) }):
			x.checkValidity(x.state.CASource, c)
		default:
			x.add(CodeCAExpiredUnused, x.secretObject(), "", "remove the certificate from "+x.state.CASource+" when nothing chains to it any more",
				"certificate %q (serial %s) in CA bundle %q of Secret %s is not valid now (%s to %s); the chain does not need it and other roots in the bundle are valid, so it anchors nothing",
				c.Subject, c.SerialHex, x.state.CASource, x.key(), c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339))
		}
	}
}

// checkKeyType: the leaf's key is one Envoy loads (envoy.RefusedKey).
func checkKeyType(x *checkCtx) {
	if x.state.Leaf == nil {
		return
	}
	if why := envoy.RefusedKey(x.state.Leaf.Key); why != "" {
		x.add(CodeKeyRefused, x.secretObject(), "", "issue the certificate with an RSA key of 2048 bits or more, or ECDSA P-256/P-384, and update the Secret",
			"certificate %q in key %q of Secret %s has a %s key; %s", x.state.Leaf.Subject, x.certKey, x.key(), x.state.Leaf.Key, why)
	}
}

func (x *checkCtx) checkParsed(key string, info *mesh.SecretInfo, ch mesh.CertChain) {
	if len(ch.Errors) == 0 {
		return
	}
	dataKey := key[strings.LastIndexByte(key, '/')+1:] // NAME-cacert/ca.crt -> ca.crt
	if f := info.NotPEM[dataKey]; f != "" {
		// istiod copies the bytes unchanged into the SDS secret (toEnvoyTLSSecret and
		// toEnvoyCaSecret in pilot/pkg/xds/sds.go: inline_bytes); Envoy reads them with
		// PEM_read_bio_X509_AUX / PEM_X509_INFO_read_bio only (context_impl.cc, "Failed to
		// load certificate chain from <inline>"), and istiod never sets TlsCertificate.pkcs12.
		fix := "convert it to PEM: openssl x509 -inform der -in FILE -out FILE.pem, and put the PEM in " + key
		if strings.HasPrefix(f, "PKCS#12") {
			fix = "extract PEM: openssl pkcs12 -in FILE -nokeys (certificates) and -nocerts -nodes (key), and put them in " + key + " and the key's data key"
		}
		x.add(CodeCertNotPEM, x.secretObject(), "", fix,
			"key %q of Secret %s holds a %s, not PEM: istiod passes it to Envoy unchanged and Envoy loads only PEM certificates, so the proxy rejects the secret", key, x.key(), f)
		return
	}
	x.add(CodeCertUnparsable, x.secretObject(), "", "replace key "+key+" with PEM CERTIFICATE blocks (openssl x509 -in FILE -noout checks one)",
		"key %q of Secret %s does not parse: %s", key, x.key(), strings.Join(ch.Errors, "; "))
}

// setExpiry records the earliest NotAfter of the chain (of the CA when there is no chain).
func (x *checkCtx) setExpiry() {
	certs := x.state.Chain
	if len(certs) == 0 {
		certs = x.state.CA
	}
	for _, c := range certs {
		if x.state.Expires.IsZero() || c.NotAfter.Before(x.state.Expires) {
			x.state.Expires = c.NotAfter
		}
	}
	if !x.state.Expires.IsZero() {
		days := int(x.state.Expires.Sub(x.in.Now).Hours() / 24)
		if x.state.Expires.Before(x.in.Now) && days == 0 {
			days = -1
		}
		x.state.DaysLeft = &days
	}
}

func (x *checkCtx) checkValidity(key string, c mesh.CertSummary) {
	now := x.in.Now
	what := fmt.Sprintf("certificate %q (serial %s) in key %q of Secret %s", c.Subject, c.SerialHex, key, x.key())
	switch {
	case now.After(c.NotAfter):
		x.add(CodeCertExpired, x.secretObject(), "", "issue a new certificate and update the Secret; the proxy picks it up without a restart",
			"%s expired %s (%s ago)", what, c.NotAfter.Format(time.RFC3339), days(now.Sub(c.NotAfter)))
	case now.Before(c.NotBefore):
		x.add(CodeCertNotYetValid, x.secretObject(), "", "check the issuer's clock, or wait until notBefore",
			"%s is not valid until %s (in %s)", what, c.NotBefore.Format(time.RFC3339), days(c.NotBefore.Sub(now)))
	case c.NotAfter.Sub(now) < x.in.ExpiryWarning:
		x.add(CodeCertExpiresSoon, x.secretObject(), "", "renew the certificate before it expires",
			"%s expires %s, in %s (below --expiry-warning %s)", what, c.NotAfter.Format(time.RFC3339), days(c.NotAfter.Sub(now)), days(x.in.ExpiryWarning))
	}
}

func days(d time.Duration) string {
	n := int(d.Hours() / 24)
	if n == 1 {
		return "1 day"
	}
	if n == 0 {
		return d.Round(time.Minute).String()
	}
	return fmt.Sprintf("%d days", n)
}

// checkPrivateKey uses mesh's load-time comparison; key bytes never reach this package.
func checkPrivateKey(x *checkCtx) {
	if !x.readable || x.certKey == "" || x.halfPair() != "" {
		return
	}
	x.state.KeyMatchesLeaf = x.info.KeyMatchesLeaf
	switch {
	case x.info.KeyRedacted:
		x.add(CodeKeyRedacted, x.secretObject(), "", "run check-secrets against the cluster to compare the real key with the certificate",
			"private key %q of Secret %s is a [redacted] placeholder in this input: not compared with the leaf certificate", x.privKey, x.key())
	case x.info.KeyError != "":
		x.add(CodeKeyUnparsable, x.secretObject(), "", "put the PEM private key (PKCS#1, SEC 1 or PKCS#8, unencrypted) of the certificate in key "+x.privKey,
			"private key of Secret %s could not be parsed: %s", x.key(), x.info.KeyError)
	case x.info.KeyMatchesLeaf != nil && !*x.info.KeyMatchesLeaf:
		x.add(CodeKeyMismatch, x.secretObject(), "", "put the key the certificate was issued for in "+x.privKey+", or the matching certificate first in "+x.certKey,
			"private key %q of Secret %s does not match the leaf certificate %q in %q: the TLS handshake fails", x.privKey, x.key(), leafSubject(x), x.certKey)
	}
}

func leafSubject(x *checkCtx) string {
	if x.state.Leaf == nil {
		return ""
	}
	return x.state.Leaf.Subject
}

// checkKeyUsage: MUTUAL origination presents a client certificate; a Gateway a server one.
func checkKeyUsage(x *checkCtx) {
	leaf := x.state.Leaf
	if leaf == nil {
		return
	}
	for _, u := range x.activeUses() {
		switch {
		case u.Side == "origination" && u.Mode == "MUTUAL" && !leaf.ClientAuth:
			x.add(CodeNotClientCert, x.secretObject(), "", "issue the client certificate with extKeyUsage clientAuth",
				"leaf certificate %q of Secret %s has no clientAuth extKeyUsage but %s %s presents it as a client certificate: the server rejects it", leaf.Subject, x.key(), u.Object, u.Field)
			return
		case u.Side == "termination" && !leaf.ServerAuth:
			x.add(CodeNotServerCert, x.secretObject(), "", "issue the server certificate with extKeyUsage serverAuth",
				"leaf certificate %q of Secret %s has no serverAuth extKeyUsage but %s %s presents it as a server certificate", leaf.Subject, x.key(), u.Object, u.Field)
			return
		}
	}
}

func keyBytes(info *mesh.SecretInfo, name string) int {
	for _, k := range info.Keys {
		if k.Name == name {
			return k.Bytes
		}
	}
	return 0
}
