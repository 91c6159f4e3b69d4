package trace

import (
	"fmt"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

var checkCertKey = check{
	code: "EGR0610", level: LevelError, class: "D25",
	title: "Client certificate with a key Envoy refuses to load",
	doc: "A client certificate in an SDS secret used by a cluster on the path has a key Envoy's TLS context " +
		"does not load: RSA shorter than 2048 bits (Envoy: `Failed to load certificate chain from <inline>, only " +
		"RSA certificates with 2048-bit or larger keys are supported`) or an ECDSA curve other than P-256, P-384 " +
		"and P-521 (`Failed to load certificate chain from <inline>`). Envoy rejects the SDS update, yet its " +
		"/config_dump lists the secret as active and the cluster as active (seen with real Envoy 1.40), so " +
		"nothing else in the dump shows that TLS origination cannot present a certificate.",
	run: runCertKey,
}

func runCertKey(a *analysis) []issue {
	var out []issue
	for _, lg := range a.legs() {
		if lg.cluster == nil || lg.cluster.TLS == nil {
			continue
		}
		for _, name := range lg.cluster.TLS.CertificateSDS {
			s := lg.dump.Secret(name)
			if s == nil || len(s.Certificates) == 0 {
				continue
			}
			leaf := s.Certificates[0]
			if why := envoy.RefusedKey(leaf.Key); why != "" {
				out = append(out, issue{object: sdsObject(name, lg.proxy), proxy: lg.proxy, hop: lg.clusterHop,
					message: fmt.Sprintf("SDS secret %s on %s: certificate %q has a %s key; %s", name, lg.proxy, leaf.Subject, leaf.Key, why),
					fix:     "issue the client certificate with an RSA key of 2048 bits or more, or ECDSA P-256/P-384, and update the Secret"})
			}
		}
	}
	return out
}
