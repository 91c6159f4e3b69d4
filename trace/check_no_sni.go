package trace

import "fmt"

var checkNoSNI = check{
	code: "EGR0406", level: LevelInfo, class: "D27",
	title: "TLS origination without an explicit SNI",
	doc: "A cluster originating TLS (`SIMPLE`/`MUTUAL`) has no `sni`. For HTTP Envoy can derive it from the Host " +
		"header (auto_sni, set by istiod); for TCP/TLS traffic no SNI is sent and servers that host several " +
		"names, or check SNI, reject the handshake. Set `sni` in the DestinationRule's tls settings.",
	run: runNoSNI,
}

func runNoSNI(a *analysis) []issue {
	var out []issue
	for _, lg := range a.legs() {
		t := upstreamTLS(lg.cluster)
		if !originates(t) || t.SNI != "" {
			continue
		}
		out = append(out, issue{object: configObject(lg.cluster.Config), proxy: lg.proxy, hop: lg.clusterHop,
			message: fmt.Sprintf("cluster %s on %s originates TLS without sni; it relies on auto_sni from the HTTP Host header", lg.clusterName, lg.proxy),
			fix:     fmt.Sprintf("set tls.sni: %s in the DestinationRule", a.target.Host)})
	}
	return out
}
