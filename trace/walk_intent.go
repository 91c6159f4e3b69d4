package trace

import (
	"strconv"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
)

const intentNote = "from the Istio objects only: no config dump for this proxy"

// walkSidecarIntent builds the sidecar hops from the objects when its dump is missing.
func (a *analysis) walkSidecarIntent() {
	in := &a.intent
	lg := &a.side
	name := "0.0.0.0_" + strconv.Itoa(a.target.Port)
	if !a.portDeclared(a.target.Port) {
		name = virtualOutbound
	}
	lg.listenerHop = a.addHop(Hop{Kind: HopListener, Proxy: lg.proxy, Name: name, Status: StatusUnknown, Notes: []string{intentNote}})
	switch {
	case a.aliasIntentVIP() != nil:
		lg.clusterName = clusterName(a.target.Port, "", serviceHost(a.aliasIntentVIP()))
		a.rep.Hops[lg.listenerHop].Name = a.dns.alias.IP.String() + "_" + strconv.Itoa(a.target.Port)
		a.followAlias()
	case in.MeshDest != nil:
		host := mesh.FQDN(in.MeshDest.GetHost(), in.MeshVS.Namespace)
		port := int(in.MeshDest.GetPort().GetNumber())
		if port == 0 {
			port = a.target.Port
		}
		lg.clusterName = clusterName(port, in.MeshDest.GetSubset(), host)
		lg.routeHop = a.addHop(Hop{Kind: HopRoute, Proxy: lg.proxy, Name: strconv.Itoa(a.target.Port), Object: vsName(in.MeshVS), Status: StatusUnknown, Detail: "→ " + lg.clusterName})
	case in.SEPort != nil || a.serviceHasPort():
		lg.clusterName = clusterName(a.target.Port, "", a.target.Host)
	case in.Mode == mesh.RegistryOnly:
		idx := a.addHop(Hop{Kind: HopRoute, Proxy: lg.proxy, Name: blockAll, Status: StatusUnknown, Notes: []string{intentNote}})
		a.stop(idx, "REGISTRY_ONLY and no ServiceEntry for "+a.target.Host+" visible to "+a.clientNS, a.blockedResponse())
		return
	case in.Mode == mesh.ModeUnknown:
		a.modeUndecided()
		return
	default:
		lg.clusterName = passthroughCluster
	}
	h := Hop{Kind: HopCluster, Proxy: lg.proxy, Name: lg.clusterName, Status: StatusUnknown, Notes: []string{intentNote}}
	lg.clusterHop = a.addHop(h)
	if in.Gateway != nil && a.gw == nil {
		g := newLeg("", nil)
		a.gw = &g
	}
}

// modeUndecided ends a walk whose next hop only the unknown outboundTrafficPolicy decides
// (the mesh config cannot be parsed, or reading it is forbidden): PassthroughCluster under
// ALLOW_ANY, block_all or BlackHoleCluster under REGISTRY_ONLY. The verdict is unknown
// rather than Istio's default.
func (a *analysis) modeUndecided() {
	lg := &a.side
	why, missing := a.snap.Mesh.Key+" cannot be parsed", "a parseable "+a.snap.Mesh.Key
	if a.snap.Mesh.Access == mesh.AccessForbidden {
		why, missing = "reading "+a.snap.Mesh.Key+" is forbidden", "get on "+a.snap.Mesh.Key+", or the client's config dump"
	}
	idx := a.addHop(Hop{Kind: HopCluster, Proxy: lg.proxy, Name: passthroughCluster + " or " + blackHoleCluster, Status: StatusUnknown,
		Notes: []string{intentNote, "outboundTrafficPolicy unknown: " + why}})
	a.end = outcome{kind: Unknown, hop: idx,
		summary: "no ServiceEntry for " + a.target.Host + " is visible to " + a.clientNS + " and the outboundTrafficPolicy that decides it is unknown (" +
			why + "): passthrough under ALLOW_ANY, blocked under REGISTRY_ONLY",
		missing: []string{missing}}
}

// blockedResponse is what REGISTRY_ONLY answers for the target's protocol.
func (a *analysis) blockedResponse() string {
	if a.target.Protocol == "http" {
		return "HTTP 502 (route block_all)"
	}
	return "connection reset (BlackHoleCluster)"
}

// portDeclared reports whether the client's sidecar has a listener 0.0.0.0_<port>. istiod
// builds the outbound listeners from the ports of the services the proxy sees
// (pilot/pkg/networking/core/listener.go buildSidecarOutboundListeners): an HTTP port binds
// the wildcard 0.0.0.0_<port>; a TCP, TLS or undeclared-protocol port binds the service's
// address (<VIP>_<port>), or the wildcard when it has none (a ServiceEntry without
// addresses, a headless Service). A port with no wildcard listener goes to the
// virtualOutbound catch-all on 15001 (buildVirtualOutboundListener).
func (a *analysis) portDeclared(port int) bool {
	for _, k := range mesh.SortedKeys(a.snap.ServiceEntries) {
		se := a.snap.ServiceEntries[k]
		if !exportedTo(se.Spec.GetExportTo(), se.Namespace, a.clientNS) {
			continue
		}
		for _, p := range se.Spec.GetPorts() {
			if int(p.GetNumber()) == port && (isHTTPProtocol(p.GetProtocol()) || len(se.Spec.GetAddresses()) == 0) {
				return true
			}
		}
	}
	for _, svc := range a.snap.Services {
		headless := svc.Spec.ClusterIP == corev1.ClusterIPNone // "" is a VIP the apiserver assigns
		for _, p := range svc.Spec.Ports {
			if int(p.Port) == port && (headless || isHTTPProtocol(servicePortProtocol(p.Name, p.AppProtocol))) {
				return true
			}
		}
	}
	return false
}

func (a *analysis) serviceHasPort() bool {
	if a.intent.Service == nil {
		return false
	}
	for _, p := range a.intent.Service.Spec.Ports {
		if int(p.Port) == a.target.Port {
			return true
		}
	}
	return false
}

// walkGatewayIntent builds the gateway hops from the objects when its dump is missing.
func (a *analysis) walkGatewayIntent(gt gatewayTarget) {
	lg := a.gw
	lg.listenerHop = a.addHop(Hop{Kind: HopGatewayListener, Proxy: lg.proxy, Name: "0.0.0.0_" + strconv.Itoa(gt.targetPort), Status: StatusUnknown, Notes: []string{intentNote}})
	if a.aliasUnrouted() {
		return
	}
	for _, gw := range a.intentGateways() {
		vs, d := a.routeFor(gw.Namespace, mesh.Key(gw.Namespace, gw.Name), a.gatewayMatchPort(gw, gt.port))
		if d == nil {
			continue
		}
		port := int(d.GetPort().GetNumber())
		if port == 0 {
			port = a.target.Port
		}
		lg.clusterName = clusterName(port, d.GetSubset(), mesh.FQDN(d.GetHost(), vs.Namespace))
		lg.routeHop = a.addHop(Hop{Kind: HopGatewayRoute, Proxy: lg.proxy, Name: vsName(vs), Object: vsName(vs), Status: StatusUnknown, Detail: "→ " + lg.clusterName})
		lg.clusterHop = a.addHop(Hop{Kind: HopGatewayCluster, Proxy: lg.proxy, Name: lg.clusterName, Status: StatusUnknown, Notes: []string{intentNote}})
		return
	}
}

// intentGateways are the Gateways bound to the host's VirtualServices.
func (a *analysis) intentGateways() []*networkingv1.Gateway {
	if a.intent.Gateway == nil {
		return nil
	}
	return a.intent.Gateway.Gateways
}
