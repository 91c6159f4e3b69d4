package trace

import (
	"fmt"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

var checkNotInRegistry = check{
	code: "EGR0101", level: LevelError, class: "A1",
	title: "Host not in the proxy's registry under REGISTRY_ONLY",
	doc: "With outboundTrafficPolicy REGISTRY_ONLY the sidecar only knows hosts declared by a ServiceEntry " +
		"(or Service) visible to its namespace. Unknown HTTP hosts hit the `block_all` virtual host (HTTP 502); " +
		"TLS and TCP fall to BlackHoleCluster (connection reset).",
	run: runNotInRegistry,
}

func runNotInRegistry(a *analysis) []issue {
	if a.intent.SEPort != nil || a.serviceHasPort() {
		return nil
	}
	blocked := a.side.vhost != nil && a.side.vhost.Name == blockAll
	blocked = blocked || (a.side.clusterName == blackHoleCluster && !a.httpOnTLSPort())
	intentOnly := a.side.dump == nil && a.intent.Mode == mesh.RegistryOnly && a.intent.MeshDest == nil
	if !blocked && !intentOnly {
		return nil
	}
	msg := fmt.Sprintf("%s:%d is not in the registry of %s (outboundTrafficPolicy %s): no ServiceEntry visible to namespace %s declares it", a.target.Host, a.target.Port, a.in.Client, a.intent.Mode, a.clientNS)
	if len(a.intent.SEs) > 0 {
		msg = fmt.Sprintf("%s declares %s but not port %d; under %s the port is blocked", seName(a.intent.SEs[0]), a.target.Host, a.target.Port, a.intent.Mode)
	}
	hop := a.side.routeHop
	if a.side.clusterName == blackHoleCluster {
		hop = a.side.clusterHop
	}
	object := a.policyObject()
	if len(a.intent.SEs) > 0 {
		object = seName(a.intent.SEs[0])
	}
	return one(issue{object: object, proxy: a.in.Client, hop: hop, message: msg + " (" + a.blockedResponse() + ")",
		fix: fmt.Sprintf("add a ServiceEntry for %s with port %d (protocol %s), exported to %s", a.target.Host, a.target.Port, seProtocolHint(a.target), a.clientNS)})
}

// policyObject names the object that sets the client's outboundTrafficPolicy: a Sidecar
// overriding it, else the mesh config.
func (a *analysis) policyObject() string {
	if sc := a.clientSidecar(); sc != nil && sc.Spec.GetOutboundTrafficPolicy() != nil {
		return objName("Sidecar", sc.Namespace, sc.Name)
	}
	return objName("ConfigMap", a.snap.IstioNamespace, "istio")
}

// httpOnTLSPort reports whether a visible HTTP ServiceEntry port sits on the target port
// while the client speaks TLS (EGR0103's case, not a missing registry entry).
func (a *analysis) httpOnTLSPort() bool {
	return a.target.sendsTLS() && len(a.httpSEsOnPort()) > 0
}

func seProtocolHint(t Target) string {
	switch t.Protocol {
	case "http":
		return "HTTP"
	case "tcp":
		return "TCP"
	}
	return "TLS or HTTPS"
}
