package trace

import (
	"fmt"
	"time"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

var checkCertValidity = check{
	code: "EGR0405", level: LevelWarning, class: "D25",
	title: "Certificate on the path expired or not yet valid",
	doc: "A certificate in an SDS secret used by a cluster on the path (client certificate or trusted CA) is " +
		"outside its validity period at the trace's time, so the TLS handshake fails (`503 UF`, " +
		"CERTIFICATE_VERIFY_FAILED). A trusted CA bundle counts only when none of its roots is valid (one expired " +
		"root among many anchors nothing). Judged at the current time (hidden flag `--now` to choose another).",
	run: runCertValidity,
}

func runCertValidity(a *analysis) []issue {
	if a.in.Now.IsZero() {
		return nil
	}
	var out []issue
	for _, lg := range a.legs() {
		for _, name := range sdsNames(lg.cluster) {
			s := lg.dump.Secret(name)
			if s == nil {
				continue
			}
			for _, c := range invalidCerts(s, a.in.Now) {
				out = append(out, issue{object: sdsObject(name, lg.proxy), proxy: lg.proxy, hop: lg.clusterHop,
					message: fmt.Sprintf("SDS secret %s on %s: certificate %q (serial %s) %s", name, lg.proxy, c.Subject, c.Serial, validity(c, a.in.Now)),
					fix:     "renew the certificate in the Secret; kubectl egress check-secrets gives details"})
			}
		}
	}
	return out
}

// invalidCerts are the certificates of s outside their validity at now that break the
// handshake. In a certificate chain every one counts (the peer verifies the chain Envoy
// sends). A trusted CA bundle breaks only when none of its roots is valid: verification
// needs one valid anchor for the peer's chain, and a bundle such as the system roots
// (file-root:system) routinely holds a few expired ones that anchor nothing.
func invalidCerts(s *envoy.Secret, now time.Time) []envoy.Certificate {
	var bad []envoy.Certificate
	for _, c := range s.Certificates {
		if validity(c, now) != "" {
			bad = append(bad, c)
		}
	}
	if s.Kind == "validation_context" && len(bad) < len(s.Certificates) {
		return nil
	}
	return bad
}

func validity(c envoy.Certificate, now time.Time) string {
	switch {
	case now.After(c.NotAfter):
		return "expired on " + c.NotAfter.Format(time.DateOnly)
	case now.Before(c.NotBefore):
		return "is not valid before " + c.NotBefore.Format(time.DateOnly)
	}
	return ""
}

// sdsNames lists the SDS secrets a cluster's TLS uses (certificates and validation).
func sdsNames(c *envoy.Cluster) []string {
	if c == nil || c.TLS == nil {
		return nil
	}
	out := append([]string(nil), c.TLS.CertificateSDS...)
	if c.TLS.ValidationSDS != "" {
		out = append(out, c.TLS.ValidationSDS)
	}
	return out
}
