package trace

import (
	"fmt"
	"strings"
)

var checkDoubleTLS = check{
	code: "EGR0404", level: LevelError, class: "D22",
	title: "Double TLS: client TLS wrapped in TLS origination",
	doc: "The client already speaks TLS on a port the ServiceEntry declares HTTPS/TLS, and a DestinationRule " +
		"also originates TLS (`SIMPLE`/`MUTUAL`) for that port, so the upstream receives TLS inside TLS " +
		"(`curl: (35) wrong version number`, or a 400 from the server).",
	run: runDoubleTLS,
}

func runDoubleTLS(a *analysis) []issue {
	if !strings.Contains(a.end.response, "TLS inside TLS") {
		return nil
	}
	lg := &a.side
	if a.gw != nil && originates(upstreamTLS(a.gw.cluster)) {
		lg = a.gw
	}
	return one(issue{object: configObject(lg.cluster.Config), proxy: lg.proxy, hop: lg.clusterHop,
		message: fmt.Sprintf("the client sends TLS to %s:%d and cluster %s on %s originates TLS again", a.target.Host, a.target.Port, lg.clusterName, lg.proxy),
		fix:     "either let the client send plain HTTP (to port 80, with the DestinationRule originating TLS) or remove tls from the DestinationRule for this port"})
}
