package trace

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	corev1 "k8s.io/api/core/v1"
)

// The walk's hooks for the client's own resolution (dns.go): the hostAliases address is
// where the client connects, so the sidecar matches it (iptables REDIRECT to 15001, then
// virtualOutbound's original_dst picks the listener for that IP:port, else 0.0.0.0_port)
// and, without a sidecar, the packets go to it: a gateway address is followed into the
// gateway, any other address is where the request leaves to.

// dnsHop adds the client's resolution to its hop.
func (a *analysis) dnsHop(h *Hop) {
	if al := a.dns.alias; al != nil {
		h.Detail += ", " + al.detail()
		if n := al.notes(); len(n) > 0 {
			h.Notes, h.Status = append(h.Notes, n...), StatusWarning
		}
		return
	}
	if a.dns.resolvesElsewhere() {
		h.Detail += ", " + a.dns.resolverShort()
		h.Notes, h.Status = append(h.Notes, a.dns.resolverNote()), StatusWarning
	}
}

// aliasToGateway follows a request the sidecar does not capture to the egress gateway the
// hostAliases address belongs to (client hop idx). It reports whether it did.
func (a *analysis) aliasToGateway(idx int) bool {
	al := a.dns.alias
	if al == nil || !al.gateway {
		return false
	}
	a.side = newLeg(a.in.Client, nil)
	if a.serviceLacksPort() {
		a.stop(idx, "hostAliases send "+al.Host+" to "+al.IP.String()+", but "+al.what()+" has no port "+strconv.Itoa(a.target.Port), "connection timeout (no Service port forwards "+net.JoinHostPort(al.IP.String(), strconv.Itoa(a.target.Port))+")")
		return true
	}
	a.followAlias()
	return true
}

// followAlias makes the gateway the next leg, reached at the alias address.
func (a *analysis) followAlias() {
	g := newLeg("", nil)
	a.gw = &g
	a.dns.followed = true
}

// aliasTo names the alias address a request leaving directly goes to ("" without one).
func (a *analysis) aliasTo() string {
	if al := a.dns.alias; al != nil {
		return " to " + al.IP.String() + " (hostAliases), not to the DNS answer for " + al.Host
	}
	return ""
}

// aliasGatewayTarget is the gateway as the alias address reaches it: a Service's port and
// targetPort, or the pod's port itself. ok is false unless the walk follows the alias.
func (a *analysis) aliasGatewayTarget() (gatewayTarget, bool) {
	al := a.dns.alias
	if al == nil || !a.dns.followed {
		return gatewayTarget{}, false
	}
	port := a.target.Port
	if al.pod != nil {
		return gatewayTarget{port: port, targetPort: port, pods: []*corev1.Pod{al.pod}}, true
	}
	gt := gatewayTarget{service: al.service, port: port, targetPort: targetPort(al.service, port)}
	if g := a.intent.Gateway; g != nil && g.Service == al.service {
		gt.pods = g.Pods
	} else {
		gt.pods = servicePods(a.snap, al.service)
	}
	return gt, true
}

// aliasGatewayPods are the gateway pods the alias address reaches, for ProxiesNeeded.
func (a *analysis) aliasGatewayPods() []*corev1.Pod {
	al := a.dns.alias
	switch {
	case al == nil || !al.gateway:
		return nil
	case al.pod != nil:
		return []*corev1.Pod{al.pod}
	}
	return servicePods(a.snap, al.service)
}

// passthroughAlias notes where PassthroughCluster forwards to and follows a gateway there.
func (a *analysis) passthroughAlias() {
	al := a.dns.alias
	if al == nil || a.side.clusterHop < 0 {
		return
	}
	h := &a.rep.Hops[a.side.clusterHop]
	h.Detail = "ORIGINAL_DST: forwarded to " + net.JoinHostPort(al.IP.String(), strconv.Itoa(a.target.Port)) + ", the hostAliases address"
	if al.gateway {
		h.Detail += " of " + al.what()
		a.followAlias()
	}
}

// aliasExternal names the alias address on the external hop of a request the sidecar
// forwards to its original destination.
func (a *analysis) aliasExternal(lg *leg, h *Hop) {
	if al := a.dns.alias; al != nil && lg == &a.side && lg.clusterName == passthroughCluster {
		h.Name = net.JoinHostPort(al.IP.String(), strconv.Itoa(a.target.Port))
		h.Detail = "original destination: the hostAliases address for " + al.Host + ", not its DNS answer"
	}
}

// aliasVIPListener reports whether the sidecar handed the connection to the listener of
// the alias address itself (a Service VIP listener), rather than the host's own routing.
func (a *analysis) aliasVIPListener() bool {
	al := a.dns.alias
	return al != nil && a.side.listener != nil && strings.HasPrefix(a.side.listener.Name, al.IP.String()+"_")
}

