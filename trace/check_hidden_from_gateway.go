package trace

import (
	"fmt"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

var checkHiddenFromGateway = check{
	code: "EGR0301", level: LevelError, class: "C17",
	title: "Object hidden from the egress gateway's namespace",
	doc: "`exportTo` on the host's ServiceEntry (or the `networking.istio.io/exportTo` annotation on its Service) " +
		"does not include the egress gateway's namespace. The gateway's route still names " +
		"`outbound|<port>||<host>` but the gateway has no such cluster: `503 NC cluster_not_found` at the gateway.",
	run: runHiddenFromGateway,
}

func runHiddenFromGateway(a *analysis) []issue {
	host, ns := a.gatewayUpstream()
	if host == "" {
		return nil
	}
	hop := -1
	if a.gw != nil {
		hop = a.gw.clusterHop
	}
	var out []issue
	visible := false
	for _, se := range a.snap.ServiceEntriesForHost(host) {
		if exportedTo(se.Spec.GetExportTo(), se.Namespace, ns) {
			visible = true
		} else {
			out = append(out, hiddenFromGW(a, seName(se), fmt.Sprintf("exportTo %v", se.Spec.GetExportTo()), host, ns, hop))
		}
	}
	if svc := serviceForHost(a.snap, host); svc != nil {
		if exportedTo(serviceExportTo(svc), svc.Namespace, ns) {
			visible = true
		} else {
			out = append(out, hiddenFromGW(a, objName("Service", svc.Namespace, svc.Name), fmt.Sprintf("annotation %s %v", exportToAnnotation, serviceExportTo(svc)), host, ns, hop))
		}
	}
	if visible {
		return nil
	}
	return out
}

func hiddenFromGW(a *analysis, obj, how, host, ns string, hop int) issue {
	return issue{object: obj, proxy: a.gwProxy(), hop: hop,
		message: fmt.Sprintf("%s (%s) is not exported to namespace %s: the egress gateway cannot see %s and has no cluster for it (503 NC)", obj, how, ns, host),
		fix:     fmt.Sprintf("add %q (or \"*\") to exportTo", ns)}
}

// gatewayUpstream is the host the gateway routes to and the gateway's namespace.
func (a *analysis) gatewayUpstream() (string, string) {
	if a.gw == nil {
		return "", ""
	}
	ns := ""
	if g := a.intent.Gateway; g != nil {
		ns = g.Service.Namespace
	}
	if a.gw.proxy != "" {
		ns = namespaceOf(a.gw.proxy)
	}
	if n, ok := envoy.ParseClusterName(a.gw.clusterName); ok {
		return n.Host, ns
	}
	return a.target.Host, ns
}

func (a *analysis) gwProxy() string {
	if a.gw == nil {
		return ""
	}
	return a.gw.proxy
}

func namespaceOf(key string) string {
	ns, _, _ := cutKey(key)
	return ns
}

func cutKey(key string) (string, string, bool) {
	for i := range key {
		if key[i] == '/' {
			return key[:i], key[i+1:], true
		}
	}
	return "", key, false
}
