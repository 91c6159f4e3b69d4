package trace

import (
	"fmt"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

var checkWarming = check{
	code: "EGR0602", level: LevelError, class: "F32",
	title: "Warming cluster or SDS secret on the path",
	doc: "A cluster on the path is still in `dynamic_warming_clusters`, usually because an SDS secret it needs " +
		"(`kubernetes://NAME`, `file-cert:...`) never arrived and sits in `dynamic_warming_secrets`. Envoy does " +
		"not use a warming cluster: `503 NC`. istioctl hides both; `kubectl egress check-secrets` explains the secret.",
	run: runWarming,
}

func runWarming(a *analysis) []issue {
	var out []issue
	for _, lg := range a.legs() {
		c := lg.cluster
		if c == nil {
			continue
		}
		var waiting []string
		for _, name := range sdsNames(c) {
			if s := lg.dump.Secret(name); s != nil && s.State == envoy.StateWarming {
				waiting = append(waiting, name)
				if isFileSecret(name) {
					continue // a file on the proxy, not a Secret: EGR0408
				}
				out = append(out, issue{object: sdsObject(name, lg.proxy), proxy: lg.proxy, hop: lg.clusterHop,
					message: fmt.Sprintf("SDS secret %s on %s is warming: the proxy never received it (Secret missing, in the wrong namespace or not readable)", name, lg.proxy),
					fix:     "create or fix the Secret " + strings.TrimPrefix(name, "kubernetes://") + " in namespace " + namespaceOf(lg.proxy) + "; kubectl egress check-secrets gives details"})
			}
		}
		if c.State == envoy.StateWarming {
			msg := fmt.Sprintf("cluster %s on %s is warming and not used (503 NC)", c.Name, lg.proxy)
			if len(waiting) > 0 {
				msg += "; it waits for " + strings.Join(waiting, ", ")
			}
			out = append(out, issue{object: configObject(c.Config), proxy: lg.proxy, hop: lg.clusterHop, message: msg,
				fix: "resolve what the cluster waits for (SDS secrets, EDS); check istiod's push status"})
		}
	}
	return out
}
