package trace

import (
	"fmt"
	"strings"

	apiv1alpha3 "istio.io/api/networking/v1alpha3"
)

var checkWildcardResolution = check{
	code: "EGR0104", level: LevelWarning, class: "A7",
	title: "Wildcard ServiceEntry with the wrong resolution",
	doc: "A wildcard host (`*.example.com`) cannot be resolved by DNS: istiod rejects or ignores `resolution: DNS` " +
		"for it. With `resolution: NONE` a sidecar forwards to the original destination, but behind an egress " +
		"gateway the original destination is the gateway itself, so the gateway must route to a concrete host.",
	run: runWildcard,
}

func runWildcard(a *analysis) []issue {
	var out []issue
	for _, se := range a.intent.SEs {
		for _, h := range se.Spec.GetHosts() {
			if !strings.HasPrefix(h, "*") || !hostMatches(h, a.target.Host) {
				continue
			}
			switch r := se.Spec.GetResolution(); {
			case r == apiv1alpha3.ServiceEntry_DNS || r == apiv1alpha3.ServiceEntry_DNS_ROUND_ROBIN:
				out = append(out, issue{object: seName(se), hop: -1,
					message: fmt.Sprintf("%s declares wildcard host %s with resolution %s, which cannot be resolved", seName(se), h, r),
					fix:     "use resolution NONE (or DYNAMIC_DNS), or declare the concrete hosts"})
			case r == apiv1alpha3.ServiceEntry_NONE && a.intent.Gateway != nil && !a.gatewayRoutesToConcrete():
				out = append(out, issue{object: seName(se), hop: -1,
					message: fmt.Sprintf("%s declares wildcard host %s with resolution NONE and traffic goes through the egress gateway, where the original destination is the gateway itself", seName(se), h),
					fix:     "route the Gateway's VirtualService to a concrete host declared by a ServiceEntry with resolution DNS"})
			}
		}
	}
	return out
}

// gatewayRoutesToConcrete reports whether the gateway leg ends on a non-wildcard cluster.
func (a *analysis) gatewayRoutesToConcrete() bool {
	return a.gw != nil && a.gw.clusterName != "" && !strings.Contains(a.gw.clusterName, "*")
}
