package secrets

import (
	"time"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// The Report is the JSON/YAML API of `kubectl egress check-secrets`: add fields, never rename.

// Report is the result of checking every credential in scope.
type Report struct {
	Credentials []Credential `json:"credentials"`
	// Findings are the findings of every credential plus those not tied to one, sorted.
	Findings []Finding `json:"findings"`
	Inputs   Inputs    `json:"inputs"`
}

// Credential is one credentialName as one set of proxies needs it: the Secret NAME in
// the namespace those proxies read it from.
type Credential struct {
	Name string `json:"name"`
	// Namespace is where the Secret must live: the namespace of the proxy that uses it.
	Namespace string `json:"namespace"`
	// CredentialName is the credentialName as written, when it is not just Name
	// (kubernetes://NAME, kubernetes-gateway://NS/NAME, builtin://, ...).
	CredentialName string `json:"credentialName,omitempty"`
	// SDSName is the SDS secret the proxy requests, when it is not kubernetes://NAME.
	SDSName string `json:"sdsName,omitempty"`
	// NotSecret says why the credentialName names no Secret (then nothing is checked).
	NotSecret string `json:"notSecret,omitempty"`
	UsedBy    []Use  `json:"usedBy"`
	// Proxies are the pods whose Envoy loads the credential (empty when none does).
	Proxies []Proxy     `json:"proxies,omitempty"`
	Secret  SecretState `json:"secret"`
	// ProxyState sums up the SDS secrets in the proxies' dumps: active, warming, absent,
	// unknown (no dump) or unused (no proxy loads the credential).
	ProxyState string `json:"proxyState"`
	// Result is ok, warning, error or skipped (the Secret could not be read).
	Result   string    `json:"result"`
	Findings []Finding `json:"findings,omitempty"`
}

// Use is one place that names the credential.
type Use struct {
	// Object is "DestinationRule istio-system/originate-mtls" or "Gateway ns/name".
	Object string `json:"object"`
	// Field locates the TLS settings: trafficPolicy, trafficPolicy.portLevelSettings[443],
	// subsets[nginx].trafficPolicy, servers[https-443].
	Field string `json:"field"`
	// Mode is SIMPLE or MUTUAL.
	Mode string `json:"mode"`
	// Side is origination (DestinationRule) or termination (Gateway server).
	Side  string   `json:"side"`
	Hosts []string `json:"hosts"`
	Port  int      `json:"port,omitempty"`
	SNI   string   `json:"sni,omitempty"`
	// SubjectAltNames are the DR's names the server certificate must present.
	SubjectAltNames []string `json:"subjectAltNames,omitempty"`
	// Proxy is gateway or sidecar: the kind of proxy that uses this setting.
	Proxy string `json:"proxy"`
	// Ignored says why Istio ignores credentialName here ("" when it is used).
	Ignored string `json:"ignored,omitempty"`
}

// Proxy is one pod that uses the credential.
type Proxy struct {
	Pod            string `json:"pod"` // namespace/name
	ServiceAccount string `json:"serviceAccount"`
	// ListSecrets is whether the service account may list secrets in the credential's
	// namespace: allowed, denied or unknown (not checked).
	ListSecrets string `json:"listSecrets"`
	// Dump is true when the proxy's config dump was read.
	Dump bool        `json:"dump"`
	SDS  []SDSSecret `json:"sds,omitempty"`
}

// SDSSecret is one SDS secret as a proxy's dump shows it.
type SDSSecret struct {
	Name string `json:"name"` // kubernetes://NAME or kubernetes://NAME-cacert
	// State is active, warming, rejected or absent.
	State    string    `json:"state"`
	Serial   string    `json:"serial,omitempty"`
	NotAfter time.Time `json:"notAfter,omitzero"`
	// Clusters are the clusters whose TLS names this secret, with their state.
	Clusters []ClusterUse `json:"clusters,omitempty"`
}

// ClusterUse is an Envoy cluster that uses an SDS secret.
type ClusterUse struct {
	Name  string `json:"name"`
	State string `json:"state"`
}

// SecretState is what the check could see of the Secret; never its data.
type SecretState struct {
	// Access is ok, forbidden, notfound or unloaded (files without the Secret read as notfound).
	Access string           `json:"access"`
	Type   string           `json:"type,omitempty"`
	Keys   []mesh.SecretKey `json:"keys,omitempty"`
	// Layout is tls (tls.crt/tls.key), generic (cert/key), ca-only or unknown.
	Layout string `json:"layout,omitempty"`
	// CASource is the key holding the CA bundle: ca.crt, cacert or NAME-cacert/<key>.
	CASource string `json:"caSource,omitempty"`
	// Leaf is the first certificate of tls.crt/cert.
	Leaf  *mesh.CertSummary  `json:"leaf,omitempty"`
	Chain []mesh.CertSummary `json:"chain,omitempty"`
	CA    []mesh.CertSummary `json:"ca,omitempty"`
	// DaysLeft is the whole days until the earliest NotAfter of the chain (negative: expired).
	DaysLeft *int `json:"daysLeft,omitempty"`
	// Expires is the earliest NotAfter of the certificate chain.
	Expires        time.Time `json:"expires,omitzero"`
	KeyMatchesLeaf *bool     `json:"keyMatchesLeaf,omitempty"`
	// ChainVerified is verified, unverified (no issuer found) or failed; empty when not checked.
	ChainVerified string `json:"chainVerified,omitempty"`
	// ElsewhereIn lists other namespaces holding a Secret of this name.
	ElsewhereIn []string `json:"elsewhereIn,omitempty"`
}

// Inputs records what the check read.
type Inputs struct {
	Source string `json:"source"` // cluster or files
	// Now is the time certificates were judged at.
	Now           time.Time `json:"now"`
	ExpiryWarning string    `json:"expiryWarning"`
	Proxies       []string  `json:"proxies,omitempty"`
	MissingDumps  []string  `json:"missingDumps,omitempty"`
}
