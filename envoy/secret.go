package envoy

import (
	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// Secret is one SDS secret. Private keys are never read into the model.
type Secret struct {
	Name string `json:"name"`
	Meta
	// Kind is tls_certificate, validation_context, session_ticket_keys or
	// generic_secret; empty when the secret has no content yet (warming).
	Kind string `json:"kind,omitempty"`
	// Certificates are the parsed certificate chain (tls_certificate) or
	// trusted CA bundle (validation_context), leaf first.
	Certificates []Certificate `json:"certificates,omitempty"`
	// File is the certificate chain or trusted CA path when given as a file.
	File string `json:"file,omitempty"`
	// CertError says why inline PEM could not be parsed.
	CertError string `json:"certError,omitempty"`
}

func secretsFrom(m *adminv3.SecretsConfigDump) []Secret {
	var out []Secret
	for _, s := range m.GetStaticSecrets() {
		out = append(out, secretFrom(s.GetName(), s.GetSecret(), Meta{State: StateActive, Static: true, LastUpdated: ts(s.GetLastUpdated())}))
	}
	add := func(list []*adminv3.SecretsConfigDump_DynamicSecret, state State) {
		for _, ds := range list {
			meta := Meta{State: state, VersionInfo: ds.GetVersionInfo(), LastUpdated: ts(ds.GetLastUpdated()), Error: failureFrom(ds.GetErrorState())}
			out = append(out, secretFrom(ds.GetName(), ds.GetSecret(), meta))
		}
	}
	add(m.GetDynamicActiveSecrets(), StateActive)
	add(m.GetDynamicWarmingSecrets(), StateWarming)
	return out
}

func secretFrom(name string, a *anypb.Any, meta Meta) Secret {
	s := Secret{Name: name, Meta: meta}
	ps := &tlsv3.Secret{}
	if !unpack(a, ps) {
		return s
	}
	if s.Name == "" {
		s.Name = ps.GetName()
	}
	var src *corev3.DataSource
	switch {
	case ps.GetTlsCertificate() != nil:
		s.Kind, src = "tls_certificate", ps.GetTlsCertificate().GetCertificateChain()
	case ps.GetValidationContext() != nil:
		s.Kind, src = "validation_context", ps.GetValidationContext().GetTrustedCa()
	case ps.GetSessionTicketKeys() != nil:
		s.Kind = "session_ticket_keys"
	case ps.GetGenericSecret() != nil:
		s.Kind = "generic_secret"
	}
	s.File = src.GetFilename()
	pem := src.GetInlineBytes()
	if len(pem) == 0 {
		pem = []byte(src.GetInlineString())
	}
	if len(pem) > 0 {
		certs, err := ParseCertificates(pem)
		s.Certificates = certs
		if err != nil {
			s.CertError = err.Error()
		}
	}
	return s
}
