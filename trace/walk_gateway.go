package trace

import (
	"fmt"
	"strconv"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	corev1 "k8s.io/api/core/v1"
)

// gatewayTarget is where the sidecar's cluster sends the request: the gateway Service,
// its port and the pod listener port.
type gatewayTarget struct {
	service    *corev1.Service
	port       int
	targetPort int
	pods       []*corev1.Pod
}

// gatewayTargetFor derives the gateway from the hostAliases address the walk follows, the
// sidecar cluster (actual) or intent.
func (a *analysis) gatewayTargetFor() gatewayTarget {
	if gt, ok := a.aliasGatewayTarget(); ok {
		return gt
	}
	var gt gatewayTarget
	if c := a.side.cluster; c != nil && c.Istio != nil {
		gt.service, gt.port = serviceForHost(a.snap, c.Istio.Host), c.Istio.Port
	} else if g := a.intent.Gateway; g != nil {
		gt.service, gt.port = g.Service, g.Port
	}
	if gt.service == nil {
		return gt
	}
	gt.targetPort = targetPort(gt.service, gt.port)
	gws := []*corev1.Pod(nil)
	if g := a.intent.Gateway; g != nil && g.Service == gt.service {
		gws = g.Pods
	} else {
		gws = servicePods(a.snap, gt.service)
	}
	gt.pods = gws
	return gt
}

// gatewayPod picks the gateway pod to follow: the first with a dump, else the first.
func (a *analysis) gatewayPod(pods []*corev1.Pod) string {
	if a.gwPod != "" {
		return a.gwPod
	}
	for _, p := range pods {
		if k := mesh.Key(p.Namespace, p.Name); a.dump(k) != nil {
			return k
		}
	}
	if len(pods) > 0 {
		return mesh.Key(pods[0].Namespace, pods[0].Name)
	}
	return ""
}

// walkGateway follows the request through the egress gateway's dump.
func (a *analysis) walkGateway() {
	gt := a.gatewayTargetFor()
	proxy := a.gatewayPod(gt.pods)
	*a.gw = newLeg(proxy, a.dump(proxy))
	a.gw.sni = a.sniToGateway()
	if proxy == "" {
		idx := a.addHop(Hop{Kind: HopGatewayListener, Name: "0.0.0.0_" + strconv.Itoa(gt.targetPort), Status: StatusFail,
			Notes: []string{"no egress gateway pod is selected by the Service and the Gateway"}})
		a.stop(idx, "no egress gateway pod receives the request", "503 UH no_healthy_upstream")
		return
	}
	if a.gw.dump == nil {
		a.needDump(proxy)
		a.walkGatewayIntent(gt)
		return
	}
	a.useDump(proxy)
	name := "0.0.0.0_" + strconv.Itoa(gt.targetPort)
	l := a.gw.dump.Listener(name)
	if l == nil {
		idx := a.addHop(Hop{Kind: HopGatewayListener, Proxy: proxy, Name: name})
		via := fmt.Sprintf("Service port %d → targetPort %d", gt.port, gt.targetPort)
		if gt.service == nil {
			via = fmt.Sprintf("reached at its pod IP on port %d", gt.port)
		}
		a.stop(idx, fmt.Sprintf("egress gateway %s has no listener %s (%s)", proxy, name, via), "connection refused")
		return
	}
	if !a.followListener(a.gw, HopGatewayListener, l, a.gw.sni, a.gw.sni == "") {
		return
	}
	if a.gatewayTLSMismatch() {
		return
	}
	a.clusterHop(a.gw, HopGatewayCluster)
}

// sniToGateway is the SNI the gateway sees: the sidecar cluster's own TLS SNI when it
// originates (ISTIO_MUTUAL), else the client's when the client speaks TLS.
func (a *analysis) sniToGateway() string {
	if c := a.side.cluster; c != nil && c.TLS != nil {
		return c.TLS.SNI
	}
	if a.target.sendsTLS() {
		return a.target.Host
	}
	return ""
}

// gatewayTLSMismatch stops the request when the sidecar's TLS and the gateway chain's
// expectation differ (TLS into a plaintext HTTP chain).
func (a *analysis) gatewayTLSMismatch() bool {
	fc := a.gw.chain
	sideTLS := a.side.cluster != nil && a.side.cluster.TLS != nil
	if sideTLS && fc.TLS == nil && fc.HTTP() != nil && len(fc.Match.ServerNames) == 0 {
		a.stop(a.gw.listenerHop, "the sidecar originates TLS to the gateway but the gateway chain expects plaintext HTTP", "connection reset / 400 (TLS sent to a plaintext listener)")
		return true
	}
	return false
}
