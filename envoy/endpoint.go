package envoy

import (
	"net"
	"strconv"

	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// ClusterEndpoints is one cluster's load assignment from the EDS dump.
type ClusterEndpoints struct {
	Cluster string `json:"cluster"`
	Meta
	Endpoints []Endpoint `json:"endpoints,omitempty"`
}

// Endpoint is one upstream host.
type Endpoint struct {
	Address  string `json:"address"` // host:port, or unix:path / envoy internal name
	Health   string `json:"health"`  // UNKNOWN, HEALTHY, UNHEALTHY, DRAINING, ...
	Weight   int    `json:"weight,omitempty"`
	Priority int    `json:"priority,omitempty"`
	Locality string `json:"locality,omitempty"` // region/zone/subzone
}

func endpointsFrom(m *adminv3.EndpointsConfigDump) []ClusterEndpoints {
	var out []ClusterEndpoints
	for _, s := range m.GetStaticEndpointConfigs() {
		out = appendEndpoints(out, s.GetEndpointConfig(), Meta{State: StateActive, Static: true, LastUpdated: ts(s.GetLastUpdated())})
	}
	for _, de := range m.GetDynamicEndpointConfigs() {
		out = appendEndpoints(out, de.GetEndpointConfig(), Meta{State: StateActive, VersionInfo: de.GetVersionInfo(), LastUpdated: ts(de.GetLastUpdated())})
	}
	return out
}

func appendEndpoints(out []ClusterEndpoints, a *anypb.Any, meta Meta) []ClusterEndpoints {
	cla := &endpointv3.ClusterLoadAssignment{}
	if !unpack(a, cla) {
		return out
	}
	ce := ClusterEndpoints{Cluster: cla.GetClusterName(), Meta: meta}
	for _, lle := range cla.GetEndpoints() {
		loc := lle.GetLocality()
		locality := ""
		if loc != nil {
			locality = loc.GetRegion() + "/" + loc.GetZone() + "/" + loc.GetSubZone()
		}
		for _, e := range lle.GetLbEndpoints() {
			ce.Endpoints = append(ce.Endpoints, Endpoint{
				Address: endpointAddress(e.GetEndpoint()), Health: e.GetHealthStatus().String(),
				Weight: int(e.GetLoadBalancingWeight().GetValue()), Priority: int(lle.GetPriority()), Locality: locality,
			})
		}
	}
	return append(out, ce)
}

func endpointAddress(e *endpointv3.Endpoint) string {
	a := e.GetAddress()
	switch {
	case a.GetSocketAddress() != nil:
		sa := a.GetSocketAddress()
		return net.JoinHostPort(sa.GetAddress(), strconv.Itoa(int(sa.GetPortValue())))
	case a.GetPipe() != nil:
		return "unix:" + a.GetPipe().GetPath()
	case a.GetEnvoyInternalAddress() != nil:
		return "envoy://" + a.GetEnvoyInternalAddress().GetServerListenerName()
	}
	return e.GetHostname()
}
