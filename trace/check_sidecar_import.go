package trace

import (
	"fmt"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

var checkSidecarImport = check{
	code: "EGR0303", level: LevelError, class: "C19",
	title: "Sidecar resource does not import the host or the gateway",
	doc: "A Sidecar resource applying to the client limits the hosts its proxy knows to `egress[].hosts` " +
		"(`namespace/host`). When it imports neither the ServiceEntry's namespace nor the egress gateway Service's, " +
		"the proxy has no route or cluster for them.",
	run: runSidecarImport,
}

func runSidecarImport(a *analysis) []issue {
	sc := a.clientSidecar()
	if sc == nil || len(sc.Spec.GetEgress()) == 0 {
		return nil
	}
	var out []issue
	if se := a.intent.SE; se != nil && !sidecarImports(sc, a.clientNS, se.Namespace, a.target.Host) {
		out = append(out, importIssue(a, sc, se.Namespace, a.target.Host))
	}
	if g := a.intent.Gateway; g != nil && !sidecarImports(sc, a.clientNS, g.Service.Namespace, serviceHost(g.Service)) {
		out = append(out, importIssue(a, sc, g.Service.Namespace, serviceHost(g.Service)))
	}
	return out
}

func importIssue(a *analysis, sc *networkingv1.Sidecar, ns, host string) issue {
	name := objName("Sidecar", sc.Namespace, sc.Name)
	return issue{object: name, proxy: a.in.Client, hop: a.side.listenerHop,
		message: fmt.Sprintf("%s egress hosts do not include %s/%s; the client's proxy does not know %s", name, ns, host, host),
		fix:     fmt.Sprintf("add \"%s/%s\" (or \"%s/*\") to the Sidecar's egress hosts", ns, host, ns)}
}

// sidecarImports reports whether a Sidecar's egress hosts import host from namespace ns.
func sidecarImports(sc *networkingv1.Sidecar, scNS, ns, host string) bool {
	for _, eg := range sc.Spec.GetEgress() {
		for _, h := range eg.GetHosts() {
			hns, hh, ok := strings.Cut(h, "/")
			if !ok {
				continue
			}
			if hns == "." {
				hns = scNS
			}
			if (hns == "*" || hns == ns) && (hh == "*" || hostMatches(hh, host)) {
				return true
			}
		}
	}
	return false
}
