package secrets

import "fmt"

// Level of a finding, ordered: Info < Warning < Error.
type Level string

// Finding levels.
const (
	LevelInfo    Level = "Info"
	LevelWarning Level = "Warning"
	LevelError   Level = "Error"
)

// Rank orders levels: Info 0, Warning 1, Error 2; unknown levels -1.
func (l Level) Rank() int {
	switch l {
	case LevelInfo:
		return 0
	case LevelWarning:
		return 1
	case LevelError:
		return 2
	}
	return -1
}

// ParseLevel reads a level name (case-sensitive as Istio prints them: Info, Warning, Error).
func ParseLevel(s string) (Level, error) {
	if l := Level(s); l.Rank() >= 0 {
		return l, nil
	}
	return "", fmt.Errorf("unknown level %q", s)
}

// Finding is one coded problem, modelled on Istio's analyzer messages.
type Finding struct {
	Code  string `json:"code"`
	Level Level  `json:"level"`
	// Object is the Istio or Kubernetes object it concerns: "DestinationRule ns/name", "Secret ns/name".
	Object string `json:"object,omitempty"`
	// Credential is the "namespace/name" of the credential it concerns.
	Credential string `json:"credential,omitempty"`
	// Proxy is the namespace/pod whose state shows it, if any.
	Proxy   string `json:"proxy,omitempty"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

// String renders a finding as Istio's analyzer does.
func (f Finding) String() string {
	s := fmt.Sprintf("%s [%s]", f.Level, f.Code)
	if f.Object != "" {
		s += " (" + f.Object + ")"
	}
	return s + " " + f.Message
}

// Rule is one entry of the findings catalogue.
type Rule struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level Level  `json:"level"`
	// Class is the failure class of docs/EGRESS-FAILURES ("D24").
	Class   string `json:"class"`
	Summary string `json:"summary"`
}

// Finding codes of check-secrets. EGR0401..EGR0449 belong to trace's TLS findings.
const (
	CodeSecretNotFound       = "EGR0450"
	CodeSecretWrongNamespace = "EGR0451"
	CodeSecretForbidden      = "EGR0452"
	CodeLayoutInvalid        = "EGR0453"
	CodeKeyEmpty             = "EGR0454"
	CodeCAOnly               = "EGR0455"
	CodeCertUnparsable       = "EGR0456"
	CodeCertExpired          = "EGR0457"
	CodeCertNotYetValid      = "EGR0458"
	CodeCertExpiresSoon      = "EGR0459"
	CodeKeyMismatch          = "EGR0460"
	CodeKeyUnparsable        = "EGR0461"
	CodeKeyRedacted          = "EGR0471"
	CodeKeyRefused           = "EGR0472"
	CodeNotClientCert        = "EGR0462"
	CodeNotServerCert        = "EGR0463"
	CodeChainOrder           = "EGR0464"
	CodeChainIncomplete      = "EGR0465"
	CodeChainSignature       = "EGR0466"
	CodeCANotCA              = "EGR0467"
	CodeNoSNI                = "EGR0468"
	CodeSANMissesSNI         = "EGR0469"
	CodeServerCertHosts      = "EGR0470"
	CodeIgnoredOnSidecar     = "EGR0475"
	CodeSelectorNoPods       = "EGR0476"
	CodeListDenied           = "EGR0480"
	CodeSDSWarming           = "EGR0485"
	CodeSDSAbsent            = "EGR0486"
	CodeSDSDrift             = "EGR0487"
	CodeClusterNotActive     = "EGR0488"
	CodeNoDump               = "EGR0489"
	// Codes of credentialName references (EGR0477..EGR0479, EGR0490..).
	CodeCredentialCrossNamespace = "EGR0477"
	CodeCredentialNeedsGrant     = "EGR0478"
	CodeCredentialNotSecret      = "EGR0479"
	CodeCredentialNameInvalid    = "EGR0490"
	CodeCertNotPEM               = "EGR0491"
	CodeCAExpiredUnused          = "EGR0492"
	CodeCRLUnparsable            = "EGR0493"
	CodeCRLExpired               = "EGR0494"
	CodeCRLIssuerMismatch        = "EGR0495"
	CodeCertRevoked              = "EGR0496"
)

// Catalogue lists every finding check-secrets can report; docs/secrets-findings.md is
// kept in sync with it by a test.
var Catalogue = []Rule{
	{CodeSecretNotFound, "SecretNotFound", LevelError, "D24", "the credential's Secret does not exist in the namespace of the proxy that uses it"},
	{CodeSecretWrongNamespace, "SecretInWrongNamespace", LevelError, "D24", "a Secret of that name exists, but in another namespace than the proxy's"},
	{CodeSecretForbidden, "SecretReadForbidden", LevelInfo, "D24", "you may not read the Secret: its content checks were skipped"},
	{CodeLayoutInvalid, "SecretLayoutInvalid", LevelError, "D25", "the Secret's keys are not a layout Istio accepts (tls.crt/tls.key[/ca.crt] or cert/key[/cacert])"},
	{CodeKeyEmpty, "SecretKeyEmpty", LevelError, "D25", "a key Istio reads is present but empty (an empty CA included)"},
	{CodeCAOnly, "SecretCAOnly", LevelError, "D25", "the Secret holds only a CA, but this use needs a certificate and key"},
	{CodeCertUnparsable, "CertificateUnparsable", LevelError, "D25", "a PEM block does not parse as an X.509 certificate"},
	{CodeCertExpired, "CertificateExpired", LevelError, "D25", "a certificate of the chain or CA bundle has expired"},
	{CodeCertNotYetValid, "CertificateNotYetValid", LevelError, "D25", "a certificate of the chain or CA bundle is not valid yet"},
	{CodeCertExpiresSoon, "CertificateExpiresSoon", LevelWarning, "D25", "a certificate expires within --expiry-warning"},
	{CodeKeyMismatch, "PrivateKeyMismatch", LevelError, "D25", "the private key does not match the leaf certificate"},
	{CodeKeyUnparsable, "PrivateKeyUnparsable", LevelError, "D25", "the private key could not be parsed"},
	{CodeKeyRefused, "CertificateKeyRefused", LevelError, "D25", "the leaf certificate's key is one Envoy refuses to load (RSA below 2048 bits, an ECDSA curve other than P-256/P-384/P-521): the proxy never presents it"},
	{CodeKeyRedacted, "PrivateKeyRedacted", LevelInfo, "D25", "the input holds a [redacted] placeholder instead of the private key, so key and certificate were not compared"},
	{CodeNotClientCert, "NotAClientCertificate", LevelError, "D25", "MUTUAL origination presents a leaf whose extKeyUsage lacks clientAuth"},
	{CodeNotServerCert, "NotAServerCertificate", LevelError, "D25", "a Gateway server presents a leaf whose extKeyUsage lacks serverAuth"},
	{CodeChainOrder, "ChainOutOfOrder", LevelError, "D25", "the certificate chain is not ordered leaf first, each certificate followed by its issuer"},
	{CodeChainIncomplete, "ChainIncomplete", LevelWarning, "D25", "the chain stops at a certificate whose issuer is neither in the chain nor in the CA bundle"},
	{CodeChainSignature, "ChainSignatureInvalid", LevelError, "D26", "an issuer of that name is present but its key did not sign the certificate (a re-issued CA?)"},
	{CodeCANotCA, "CABundleNotCA", LevelWarning, "D26", "the CA bundle holds a certificate that is not a CA"},
	{CodeNoSNI, "OriginationWithoutSNI", LevelWarning, "D27", "TLS origination without sni: Envoy sets SNI on its own only for HTTP"},
	{CodeSANMissesSNI, "SubjectAltNamesMissSNI", LevelWarning, "D26", "subjectAltNames do not include the sni the server is asked for"},
	{CodeServerCertHosts, "ServerCertificateHostsMismatch", LevelWarning, "D26", "the Gateway server's certificate does not cover the server's hosts"},
	{CodeIgnoredOnSidecar, "CredentialIgnoredOnSidecar", LevelError, "D23", "credentialName on a DestinationRule without workloadSelector is ignored by sidecars"},
	{CodeSelectorNoPods, "WorkloadSelectorNoPods", LevelInfo, "D23", "the DestinationRule's workloadSelector matches no pod: no proxy uses the credential"},
	{CodeListDenied, "ProxyCannotListSecrets", LevelError, "D24", "the proxy's service account may not list secrets in the credential's namespace, so istiod will not serve it"},
	{CodeSDSWarming, "SDSSecretWarming", LevelError, "D24", "the proxy's SDS secret for the credential is warming: it never arrived"},
	{CodeSDSAbsent, "SDSSecretAbsent", LevelWarning, "D24", "the proxy does not have the credential's SDS secret at all: the setting does not reach it"},
	{CodeSDSDrift, "SDSRotationDrift", LevelWarning, "D24", "the certificate the proxy loaded differs from the Secret's (serial or expiry): rotation did not reach the proxy"},
	{CodeClusterNotActive, "ClusterNotActive", LevelError, "D24", "a cluster that uses the credential is warming or rejected: requests get 503"},
	{CodeCredentialCrossNamespace, "CredentialReferenceRefused", LevelError, "D24", "credentialName names a Secret istiod will not serve to the proxy: a kubernetes:// Secret outside the proxy's namespace, or a kubernetes-gateway:// reference on a DestinationRule"},
	{CodeCredentialNeedsGrant, "CredentialNeedsReferenceGrant", LevelWarning, "D24", "a Gateway's kubernetes-gateway:// credential crosses namespaces: istiod serves it only if a ReferenceGrant allows it (not checked)"},
	{CodeCredentialNotSecret, "CredentialNotASecret", LevelInfo, "D24", "credentialName is builtin://, configmap:// or sds://: no Secret to check"},
	{CodeCredentialNameInvalid, "CredentialNameInvalid", LevelError, "D24", "istiod cannot resolve the credentialName to a Secret (e.g. kubernetes-gateway:// without NAMESPACE/NAME): nothing is served"},
	{CodeCertNotPEM, "CertificateNotPEM", LevelError, "D25", "a certificate key holds DER or PKCS#12 instead of PEM: istiod passes the bytes unchanged and Envoy loads only PEM"},
	{CodeCAExpiredUnused, "CABundleExpiredUnusedRoot", LevelInfo, "D25", "an expired or not yet valid certificate in the CA bundle that the chain does not need, beside valid ones"},
	{CodeCRLUnparsable, "CRLUnparsable", LevelError, "D26", "the CRL key (ca.crl beside ca.crt, crl beside cacert) holds no PEM X509 CRL: Envoy fails to load the CA secret"},
	{CodeCRLExpired, "CRLExpired", LevelError, "D26", "the CRL's nextUpdate has passed (or thisUpdate is in the future): every peer verification fails"},
	{CodeCRLIssuerMismatch, "CRLIssuerMismatch", LevelError, "D26", "no CA in the bundle issued the CRL (name or signature): with Envoy's CRL_CHECK_ALL no peer verifies"},
	{CodeCertRevoked, "CertificateRevoked", LevelError, "D26", "a certificate of the chain is listed in its issuer's CRL in the Secret"},
	{CodeNoDump, "ProxyDumpMissing", LevelInfo, "F32", "the proxy's config dump was not available: its state was not checked"},
}

// ruleByCode indexes the catalogue.
var ruleByCode = func() map[string]Rule {
	m := make(map[string]Rule, len(Catalogue))
	for _, r := range Catalogue {
		m[r.Code] = r
	}
	return m
}()

// LookupRule returns the catalogue entry of code.
func LookupRule(code string) (Rule, bool) {
	r, ok := ruleByCode[code]
	return r, ok
}
