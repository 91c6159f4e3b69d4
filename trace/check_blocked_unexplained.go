package trace

import "slices"

var checkBlockedUnexplained = check{
	code: "EGR0611", level: LevelError, class: "F32",
	title: "Request stops on the path (no other finding explains it)",
	doc: "The walk ends the request (a black hole, a missing filter chain, route or cluster) and no other Error " +
		"finding names the cause, so the verdict `blocked` would otherwise stand without an Error and the exit " +
		"code would not say it. The message repeats where and how the request stops; the usual causes are a " +
		"protocol the port does not expect (plaintext to a port a ServiceEntry declares TLS, or the reverse: " +
		"Envoy's default filter chain then takes it) or a host no ServiceEntry declares on that port. " +
		"Runs after every other check.",
	run: runBlockedUnexplained,
}

func runBlockedUnexplained(a *analysis) []issue {
	if a.end.kind != Blocked || slices.ContainsFunc(a.rep.Findings, func(f Finding) bool { return f.Level == LevelError }) {
		return nil
	}
	proxy, object := "", "Pod "+a.in.Client
	if a.end.hop >= 0 && a.end.hop < len(a.rep.Hops) {
		if p := a.rep.Hops[a.end.hop].Proxy; p != "" {
			proxy, object = p, "Pod "+p
		}
	}
	msg := a.end.summary
	if a.end.response != "" {
		msg += "; the client sees " + a.end.response
	}
	if a.side.clusterName == blackHoleCluster && a.chainIsDefault() {
		msg += " (no filter chain of the listener matches what the client sends, so Envoy's default chain takes it)"
	}
	return one(issue{object: object, proxy: proxy, hop: a.end.hop, message: msg,
		fix: "send what the port expects (--protocol), or declare the host and port with the protocol the client uses in a ServiceEntry"})
}

// chainIsDefault reports whether the sidecar took its listener's default filter chain.
func (a *analysis) chainIsDefault() bool {
	l := a.side.listener
	return l != nil && l.DefaultFilterChain != nil && a.side.chain == l.DefaultFilterChain
}