// httpServicePort reports whether istiod treats a Service port as HTTP, from its
// appProtocol or its name's prefix (pkg/config/kube/conversion.go ConvertProtocol). Sidecars
// serve HTTP ports on the wildcard 0.0.0.0_<port> listener and route by Host; TCP, TLS,
// HTTPS and unnamed (auto-detected) ports get a listener on the Service's cluster IP
// (pilot/pkg/networking/core/listener.go buildSidecarOutboundListener, with
// pilot/pkg/networking/networking.go ModelProtocolToListenerProtocol).
func httpServicePort(svc *corev1.Service, port int) bool {
	for _, p := range svc.Spec.Ports {
		if int(p.Port) != port {
			continue
		}
		proto := p.Name
		if p.AppProtocol != nil {
			proto = *p.AppProtocol
		}
		switch strings.ToLower(proto) {
		case "kubernetes.io/h2c", "kubernetes.io/ws":
			return true
		}
		proto, _, _ = strings.Cut(strings.ToLower(proto), "-")
		switch proto {
		case "http", "http2", "http_proxy", "grpc":
			return true
		}
	}
	return false
}

// aliasIntentVIP is, for a sidecar walked without its dump, the gateway Service whose
// cluster-IP listener (a non-HTTP port) takes a connection to the alias address.
func (a *analysis) aliasIntentVIP() *corev1.Service {
	al := a.dns.alias
	if al == nil || !al.gateway || al.service == nil || httpServicePort(al.service, a.target.Port) {
		return nil
	}
	return al.service
}

// serviceLacksPort reports whether the alias Service does not expose the target port: no
// kube-proxy rule forwards that cluster IP:port, so the connection goes nowhere.
func (a *analysis) serviceLacksPort() bool {
	al := a.dns.alias
	if al == nil || al.service == nil {
		return false
	}
	for _, p := range al.service.Spec.Ports {
		if int(p.Port) == a.target.Port {
			return false
		}
	}
	return true
}

// uncapturedFate says where a request the sidecar does not capture goes: directly out, or
// to the egress gateway the hostAliases address belongs to.
func (a *analysis) uncapturedFate() string {
	if al := a.dns.alias; al != nil && al.gateway {
		return "hostAliases send " + al.Host + " to " + al.IP.String() + " (" + al.what() + "), so its requests reach the egress gateway, not straight out"
	}
	return "its requests leave the pod directly" + a.aliasTo() + " unless a CNI or node-level redirect captures them"
}

// aliasUnrouted stops, for a gateway walked without its dump, a request the hostAliases
// address brought there when no Gateway bound by the host's VirtualServices serves it:
// istiod builds a gateway's listeners and routes only from Gateway servers
// (pilot/pkg/networking/core/gateway.go, buildGatewayListeners), so the host has no route.
func (a *analysis) aliasUnrouted() bool {
	if a.aliasPodPortUnserved() {
		return true
	}
	if !a.dns.followed || len(a.intentGateways()) > 0 {
		return false
	}
	lg := a.gw
	a.stop(lg.listenerHop, "hostAliases bring "+a.target.Host+" to "+lg.proxy+", but no Gateway bound by a VirtualService for the host selects it: it has no listener or route for the host",
		"connection refused or 404 NR route_not_found (no Gateway server for the host)")
	return true
}

// aliasPodPortUnserved stops, for a gateway walked without its dump, a request sent to a
// gateway pod's own IP on a port a Service of that pod maps to another targetPort: istiod
// binds a gateway server's listener to the targetPort its Service maps the server port to
// (pilot/pkg/model/gateway.go resolvePorts, used by buildGatewayListeners), so nothing
// listens on the Service port itself, unless the Service opts out of the translation.
func (a *analysis) aliasPodPortUnserved() bool {
	al := a.dns.alias
	if al == nil || al.pod == nil || !a.dns.followed {
		return false
	}
	port := a.target.Port
	for _, k := range mesh.SortedKeys(a.snap.Services) {
		svc := a.snap.Services[k]
		if _, off := svc.Labels[noPortTranslation]; off {
			continue
		}
		if t := targetPort(svc, port); t != port && slices.Contains(servicePods(a.snap, svc), al.pod) {
			a.stop(a.gw.listenerHop, fmt.Sprintf("egress gateway %s has no listener 0.0.0.0_%d (reached at its pod IP; Service %s/%s maps port %d → targetPort %d)", a.gw.proxy, port, svc.Namespace, svc.Name, port, t), "connection refused")
			return true
		}
	}
	return false
}

// noPortTranslation is the Service label that keeps istiod from translating gateway server
// ports to targetPorts (pilot/pkg/model/gateway.go DisableGatewayPortTranslationLabel).
const noPortTranslation = "experimental.istio.io/disable-gateway-port-translation"
