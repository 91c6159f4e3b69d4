package envoy

import (
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// TLSContext is the common part of an Envoy TLS context: which certificates
// and trust roots it uses, by SDS secret name or inline.
type TLSContext struct {
	ALPN []string `json:"alpn,omitempty"`
	// CertificateSDS are tls_certificate_sds_secret_configs names,
	// e.g. "default" or "kubernetes://client-credential".
	CertificateSDS []string `json:"certificateSDS,omitempty"`
	// InlineCertificates counts tls_certificates given inline or as files.
	InlineCertificates int `json:"inlineCertificates,omitempty"`
	// ValidationSDS is the validation context SDS name (plain or combined),
	// e.g. "ROOTCA", "file-root:system", "kubernetes://x-cacert".
	ValidationSDS string `json:"validationSDS,omitempty"`
	// TrustedCAFile is validation_context.trusted_ca.filename when given inline.
	TrustedCAFile string `json:"trustedCAFile,omitempty"`
	// TrustedCAInline is true when the trusted CA is inline bytes or string.
	TrustedCAInline bool `json:"trustedCAInline,omitempty"`
	// SANMatchers are the subject alt name matchers, as "exact:spiffe://...".
	SANMatchers []string `json:"sanMatchers,omitempty"`
}

// UpstreamTLS is a cluster's TLS origination (UpstreamTlsContext).
type UpstreamTLS struct {
	SNI string `json:"sni,omitempty"`
	TLSContext
}

// DownstreamTLS is a filter chain's TLS termination (DownstreamTlsContext).
type DownstreamTLS struct {
	RequireClientCertificate bool `json:"requireClientCertificate,omitempty"`
	TLSContext
}

func upstreamTLSFrom(u *tlsv3.UpstreamTlsContext) *UpstreamTLS {
	return &UpstreamTLS{SNI: u.GetSni(), TLSContext: tlsContextFrom(u.GetCommonTlsContext())}
}

func downstreamTLSFrom(d *tlsv3.DownstreamTlsContext) *DownstreamTLS {
	return &DownstreamTLS{RequireClientCertificate: d.GetRequireClientCertificate().GetValue(), TLSContext: tlsContextFrom(d.GetCommonTlsContext())}
}

func tlsContextFrom(c *tlsv3.CommonTlsContext) TLSContext {
	out := TLSContext{ALPN: c.GetAlpnProtocols(), InlineCertificates: len(c.GetTlsCertificates())}
	for _, s := range c.GetTlsCertificateSdsSecretConfigs() {
		out.CertificateSDS = append(out.CertificateSDS, s.GetName())
	}
	vc := c.GetValidationContext()
	if s := c.GetValidationContextSdsSecretConfig(); s != nil {
		out.ValidationSDS = s.GetName()
	}
	if cv := c.GetCombinedValidationContext(); cv != nil {
		out.ValidationSDS = cv.GetValidationContextSdsSecretConfig().GetName()
		vc = cv.GetDefaultValidationContext()
	}
	out.TrustedCAFile = vc.GetTrustedCa().GetFilename()
	out.TrustedCAInline = len(vc.GetTrustedCa().GetInlineBytes()) > 0 || vc.GetTrustedCa().GetInlineString() != ""
	for _, m := range vc.GetMatchSubjectAltNames() {
		out.SANMatchers = append(out.SANMatchers, stringMatcher(m))
	}
	for _, m := range vc.GetMatchTypedSubjectAltNames() {
		out.SANMatchers = append(out.SANMatchers, stringMatcher(m.GetMatcher()))
	}
	return out
}

// stringMatcher renders a StringMatcher as "kind:value".
func stringMatcher(m *matcherv3.StringMatcher) string {
	switch {
	case m.GetExact() != "":
		return "exact:" + m.GetExact()
	case m.GetPrefix() != "":
		return "prefix:" + m.GetPrefix()
	case m.GetSuffix() != "":
		return "suffix:" + m.GetSuffix()
	case m.GetContains() != "":
		return "contains:" + m.GetContains()
	case m.GetSafeRegex() != nil:
		return "regex:" + m.GetSafeRegex().GetRegex()
	}
	return "exact:"
}
