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
