package trace

import (
	"slices"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// gatewayAPIRouteKinds are the Gateway API route kinds istiod translates.
var gatewayAPIRouteKinds = []string{"HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"}

// waypointClasses are the Gateway classes of ambient waypoints.
var waypointClasses = []string{"istio-waypoint", "istio-agentgateway-waypoint"}

// routeOnPath says why a Gateway API route concerns the traced host, or "".
func (a *analysis) routeOnPath(r *mesh.Other) string {
	for _, p := range r.ParentRefs {
		if a.refIsHostSE(p, r.Namespace) {
			return "is a mesh route for ServiceEntry " + refNS(p, r.Namespace) + "/" + p.Name + " of " + a.target.Host
		}
		if a.refIsHostService(p, r.Namespace) {
			return "is a mesh route for Service " + refNS(p, r.Namespace) + "/" + p.Name
		}
	}
	if slices.ContainsFunc(r.Hostnames, func(h string) bool { return hostMatches(h, a.target.Host) }) {
		return "routes hostnames " + strings.Join(r.Hostnames, ", ")
	}
	for _, b := range r.BackendRefs {
		if b.Kind == "Hostname" && strings.EqualFold(b.Name, a.target.Host) {
			return "sends requests to backend Hostname " + b.Name
		}
		if b.Kind == "XBackend" && a.xbackendForHost(refNS(b, r.Namespace), b.Name) {
			return "sends requests to XBackend " + refNS(b, r.Namespace) + "/" + b.Name + " for " + a.target.Host
		}
	}
	return ""
}

// routesOnPath lists the Gateway API routes that concern the host.
func (a *analysis) routesOnPath() []*mesh.Other {
	var out []*mesh.Other
	for _, r := range a.othersOf(gwAPI, gatewayAPIRouteKinds...) {
		if a.routeOnPath(r) != "" {
			out = append(out, r)
		}
	}
	return out
}

// refIsHostSE reports whether ref names one of the host's ServiceEntries.
func (a *analysis) refIsHostSE(ref mesh.Ref, from string) bool {
	if ref.Kind != "ServiceEntry" {
		return false
	}
	ns := refNS(ref, from)
	for _, se := range append(slices.Clone(a.intent.SEs), a.intent.Hidden...) {
		if se.Namespace == ns && se.Name == ref.Name {
			return true
		}
	}
	return false
}

// refIsHostService reports whether ref names the host's Kubernetes Service.
func (a *analysis) refIsHostService(ref mesh.Ref, from string) bool {
	svc := a.intent.Service
	return (ref.Kind == "" || ref.Kind == "Service") && ref.Group == "" && svc != nil &&
		svc.Namespace == refNS(ref, from) && svc.Name == ref.Name
}

// xbackendForHost reports whether XBackend ns/name's externalHostname is the host.
func (a *analysis) xbackendForHost(ns, name string) bool {
	for _, x := range a.othersOf(gwAPIX, "XBackend") {
		if x.Namespace == ns && x.Name == name && a.namesHost(x.Hostnames) {
			return true
		}
	}
	return false
}

func (a *analysis) namesHost(hosts []string) bool {
	return slices.ContainsFunc(hosts, func(h string) bool { return strings.EqualFold(h, a.target.Host) })
}

// hostNamespaces are the namespaces of the host's ServiceEntries and Service.
func (a *analysis) hostNamespaces() []string {
	var out []string
	for _, se := range append(slices.Clone(a.intent.SEs), a.intent.Hidden...) {
		out = append(out, se.Namespace)
	}
	if a.intent.Service != nil {
		out = append(out, a.intent.Service.Namespace)
	}
	return out
}

func refNS(ref mesh.Ref, from string) string {
	if ref.Namespace != "" {
		return ref.Namespace
	}
	return from
}
