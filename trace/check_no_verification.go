package trace

import "fmt"

var checkNoVerification = check{
	code: "EGR0407", level: LevelWarning, class: "D26",
	title: "Upstream certificate not verified",
	doc: "A cluster originating TLS has no validation context (no `caCertificates`, no system roots, or " +
		"`insecureSkipVerify`), so the external server's certificate is not checked. Since Istio 1.21 the default " +
		"is to verify against system roots (`file-root:system`).",
	run: runNoVerification,
}

func runNoVerification(a *analysis) []issue {
	var out []issue
	for _, lg := range a.legs() {
		t := upstreamTLS(lg.cluster)
		if !originates(t) || t.Validation != "" || lg.cluster.TLS.TrustedCAInline {
			continue
		}
		out = append(out, issue{object: configObject(lg.cluster.Config), proxy: lg.proxy, hop: lg.clusterHop,
			message: fmt.Sprintf("cluster %s on %s originates TLS without verifying the server certificate", lg.clusterName, lg.proxy),
			fix:     "set caCertificates (or remove insecureSkipVerify) in the DestinationRule's tls settings"})
	}
	return out
}
