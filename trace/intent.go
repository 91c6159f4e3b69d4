package trace

import (
	"github.com/kubectl-egress/kubectl-egress/mesh"
	apiv1alpha3 "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// intent is what the Istio objects say should happen to the target, as seen from the
// client's namespace. It is computed once and read by the walk and the checks.
type intent struct {
	// Mode is the outboundTrafficPolicy that applies to the client.
	Mode string
	// SEs are the ServiceEntries for the host visible to the client; Hidden those that are not.
	SEs, Hidden []*networkingv1.ServiceEntry
	// SE and SEPort declare the target port, when one does.
	SE     *networkingv1.ServiceEntry
	SEPort *apiv1alpha3.ServicePort
	// Service is the Kubernetes Service when the host is cluster-local.
	Service *corev1.Service
	// MeshVS routes the target for sidecars; MeshDest is its destination.
	MeshVS   *networkingv1.VirtualService
	MeshDest *apiv1alpha3.Destination
	// GatewayVSs are the host's VirtualServices that name a Gateway.
	GatewayVSs []*networkingv1.VirtualService
	// Gateway is set when MeshDest is an egress gateway Service.
	Gateway *gatewayIntent
}

// gatewayIntent is the egress gateway leg as the objects describe it.
type gatewayIntent struct {
	Service    *corev1.Service
	Port       int // Service port the sidecar sends to
	TargetPort int // the gateway pod's listener port
	Subset     string
	// Gateways are the Gateway objects the host's VirtualServices bind to.
	Gateways []*networkingv1.Gateway
	// Pods are the Service's pods selected by one of Gateways (or all, when none does).
	Pods []*corev1.Pod
	// SubsetDR is the DestinationRule defining Subset that the client sees.
	SubsetDR *networkingv1.DestinationRule
}

// arrival is the gateway pod port the request arrives at and the pods it arrives on: the
// walk's (a Service's targetPort, or the pod's own port reached at its IP), else intent's.
func (a *analysis) arrival() (int, []*corev1.Pod) {
	if gt := a.gatewayTargetFor(); gt.targetPort != 0 {
		return gt.targetPort, gt.pods
	}
	if g := a.intent.Gateway; g != nil {
		return g.TargetPort, g.Pods
	}
	return 0, nil
}

// arrivalServer returns the server of gw whose listener the request arrives at, with hosts
// covering the target; nil when gw has none.
func (a *analysis) arrivalServer(gw *networkingv1.Gateway) *apiv1alpha3.Server {
	port, pods := a.arrival()
	return a.gatewayServerAt(gw, pods, port)
}

// gatewayMatchPort is the port gw's VirtualService rules are matched with: the number of the
// server the request arrives at (pilot/pkg/networking/core/gateway.go
// buildGatewayHTTPRouteConfig: port := servers[0].Port.Number; the TLS and TCP routes of
// buildGatewayNetworkFilters likewise use server.Port.Number), which may be the targetPort
// rather than the Service port; fallback when gw has no such server.
func (a *analysis) gatewayMatchPort(gw *networkingv1.Gateway, fallback int) int {
	if s := a.arrivalServer(gw); s != nil {
		return int(s.GetPort().GetNumber())
	}
	return fallback
}

func (a *analysis) buildIntent() {
	in := &a.intent
	in.Mode = a.outboundMode()
	for _, se := range a.snap.ServiceEntriesForHost(a.target.Host) {
		if !anyHostMatches(se.Spec.GetHosts(), se.Namespace, a.target.Host) {
			continue
		}
		if exportedTo(se.Spec.GetExportTo(), se.Namespace, a.clientNS) {
			in.SEs = append(in.SEs, se)
		} else {
			in.Hidden = append(in.Hidden, se)
		}
	}
	in.SE, in.SEPort = sePortFor(in.SEs, a.target.Port)
	in.Service = serviceForHost(a.snap, a.target.Host)
	in.MeshVS, in.MeshDest = a.routeFor(a.clientNS, "mesh", a.target.Port)
	in.GatewayVSs = a.gatewayVSs()
	in.Gateway = a.gatewayIntent()
}

// outboundMode applies a client-namespace Sidecar's outboundTrafficPolicy over the mesh's.
func (a *analysis) outboundMode() string {
	mode := a.snap.Mesh.OutboundTrafficPolicyMode
	if sc := a.clientSidecar(); sc != nil && sc.Spec.GetOutboundTrafficPolicy() != nil {
		return sc.Spec.GetOutboundTrafficPolicy().GetMode().String()
	}
	return mode
}

// clientSidecar returns the Sidecar resource that applies to the client: one in its
// namespace (selector matching first), else one in the root namespace.
func (a *analysis) clientSidecar() *networkingv1.Sidecar {
	var fallback *networkingv1.Sidecar
	for _, ns := range []string{a.clientNS, a.snap.Mesh.RootNamespace} {
		for _, k := range mesh.SortedKeys(a.snap.Sidecars) {
			sc := a.snap.Sidecars[k]
			if sc.Namespace != ns {
				continue
			}
			sel := sc.Spec.GetWorkloadSelector().GetLabels()
			if len(sel) == 0 && fallback == nil {
				fallback = sc
			} else if len(sel) > 0 && a.client != nil && labels.SelectorFromSet(sel).Matches(labels.Set(a.client.Labels)) {
				return sc
			}
		}
		if fallback != nil {
			return fallback
		}
	}
	return nil
}

// sePortFor finds the ServiceEntry port numbered port.
func sePortFor(ses []*networkingv1.ServiceEntry, port int) (*networkingv1.ServiceEntry, *apiv1alpha3.ServicePort) {
	for _, se := range ses {
		for _, p := range se.Spec.GetPorts() {
			if int(p.GetNumber()) == port {
				return se, p
			}
		}
	}
	return nil, nil
}

// gatewayVSs returns the VirtualServices for the host that bind to a Gateway.
func (a *analysis) gatewayVSs() []*networkingv1.VirtualService {
	var out []*networkingv1.VirtualService
	for _, vs := range a.snap.VirtualServicesForHost(a.target.Host) {
		for _, g := range vsGateways(vs) {
			if g != "mesh" {
				out = append(out, vs)
				break
			}
		}
	}
	return out
}

// gatewayIntent describes the gateway leg when the mesh route's destination is a gateway.
func (a *analysis) gatewayIntent() *gatewayIntent {
	d := a.intent.MeshDest
	if d == nil {
		return nil
	}
	svc := serviceForHost(a.snap, mesh.FQDN(d.GetHost(), a.intent.MeshVS.Namespace))
	if svc == nil || !isGatewayService(a.snap, svc) {
		return nil
	}
	g := &gatewayIntent{Service: svc, Port: int(d.GetPort().GetNumber()), Subset: d.GetSubset()}
	if g.Port == 0 {
		g.Port = a.target.Port
	}
	g.TargetPort = targetPort(svc, g.Port)
	g.Gateways = a.boundGateways()
	g.Pods = a.gatewayPods(svc, g.Gateways)
	if g.Subset != "" {
		g.SubsetDR = a.subsetDR(serviceHost(svc), g.Subset)
	}
	return g
}

// boundGateways returns the Gateway objects the host's VirtualServices name, by key order.
func (a *analysis) boundGateways() []*networkingv1.Gateway {
	seen := map[string]*networkingv1.Gateway{}
	for _, vs := range a.intent.GatewayVSs {
		for _, g := range vsGateways(vs) {
			if gw, ok := a.snap.Gateways[gatewayRef(g, vs.Namespace)]; ok {
				seen[mesh.Key(gw.Namespace, gw.Name)] = gw
			}
		}
	}
	var out []*networkingv1.Gateway
	for _, k := range mesh.SortedKeys(seen) {
		out = append(out, seen[k])
	}
	return out
}

// gatewayPods returns the Service's pods that one of gws selects (all of them when no
// Gateway is bound, so the trace can still follow the Service).
func (a *analysis) gatewayPods(svc *corev1.Service, gws []*networkingv1.Gateway) []*corev1.Pod {
	pods := servicePods(a.snap, svc)
	if len(gws) == 0 {
		return pods
	}
	var out []*corev1.Pod
	for _, p := range pods {
		for _, gw := range gws {
			if gatewaySelects(gw, p) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// gatewayServerAt returns the server of gw whose listener is 0.0.0.0_<listen> on the
// gateway pods, with hosts covering the target; nil when there is none.
func (a *analysis) gatewayServerAt(gw *networkingv1.Gateway, pods []*corev1.Pod, listen int) *apiv1alpha3.Server {
	svcs := a.podServices(pods)
	for _, s := range gw.Spec.GetServers() {
		if gatewayListenPort(svcs, int(s.GetPort().GetNumber())) == listen && serverCovers(s, a.target.Host) {
			return s
		}
	}
	return nil
}

// gatewayListenPort is the port the gateway listens on for a server port number, as istiod
// resolves it for a Gateway selecting pods by labels (pilot/pkg/model/gateway.go
// resolvePorts, legacyGatewaySelector): the targetPort of the first Service port of the
// gateway pods numbered like the server (a Service labelled
// experimental.istio.io/disable-gateway-port-translation is skipped), else the server port
// itself. So a server on 443 behind Service port 443 → 8443 listens on 8443, and so does a
// server on 8443 when no Service port is numbered 8443.
func gatewayListenPort(svcs []*corev1.Service, number int) int {
	for _, svc := range svcs {
		if _, off := svc.Labels[noPortTranslation]; off {
			continue
		}
		for _, p := range svc.Spec.Ports {
			if int(p.Port) == number {
				return targetPort(svc, number)
			}
		}
	}
	return number
}

// podServices returns the Services selecting one of pods, by key order: the Services whose
// ports istiod translates a gateway's server ports through (its ServiceTargets).
func (a *analysis) podServices(pods []*corev1.Pod) []*corev1.Service {
	var out []*corev1.Service
	for _, k := range mesh.SortedKeys(a.snap.Services) {
		svc := a.snap.Services[k]
		sel := svc.Spec.Selector
		if len(sel) == 0 {
			continue
		}
		for _, p := range pods {
			if p.Namespace == svc.Namespace && labels.SelectorFromSet(sel).Matches(labels.Set(p.Labels)) {
				out = append(out, svc)
				break
			}
		}
	}
	return out
}
