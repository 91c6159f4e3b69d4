package secrets

import (
	"fmt"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// Layouts of a credential Secret.
const (
	LayoutTLS     = "tls"     // tls.crt, tls.key [, ca.crt, ca.crl]
	LayoutGeneric = "generic" // cert, key [, cacert, crl]
	LayoutCAOnly  = "ca-only" // ca.crt or cacert only
	LayoutUnknown = "unknown"
)

// checkExists: the Secret must be in the proxy's namespace and readable.
func checkExists(x *checkCtx) {
	x.state.ElsewhereIn = x.elsewhere()
	switch {
	case x.info == nil || x.info.Access == mesh.AccessNotFound:
		x.reportMissing()
	case x.info.Access == mesh.AccessForbidden:
		x.add(CodeSecretForbidden, x.secretObject(), "", "grant get on secrets in namespace "+x.cred.Namespace+" to check the content, or run as a user who may",
			"skipped: forbidden: you may not get Secret %s; its keys and certificates were not checked (everything else was)", x.key())
	}
}

func (x *checkCtx) reportMissing() {
	where := fmt.Sprintf("the namespace of %s", x.proxiesText())
	if len(x.state.ElsewhereIn) > 0 {
		x.add(CodeSecretWrongNamespace, x.object(), "", fmt.Sprintf("create the Secret in namespace %q (kubectl get secret %s -n %s -o yaml, change the namespace, apply)", x.cred.Namespace, x.cred.Name, x.state.ElsewhereIn[0]),
			"credentialName %q (%s) is looked up in namespace %q, %s; a Secret of that name exists only in %s", x.credentialName(), x.uses(), x.cred.Namespace, where, strings.Join(quoteAll(x.state.ElsewhereIn), ", "))
		return
	}
	x.add(CodeSecretNotFound, x.object(), "", fmt.Sprintf("create Secret %s in namespace %q with tls.crt/tls.key (and ca.crt), or fix credentialName", x.cred.Name, x.cred.Namespace),
		"credentialName %q (%s) not found in namespace %q, %s: the SDS secret %s stays warming and requests fail with 503", x.credentialName(), x.uses(), x.cred.Namespace, where, x.cred.SDSResource())
}

// credentialName is the credentialName as the DestinationRule or Gateway writes it.
func (x *checkCtx) credentialName() string {
	if x.cred.CredentialName != "" {
		return x.cred.CredentialName
	}
	return x.cred.Name
}

func (x *checkCtx) proxiesText() string {
	if len(x.cred.Proxies) == 0 {
		return "the proxy that would use it"
	}
	pods := make([]string, 0, len(x.cred.Proxies))
	for _, p := range x.cred.Proxies {
		pods = append(pods, p.Pod)
	}
	return "proxy " + strings.Join(pods, ", ")
}

// elsewhere lists other namespaces holding a readable Secret of the credential's name.
func (x *checkCtx) elsewhere() []string {
	var out []string
	for _, s := range x.sameName {
		if s.Namespace != x.cred.Namespace && s.Access == mesh.AccessOK {
			out = append(out, s.Namespace)
		}
	}
	return out
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// checkLayout: keys must form a layout Istio accepts for this use, and be non-empty.
func checkLayout(x *checkCtx) {
	if !x.readable {
		return
	}
	x.state.Type, x.state.Keys = x.info.Type, x.info.Keys
	x.state.Layout = layoutOf(x.info)
	x.pickKeys()
	switch {
	case x.state.Layout == LayoutCAOnly && x.needsCertKey():
		x.add(CodeCAOnly, x.secretObject(), "", "add tls.crt and tls.key (the client certificate and its key) to the Secret",
			"Secret %s holds only a CA (%s) but %s needs a certificate and private key", x.key(), keyNames(x.info), x.uses())
	case x.state.Layout == LayoutUnknown || x.halfPair() != "":
		x.add(CodeLayoutInvalid, x.secretObject(), "", "use keys tls.crt + tls.key [+ ca.crt] (or cert + key [+ cacert])",
			"Secret %s has keys %s%s: Istio reads tls.crt/tls.key[/ca.crt,ca.crl] or cert/key[/cacert,crl]", x.key(), keyNames(x.info), x.halfPair())
	case x.needsCA() && x.caKey == "" && x.caFromSibling:
		sib := mesh.Key(x.caInfo.Namespace, x.caInfo.Name)
		x.add(CodeLayoutInvalid, "Secret "+sib, "", "put the CA bundle in key cacert or ca.crt of Secret "+sib+", or delete that Secret so istiod reads the CA from "+x.key(),
			"Secret %s exists but has no CA (keys %s); istiod reads %s's CA only from it, never from %s, so %s gets no CA", sib, keyNames(x.caInfo), x.cred.Name, x.key(), x.uses())
	case x.needsCA() && x.caKey == "":
		x.add(CodeLayoutInvalid, x.secretObject(), "", fmt.Sprintf("add ca.crt to the Secret, or create Secret %s-cacert with key ca.crt", x.cred.Name),
			"Secret %s has no CA (keys %s) but %s verifies its peer with the Secret's CA", x.key(), keyNames(x.info), x.uses())
	}
	x.checkEmpty()
}

// layoutOf is the key pair istiod reads: cert/key when both hold data, else tls.crt/tls.key
// (pilot/pkg/credentials/kube/secrets.go extractKeyAndCert checks the generic pair first).
func layoutOf(info *mesh.SecretInfo) string {
	switch {
	case keyBytes(info, "cert") > 0 && keyBytes(info, "key") > 0:
		return LayoutGeneric
	case info.HasKey("tls.crt") || info.HasKey("tls.key"):
		return LayoutTLS
	case info.HasKey("cert") || info.HasKey("key"):
		return LayoutGeneric
	case info.HasKey("ca.crt") || info.HasKey("cacert"):
		return LayoutCAOnly
	}
	return LayoutUnknown
}

// pickKeys sets the chain, key and CA data keys, looking for the CA in NAME-cacert too.
func (x *checkCtx) pickKeys() {
	switch x.state.Layout {
	case LayoutTLS:
		x.certKey, x.privKey = "tls.crt", "tls.key"
	case LayoutGeneric:
		x.certKey, x.privKey = "cert", "key"
	}
	// istiod serves the CA (SDS NAME-cacert) from Secret NAME-cacert whenever it exists, with
	// no fallback when that Secret lacks a CA, and from NAME only when NAME-cacert does not
	// exist; in either, key cacert before ca.crt, each only when it holds data
	// (pilot/pkg/credentials/kube/secrets.go GetCaCert, extractRoot).
	if x.caInfo != nil && x.caInfo.Access == mesh.AccessOK {
		x.caFromSibling = true
		if k := rootKey(x.caInfo); k != "" {
			x.caKey, x.state.CASource = k, x.cred.Name+"-cacert/"+k
		}
		return
	}
	if k := rootKey(x.info); k != "" {
		x.caKey, x.state.CASource = k, k
	}
}

// rootKey is the key istiod's extractRoot reads the CA from: cacert, else ca.crt, the first
// holding data; failing that the first present (empty: reported by checkEmpty); "" for none.
func rootKey(info *mesh.SecretInfo) string {
	for _, k := range []string{"cacert", "ca.crt"} {
		if keyBytes(info, k) > 0 {
			return k
		}
	}
	for _, k := range []string{"cacert", "ca.crt"} {
		if info.HasKey(k) {
			return k
		}
	}
	return ""
}

// halfPair describes a certificate without its key or the reverse ("" when complete).
func (x *checkCtx) halfPair() string {
	if x.certKey == "" {
		return ""
	}
	hasCert, hasKey := x.info.HasKey(x.certKey), x.info.HasKey(x.privKey)
	switch {
	case hasCert && !hasKey:
		return fmt.Sprintf(" (%s without %s)", x.certKey, x.privKey)
	case hasKey && !hasCert:
		return fmt.Sprintf(" (%s without %s)", x.privKey, x.certKey)
	}
	return ""
}

func (x *checkCtx) checkEmpty() {
	for _, k := range x.info.Keys {
		if k.Bytes == 0 && isCredentialKey(k.Name) && !isCRLKey(k.Name) {
			x.add(CodeKeyEmpty, x.secretObject(), "", "put the PEM data in key "+k.Name+", or remove the key",
				"key %q of Secret %s is empty", k.Name, x.key())
		}
	}
	if x.caFromSibling {
		for _, k := range x.caInfo.Keys {
			if k.Bytes == 0 && isCredentialKey(k.Name) && !isCRLKey(k.Name) {
				x.add(CodeKeyEmpty, "Secret "+mesh.Key(x.caInfo.Namespace, x.caInfo.Name), "", "put the CA bundle in key "+k.Name,
					"key %q of Secret %s is empty", k.Name, mesh.Key(x.caInfo.Namespace, x.caInfo.Name))
			}
		}
	}
}

func isCredentialKey(name string) bool {
	switch name {
	case "tls.crt", "tls.key", "ca.crt", "ca.crl", "cert", "key", "cacert", "crl":
		return true
	}
	return false
}

// isCRLKey: an empty CRL is harmless. istiod copies ca.crl (beside ca.crt) or crl (beside
// cacert) as it is (ExtractRoot in pilot/pkg/credentials/kube/secrets.go; toEnvoyCaSecret in
// pilot/pkg/xds/sds.go), and Envoy loads a CRL only when it is not empty
// (DefaultCertValidator::initializeSslContexts: !certificateRevocationList().empty()).
func isCRLKey(name string) bool { return name == "ca.crl" || name == "crl" }

func keyNames(info *mesh.SecretInfo) string {
	if len(info.Keys) == 0 {
		return "(none)"
	}
	names := make([]string, len(info.Keys))
	for i, k := range info.Keys {
		names[i] = k.Name
	}
	return strings.Join(names, ", ")
}
