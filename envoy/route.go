package envoy

import (
	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// RouteConfig is one RDS route configuration.
type RouteConfig struct {
	Name string `json:"name"`
	Meta
	VirtualHosts []VirtualHost `json:"virtualHosts,omitempty"`
}

// VirtualHost is a set of domains and their routes, in Envoy's order.
type VirtualHost struct {
	Name    string   `json:"name"`
	Domains []string `json:"domains,omitempty"`
	Routes  []Route  `json:"routes,omitempty"`
}

// Route is one route: a match and exactly one action.
type Route struct {
	Name  string     `json:"name,omitempty"`
	Match RouteMatch `json:"match"`
	// Cluster, ClusterHeader or WeightedClusters is set for a route action.
	Cluster          string            `json:"cluster,omitempty"`
	ClusterHeader    string            `json:"clusterHeader,omitempty"`
	WeightedClusters []WeightedCluster `json:"weightedClusters,omitempty"`
	HostRewrite      string            `json:"hostRewrite,omitempty"`
	Timeout          Duration          `json:"timeout,omitzero"`
	DirectResponse   *DirectResponse   `json:"directResponse,omitempty"`
	Redirect         *Redirect         `json:"redirect,omitempty"`
	// Config is the Istio object that produced the route (VirtualService).
	Config *ConfigRef `json:"config,omitempty"`
}

// RouteMatch is the path part of a route match; one field is set.
type RouteMatch struct {
	Prefix              string `json:"prefix,omitempty"`
	Path                string `json:"path,omitempty"`
	Regex               string `json:"regex,omitempty"`
	PathSeparatedPrefix string `json:"pathSeparatedPrefix,omitempty"`
	Connect             bool   `json:"connect,omitempty"`
	// Headers counts header matchers (they are not modelled further).
	Headers int `json:"headers,omitempty"`
}

// DirectResponse is a route answering by itself (e.g. block_all's 502).
type DirectResponse struct {
	Status int `json:"status"`
}

// Redirect is a redirect action.
type Redirect struct {
	Host         string `json:"host,omitempty"`
	Path         string `json:"path,omitempty"`
	Scheme       string `json:"scheme,omitempty"`
	Port         int    `json:"port,omitempty"`
	ResponseCode string `json:"responseCode,omitempty"`
}

func routeConfigsFrom(m *adminv3.RoutesConfigDump) []RouteConfig {
	var out []RouteConfig
	for _, s := range m.GetStaticRouteConfigs() {
		out = appendRouteConfig(out, s.GetRouteConfig(), Meta{State: StateActive, Static: true, LastUpdated: ts(s.GetLastUpdated())})
	}
	for _, dr := range m.GetDynamicRouteConfigs() {
		meta := Meta{State: StateActive, VersionInfo: dr.GetVersionInfo(), LastUpdated: ts(dr.GetLastUpdated()), Error: failureFrom(dr.GetErrorState())}
		a := dr.GetRouteConfig()
		if a == nil && meta.Error != nil {
			meta.State, a = StateRejected, dr.GetErrorState().GetFailedConfiguration()
		}
		out = appendRouteConfig(out, a, meta)
	}
	return out
}

func appendRouteConfig(out []RouteConfig, a *anypb.Any, meta Meta) []RouteConfig {
	rc := &routev3.RouteConfiguration{}
	if !unpack(a, rc) {
		return out
	}
	return append(out, routeConfigFrom(rc, meta))
}

func routeConfigFrom(rc *routev3.RouteConfiguration, meta Meta) RouteConfig {
	out := RouteConfig{Name: rc.GetName(), Meta: meta}
	for _, vh := range rc.GetVirtualHosts() {
		v := VirtualHost{Name: vh.GetName(), Domains: vh.GetDomains()}
		for _, r := range vh.GetRoutes() {
			v.Routes = append(v.Routes, routeFrom(r))
		}
		out.VirtualHosts = append(out.VirtualHosts, v)
	}
	return out
}

func routeFrom(r *routev3.Route) Route {
	m := r.GetMatch()
	out := Route{Name: r.GetName(), Config: configRefFrom(r.GetMetadata()), Match: RouteMatch{
		Prefix: m.GetPrefix(), Path: m.GetPath(), Regex: m.GetSafeRegex().GetRegex(),
		PathSeparatedPrefix: m.GetPathSeparatedPrefix(), Connect: m.GetConnectMatcher() != nil, Headers: len(m.GetHeaders()),
	}}
	if a := r.GetRoute(); a != nil {
		out.Cluster, out.ClusterHeader = a.GetCluster(), a.GetClusterHeader()
		out.HostRewrite = a.GetHostRewriteLiteral()
		out.Timeout = Duration(a.GetTimeout().AsDuration())
		for _, wc := range a.GetWeightedClusters().GetClusters() {
			out.WeightedClusters = append(out.WeightedClusters, WeightedCluster{Name: wc.GetName(), Weight: int(wc.GetWeight().GetValue())})
		}
	}
	if d := r.GetDirectResponse(); d != nil {
		out.DirectResponse = &DirectResponse{Status: int(d.GetStatus())}
	}
	if rd := r.GetRedirect(); rd != nil {
		out.Redirect = &Redirect{Host: rd.GetHostRedirect(), Path: rd.GetPathRedirect(), Scheme: rd.GetSchemeRedirect(),
			Port: int(rd.GetPortRedirect()), ResponseCode: rd.GetResponseCode().String()}
		if rd.GetHttpsRedirect() {
			out.Redirect.Scheme = "https"
		}
	}
	return out
}
