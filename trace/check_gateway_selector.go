package trace

import (
	"fmt"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
)

var checkGatewaySelector = check{
	code: "EGR0205", level: LevelError, class: "B15",
	title: "Gateway selector matches no pods",
	doc: "The Gateway's `selector` matches no gateway pod (e.g. `istio: egressgateway` against a Helm install " +
		"labelled `istio: egress`), so no proxy receives its servers and the route through it goes nowhere.",
	run: runGatewaySelector,
}

func runGatewaySelector(a *analysis) []issue {
	if len(a.snap.Pods) == 0 || a.intent.Gateway == nil {
		return nil
	}
	var out []issue
	for _, gw := range a.intent.Gateway.Gateways {
		if a.gatewayHasPods(gw) {
			continue
		}
		out = append(out, issue{object: gwName(gw), hop: -1,
			message: fmt.Sprintf("%s selects %v, which matches no pod in the snapshot; no gateway serves it", gwName(gw), gw.Spec.GetSelector()),
			fix:     "set spec.selector to the egress gateway pods' labels (kubectl get pods -n " + a.intent.Gateway.Service.Namespace + " --show-labels)"})
	}
	return out
}

func (a *analysis) gatewayHasPods(gw *networkingv1.Gateway) bool {
	sel := gw.Spec.GetSelector()
	return len(sel) > 0 && len(a.snap.PodsMatchingAnyNamespace(labels.SelectorFromSet(sel))) > 0
}
