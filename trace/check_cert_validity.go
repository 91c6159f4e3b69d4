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
		"CERTIFICATE_VERIFY_FAILED). Only judged when the trace is given a time.",
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
			for _, c := range s.Certificates {
				if msg := validity(c, a.in.Now); msg != "" {
					out = append(out, issue{object: sdsObject(name, lg.proxy), proxy: lg.proxy, hop: lg.clusterHop,
						message: fmt.Sprintf("SDS secret %s on %s: certificate %q (serial %s) %s", name, lg.proxy, c.Subject, c.Serial, msg),
						fix:     "renew the certificate in the Secret; kubectl egress check-secrets gives details"})
				}
			}
		}
	}
	return out
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
