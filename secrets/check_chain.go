package secrets

import (
	"crypto/x509"
	"fmt"
	"slices"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// Values of SecretState.ChainVerified.
const (
	ChainVerified   = "verified"
	ChainUnverified = "unverified"
	ChainFailed     = "failed"
)

// checkChain: leaf first, each certificate followed by its issuer, ending at a root or at
// a certificate whose issuer is in the CA bundle; signatures checked when DER is known.
func checkChain(x *checkCtx) {
	chain := x.state.Chain
	if len(chain) == 0 {
		return
	}
	for i := 0; i+1 < len(chain); i++ {
		if chain[i].Issuer != chain[i+1].Subject {
			x.add(CodeChainOrder, x.secretObject(), "", "order "+x.certKey+" leaf first, then each issuer (intermediate CAs), root last or omitted",
				"certificate %d (%q) of key %q in Secret %s is followed by %q, not by its issuer %q", i+1, chain[i].Subject, x.certKey, x.key(), chain[i+1].Subject, chain[i].Issuer)
			return
		}
	}
	last := chain[len(chain)-1]
	if last.Issuer != last.Subject && len(x.state.CA) > 0 && !slices.ContainsFunc(x.state.CA, func(c mesh.CertSummary) bool { return c.Subject == last.Issuer }) {
		x.state.ChainVerified = ChainUnverified
		x.add(CodeChainIncomplete, x.secretObject(), "", "append the intermediate CA certificate(s) to "+x.certKey+" after the leaf",
			"chain in key %q of Secret %s ends at %q whose issuer %q is neither in the chain nor in the CA bundle: the peer must already hold that intermediate", x.certKey, x.key(), last.Subject, last.Issuer)
		return
	}
	x.verifySignatures()
}

// verifySignatures checks each certificate's signature with its issuer's key.
func (x *checkCtx) verifySignatures() {
	chain := parseDER(x.certs[x.certKey])
	if len(chain) == 0 || len(chain) != len(x.state.Chain) {
		return // no DER (e.g. a dump-only input): names were checked, signatures not
	}
	ca := parseDER(x.caDER())
	for i, c := range chain {
		issuers := ca
		if i+1 < len(chain) {
			issuers = []*x509.Certificate{chain[i+1]}
		} else if c.Issuer.String() == c.Subject.String() {
			issuers = []*x509.Certificate{c}
		}
		if len(issuers) == 0 {
			return // the issuer's DER is not known
		}
		if !signedByAny(c, issuers) {
			x.state.ChainVerified = ChainFailed
			x.add(CodeChainSignature, x.secretObject(), "", "put the CA that really issued the certificate in the bundle (the CA was probably re-created with the same name), or re-issue the certificate",
				"certificate %q in key %q of Secret %s names issuer %q, but no certificate of that name in the chain or CA bundle signed it", c.Subject.String(), x.certKey, x.key(), c.Issuer.String())
			return
		}
	}
	x.state.ChainVerified = ChainVerified
}

func (x *checkCtx) caDER() [][]byte {
	if x.caFromSibling {
		return x.in.Certs[mesh.Key(x.cred.Namespace, x.cred.Name+"-cacert")][x.caKey]
	}
	return x.certs[x.caKey]
}

func signedByAny(c *x509.Certificate, issuers []*x509.Certificate) bool {
	for _, is := range issuers {
		if is.Subject.String() == c.Issuer.String() && c.CheckSignatureFrom(is) == nil {
			return true
		}
		if is == c && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil {
			return true
		}
	}
	return false
}

func parseDER(ders [][]byte) []*x509.Certificate {
	var out []*x509.Certificate
	for _, d := range ders {
		if c, err := x509.ParseCertificate(d); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// checkCABundle: every certificate of the CA bundle must be a CA.
func checkCABundle(x *checkCtx) {
	for _, c := range x.state.CA {
		if !c.IsCA {
			x.add(CodeCANotCA, x.secretObject(), "", "put the issuing CA certificate(s) in "+x.state.CASource+", not a leaf",
				"CA bundle %q of Secret %s holds %q (serial %s), which is not a CA (basicConstraints CA:FALSE): it cannot verify a peer", x.state.CASource, x.key(), c.Subject, c.SerialHex)
		}
	}
}

// checkSNI: origination should set sni; subjectAltNames should admit it; a Gateway's
// certificate should cover its hosts.
func checkSNI(x *checkCtx) {
	for _, u := range x.activeUses() {
		if u.Side == "origination" {
			x.checkOriginationSNI(u)
		} else {
			x.checkServerHosts(u)
		}
	}
}

func (x *checkCtx) checkOriginationSNI(u Use) {
	if u.SNI == "" {
		x.add(CodeNoSNI, u.Object, "", "set tls.sni to the external host ("+u.Hosts[0]+")",
			"%s %s originates %s TLS without sni: Envoy sets SNI itself only for HTTP (auto_sni), so TLS/TCP traffic reaches the server without SNI and may get the wrong certificate", u.Object, u.Field, u.Mode)
		return
	}
	if len(u.SubjectAltNames) > 0 && !slices.ContainsFunc(u.SubjectAltNames, func(s string) bool { return hostMatches(s, u.SNI) }) {
		x.add(CodeSANMissesSNI, u.Object, "", "add the sni host to subjectAltNames, or fix sni",
			"%s %s asks the server for sni %q but accepts only subjectAltNames %v: a certificate for %q fails verification", u.Object, u.Field, u.SNI, u.SubjectAltNames, u.SNI)
	}
}

func (x *checkCtx) checkServerHosts(u Use) {
	leaf := x.state.Leaf
	if leaf == nil {
		return
	}
	var missing []string
	for _, h := range u.Hosts {
		if h != "*" && !slices.ContainsFunc(leaf.DNSNames, func(n string) bool { return hostMatches(n, h) }) {
			missing = append(missing, h)
		}
	}
	if len(missing) > 0 {
		x.add(CodeServerCertHosts, u.Object, "", "issue the certificate with DNS SANs for the server's hosts",
			"%s %s serves hosts %v with certificate %q whose DNS names %v do not cover %s", u.Object, u.Field, u.Hosts, leaf.Subject, leaf.DNSNames, fmt.Sprint(missing))
	}
}
