package secrets

import (
	"fmt"
	"slices"
	"time"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// checkCRL reads the CRL istiod sends with the CA: ca.crl beside ca.crt, crl beside cacert,
// from the Secret that holds the CA (ExtractRoot in pilot/pkg/credentials/kube/secrets.go;
// toEnvoyCaSecret in pilot/pkg/xds/sds.go sets it as the validation context's crl). Envoy
// loads a non-empty CRL with PEM_X509_INFO_read_bio and then verifies peers with
// X509_V_FLAG_CRL_CHECK|X509_V_FLAG_CRL_CHECK_ALL, since istiod never sets
// only_verify_leaf_cert_crl (DefaultCertValidator::initializeSslContexts).
func checkCRL(x *checkCtx) {
	if !x.readable || x.caKey == "" {
		return
	}
	info := x.info
	if x.caFromSibling {
		info = x.caInfo
	}
	crlKey := "ca.crl"
	if x.caKey == "cacert" {
		crlKey = "crl"
	}
	crl, ok := info.CRLs[crlKey]
	if !ok {
		return // absent or empty: Envoy checks no CRL
	}
	where := fmt.Sprintf("CRL in key %q of Secret %s", crlKey, mesh.Key(info.Namespace, info.Name))
	obj := "Secret " + mesh.Key(info.Namespace, info.Name)
	now := x.in.Now
	switch {
	case crl.Error != "":
		x.add(CodeCRLUnparsable, obj, "", "put a PEM X509 CRL (openssl crl -inform der -in FILE -out FILE.pem) in "+crlKey+", or remove the key",
			"%s does not parse (%s): Envoy fails to load the CA secret %s-cacert, so every peer verification fails", where, crl.Error, x.cred.SDSResource())
		return
	case !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate):
		x.add(CodeCRLExpired, obj, "", "publish a fresh CRL from the CA and update "+crlKey,
			"%s (issuer %q) expired %s (nextUpdate): BoringSSL rejects every peer certificate checked against it (CRL has expired)", where, crl.Issuer, crl.NextUpdate.Format(time.RFC3339))
	case now.Before(crl.ThisUpdate):
		x.add(CodeCRLExpired, obj, "", "check the CA's clock, or wait until thisUpdate",
			"%s (issuer %q) is not valid until %s (thisUpdate): BoringSSL rejects every peer certificate checked against it (CRL is not yet valid)", where, crl.Issuer, crl.ThisUpdate.Format(time.RFC3339))
	}
	switch {
	case crl.SignedByCA == nil:
		x.add(CodeCRLIssuerMismatch, obj, "", "put the CRL of the CA in "+x.state.CASource+" in "+crlKey,
			"%s is issued by %q, which is no certificate of CA bundle %q: no peer chain has a CRL for its issuer, and Envoy checks CRLs for the whole chain, so verification fails", where, crl.Issuer, x.state.CASource)
	case !*crl.SignedByCA:
		x.add(CodeCRLIssuerMismatch, obj, "", "put the CRL the CA really signed in "+crlKey+" (the CA was re-created?)",
			"%s names issuer %q, but no CA of that name in %q signed it: BoringSSL cannot verify the CRL, so verification fails", where, crl.Issuer, x.state.CASource)
	}
	for _, c := range x.state.Chain {
		if c.Issuer == crl.Issuer && slices.Contains(crl.Revoked, c.SerialHex) {
			x.add(CodeCertRevoked, x.secretObject(), "", "issue a new certificate and update "+x.certKey,
				"certificate %q (serial %s) in key %q of Secret %s is revoked by the %s: a peer checking that CA's CRL rejects it", c.Subject, c.SerialHex, x.certKey, x.key(), where)
		}
	}
}
