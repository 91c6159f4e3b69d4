package secrets

import (
	"fmt"
	"slices"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// check is one registered check; codes lists every finding it may report.
type check struct {
	name  string
	codes []string
	run   func(x *checkCtx)
}

// checks are run in order on every used credential; a check reads what earlier ones
// stored in the context. Keep one concept per entry.
var checks = []check{
	{"secret-exists", []string{CodeSecretNotFound, CodeSecretWrongNamespace, CodeSecretForbidden}, checkExists},
	{"layout", []string{CodeLayoutInvalid, CodeKeyEmpty, CodeCAOnly}, checkLayout},
	{"certificates", []string{CodeCertUnparsable, CodeCertNotPEM, CodeCertExpired, CodeCertNotYetValid, CodeCertExpiresSoon, CodeCAExpiredUnused}, checkCertificates},
	{"key-type", []string{CodeKeyRefused}, checkKeyType},
	{"private-key", []string{CodeKeyMismatch, CodeKeyUnparsable, CodeKeyRedacted}, checkPrivateKey},
	{"key-usage", []string{CodeNotClientCert, CodeNotServerCert}, checkKeyUsage},
	{"chain", []string{CodeChainOrder, CodeChainIncomplete, CodeChainSignature}, checkChain},
	{"ca-bundle", []string{CodeCANotCA}, checkCABundle},
	{"crl", []string{CodeCRLUnparsable, CodeCRLExpired, CodeCRLIssuerMismatch, CodeCertRevoked}, checkCRL},
	{"sni-san", []string{CodeNoSNI, CodeSANMissesSNI, CodeServerCertHosts}, checkSNI},
	{"rbac", []string{CodeListDenied}, checkRBAC},
	{"proxy-state", []string{CodeNoDump, CodeSDSWarming, CodeSDSAbsent, CodeSDSDrift, CodeClusterNotActive}, checkProxies},
}

// discoveryCodes are reported while placing credentials, before the checks run.
var discoveryCodes = []string{CodeIgnoredOnSidecar, CodeSelectorNoPods, CodeCredentialCrossNamespace, CodeCredentialNeedsGrant, CodeCredentialNotSecret, CodeCredentialNameInvalid}

// checkCtx is the state of checking one credential.
type checkCtx struct {
	in   Input
	cred *Credential
	// info is the Secret (nil when absent from the snapshot); caInfo the NAME-cacert Secret.
	info, caInfo *mesh.SecretInfo
	// sameName are the Secrets named like the credential in every namespace, ordered by
	// namespace/name.
	sameName []*mesh.SecretInfo
	certs    mesh.SecretCerts
	// certKey and caKey are the data keys holding the chain and the CA ("" if none);
	// caFromSibling is true when the CA comes from NAME-cacert.
	certKey, privKey, caKey string
	caFromSibling           bool
	state                   SecretState
	// readable is true when the Secret's content is known.
	readable bool
	findings []Finding
}

func newCheckCtx(in Input, c *Credential, sameName []*mesh.SecretInfo) *checkCtx {
	x := &checkCtx{in: in, cred: c, sameName: sameName}
	x.info = in.Snapshot.Secrets[mesh.Key(c.Namespace, c.Name)]
	x.caInfo = in.Snapshot.Secrets[mesh.Key(c.Namespace, c.Name+"-cacert")]
	x.certs = in.Certs[mesh.Key(c.Namespace, c.Name)]
	x.state.Access = mesh.AccessNotFound
	if x.info != nil {
		x.state.Access = x.info.Access
		x.readable = x.info.Access == mesh.AccessOK
		x.state.Type, x.state.Keys = x.info.Type, x.info.Keys
	}
	return x
}

// secretsByName groups the snapshot's Secrets by name, each group ordered by
// namespace/name, so looking for a credential's Secret in other namespaces is one lookup.
func secretsByName(s *mesh.Snapshot) map[string][]*mesh.SecretInfo {
	out := map[string][]*mesh.SecretInfo{}
	for _, si := range s.SortedSecrets() {
		out[si.Name] = append(out[si.Name], si)
	}
	return out
}

// used reports whether any proxy uses the credential (some use is not ignored).
func (x *checkCtx) used() bool {
	return slices.ContainsFunc(x.cred.UsedBy, func(u Use) bool { return u.Ignored == "" })
}

// needsCertKey: MUTUAL origination and every termination present a certificate.
func (x *checkCtx) needsCertKey() bool {
	return slices.ContainsFunc(x.activeUses(), func(u Use) bool { return u.Mode != "SIMPLE" || u.Side == "termination" })
}

// needsCA: SIMPLE origination reads only the CA; MUTUAL termination verifies clients with it.
func (x *checkCtx) needsCA() bool {
	return slices.ContainsFunc(x.activeUses(), func(u Use) bool {
		return (u.Side == "origination" && u.Mode == "SIMPLE") || (u.Side == "termination" && u.Mode != "SIMPLE")
	})
}

func (x *checkCtx) activeUses() []Use {
	var out []Use
	for _, u := range x.cred.UsedBy {
		if u.Ignored == "" {
			out = append(out, u)
		}
	}
	return out
}

// object names the first use's object (findings about the DR/Gateway setting).
func (x *checkCtx) object() string { return x.activeUses()[0].Object }

func (x *checkCtx) secretObject() string {
	return "Secret " + mesh.Key(x.cred.Namespace, x.cred.Name)
}

func (x *checkCtx) key() string { return mesh.Key(x.cred.Namespace, x.cred.Name) }

func (x *checkCtx) add(code, object, proxy, fix, format string, a ...any) {
	x.findings = append(x.findings, newFinding(code, object, x.key(), proxy, fmt.Sprintf(format, a...), fix))
}

// uses renders where the credential is named, for messages.
func (x *checkCtx) uses() string {
	u := x.activeUses()[0]
	s := fmt.Sprintf("%s %s (%s)", u.Object, u.Field, u.Mode)
	if n := len(x.activeUses()); n > 1 {
		s += fmt.Sprintf(" and %d more", n-1)
	}
	return s
}
