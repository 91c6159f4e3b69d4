package envoy

import (
	"fmt"
	"strings"

	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
)

// FilterChain is one listener filter chain.
type FilterChain struct {
	Name    string           `json:"name,omitempty"`
	Match   FilterChainMatch `json:"match"`
	TLS     *DownstreamTLS   `json:"tls,omitempty"`
	Filters []NetworkFilter  `json:"filters,omitempty"`
}

// FilterChainMatch is Envoy's filter_chain_match.
type FilterChainMatch struct {
	DestinationPort      int      `json:"destinationPort,omitempty"`
	PrefixRanges         []string `json:"prefixRanges,omitempty"` // CIDRs
	SourcePrefixRanges   []string `json:"sourcePrefixRanges,omitempty"`
	ServerNames          []string `json:"serverNames,omitempty"`
	TransportProtocol    string   `json:"transportProtocol,omitempty"`
	ApplicationProtocols []string `json:"applicationProtocols,omitempty"`
}

// NetworkFilter is one network filter; HTTP or TCP is set for the
// http_connection_manager and tcp_proxy filters.
type NetworkFilter struct {
	Name    string                 `json:"name"`
	TypeURL string                 `json:"typeURL,omitempty"`
	HTTP    *HTTPConnectionManager `json:"http,omitempty"`
	TCP     *TCPProxy              `json:"tcp,omitempty"`
	// DirectResponse is true for envoy.filters.network.direct_response.
	DirectResponse bool `json:"directResponse,omitempty"`
}

// HTTPConnectionManager is the part of the HCM a trace follows.
type HTTPConnectionManager struct {
	StatPrefix string `json:"statPrefix,omitempty"`
	// RDSRouteConfig names the route config fetched by RDS.
	RDSRouteConfig string `json:"rdsRouteConfig,omitempty"`
	// RouteConfig is an inline route config, when there is no RDS.
	RouteConfig *RouteConfig `json:"routeConfig,omitempty"`
	HTTPFilters []string     `json:"httpFilters,omitempty"`
}

// TCPProxy is tcp_proxy's destination.
type TCPProxy struct {
	StatPrefix       string            `json:"statPrefix,omitempty"`
	Cluster          string            `json:"cluster,omitempty"`
	WeightedClusters []WeightedCluster `json:"weightedClusters,omitempty"`
}

// WeightedCluster is one destination of a weighted split.
type WeightedCluster struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"`
}

// HTTP returns the chain's HTTP connection manager, or nil.
func (fc *FilterChain) HTTP() *HTTPConnectionManager {
	for i := range fc.Filters {
		if fc.Filters[i].HTTP != nil {
			return fc.Filters[i].HTTP
		}
	}
	return nil
}

// TCP returns the chain's tcp_proxy, or nil.
func (fc *FilterChain) TCP() *TCPProxy {
	for i := range fc.Filters {
		if fc.Filters[i].TCP != nil {
			return fc.Filters[i].TCP
		}
	}
	return nil
}

func filterChainFrom(pc *listenerv3.FilterChain) FilterChain {
	m := pc.GetFilterChainMatch()
	fc := FilterChain{Name: pc.GetName(), Match: FilterChainMatch{
		DestinationPort:      int(m.GetDestinationPort().GetValue()),
		ServerNames:          m.GetServerNames(),
		TransportProtocol:    m.GetTransportProtocol(),
		ApplicationProtocols: m.GetApplicationProtocols(),
	}}
	for _, r := range m.GetPrefixRanges() {
		fc.Match.PrefixRanges = append(fc.Match.PrefixRanges, fmt.Sprintf("%s/%d", r.GetAddressPrefix(), r.GetPrefixLen().GetValue()))
	}
	for _, r := range m.GetSourcePrefixRanges() {
		fc.Match.SourcePrefixRanges = append(fc.Match.SourcePrefixRanges, fmt.Sprintf("%s/%d", r.GetAddressPrefix(), r.GetPrefixLen().GetValue()))
	}
	if ts := pc.GetTransportSocket(); ts != nil {
		dtc := &tlsv3.DownstreamTlsContext{}
		if unpack(ts.GetTypedConfig(), dtc) {
			fc.TLS = downstreamTLSFrom(dtc)
		}
	}
	for _, f := range pc.GetFilters() {
		fc.Filters = append(fc.Filters, networkFilterFrom(f))
	}
	return fc
}

func networkFilterFrom(f *listenerv3.Filter) NetworkFilter {
	nf := NetworkFilter{Name: f.GetName(), TypeURL: f.GetTypedConfig().GetTypeUrl()}
	hcm := &hcmv3.HttpConnectionManager{}
	tcp := &tcpv3.TcpProxy{}
	switch {
	case unpack(f.GetTypedConfig(), hcm):
		nf.HTTP = hcmFrom(hcm)
	case unpack(f.GetTypedConfig(), tcp):
		nf.TCP = tcpFrom(tcp)
	case strings.Contains(nf.Name, "direct_response") || strings.Contains(nf.TypeURL, "direct_response"):
		nf.DirectResponse = true
	}
	return nf
}

func hcmFrom(h *hcmv3.HttpConnectionManager) *HTTPConnectionManager {
	out := &HTTPConnectionManager{StatPrefix: h.GetStatPrefix(), RDSRouteConfig: h.GetRds().GetRouteConfigName()}
	if rc := h.GetRouteConfig(); rc != nil {
		r := routeConfigFrom(rc, Meta{State: StateActive, Static: true})
		out.RouteConfig = &r
	}
	for _, hf := range h.GetHttpFilters() {
		out.HTTPFilters = append(out.HTTPFilters, hf.GetName())
	}
	return out
}

func tcpFrom(t *tcpv3.TcpProxy) *TCPProxy {
	out := &TCPProxy{StatPrefix: t.GetStatPrefix(), Cluster: t.GetCluster()}
	for _, wc := range t.GetWeightedClusters().GetClusters() {
		out.WeightedClusters = append(out.WeightedClusters, WeightedCluster{Name: wc.GetName(), Weight: int(wc.GetWeight())})
	}
	return out
}
