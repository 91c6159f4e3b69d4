package envoy

import (
	"net"
	"strconv"

	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// Cluster is one Envoy upstream cluster in one state.
type Cluster struct {
	Name string `json:"name"`
	Meta
	// Istio is the parsed name when it follows Istio's grammar.
	Istio *ClusterName `json:"istio,omitempty"`
	// Type is STATIC, STRICT_DNS, LOGICAL_DNS, EDS or ORIGINAL_DST, or the
	// custom cluster_type name.
	Type           string   `json:"type"`
	EDSServiceName string   `json:"edsServiceName,omitempty"`
	LBPolicy       string   `json:"lbPolicy,omitempty"`
	ConnectTimeout Duration `json:"connectTimeout,omitzero"`
	// Hosts are the load_assignment endpoints (STATIC and DNS clusters).
	Hosts []string `json:"hosts,omitempty"`
	// TLS is the cluster transport socket's TLS origination, if any.
	TLS                    *UpstreamTLS           `json:"tls,omitempty"`
	TransportSocketMatches []TransportSocketMatch `json:"transportSocketMatches,omitempty"`
	// Config is the Istio object that produced the cluster (DestinationRule).
	Config *ConfigRef `json:"config,omitempty"`
}

// TransportSocketMatch is one transport_socket_matches entry; Istio's
// auto-mTLS uses Match {"tlsMode": "istio"}.
type TransportSocketMatch struct {
	Name  string            `json:"name"`
	Match map[string]string `json:"match,omitempty"`
	TLS   *UpstreamTLS      `json:"tls,omitempty"`
}

// AutoMTLS reports whether the cluster has Istio's tlsMode=istio socket match.
func (c *Cluster) AutoMTLS() *TransportSocketMatch {
	for i := range c.TransportSocketMatches {
		if c.TransportSocketMatches[i].Match["tlsMode"] == "istio" {
			return &c.TransportSocketMatches[i]
		}
	}
	return nil
}

func clustersFrom(m *adminv3.ClustersConfigDump) []Cluster {
	var out []Cluster
	for _, s := range m.GetStaticClusters() {
		out = appendCluster(out, s.GetCluster(), Meta{State: StateActive, Static: true, LastUpdated: ts(s.GetLastUpdated())})
	}
	add := func(list []*adminv3.ClustersConfigDump_DynamicCluster, state State) {
		for _, dc := range list {
			meta := Meta{State: state, VersionInfo: dc.GetVersionInfo(), LastUpdated: ts(dc.GetLastUpdated()), Error: failureFrom(dc.GetErrorState())}
			a := dc.GetCluster()
			if a == nil && meta.Error != nil {
				meta.State, a = StateRejected, dc.GetErrorState().GetFailedConfiguration()
			}
			n := len(out)
			if out = appendCluster(out, a, meta); len(out) == n && meta.Error != nil {
				out = append(out, Cluster{Meta: meta}) // keep the error visible
			}
		}
	}
	add(m.GetDynamicActiveClusters(), StateActive)
	add(m.GetDynamicWarmingClusters(), StateWarming)
	return out
}

func appendCluster(out []Cluster, a *anypb.Any, meta Meta) []Cluster {
	pc := &clusterv3.Cluster{}
	if !unpack(a, pc) {
		return out
	}
	return append(out, clusterFrom(pc, meta))
}

func clusterFrom(pc *clusterv3.Cluster, meta Meta) Cluster {
	c := Cluster{
		Name: pc.GetName(), Meta: meta, Type: pc.GetType().String(),
		EDSServiceName: pc.GetEdsClusterConfig().GetServiceName(),
		LBPolicy:       pc.GetLbPolicy().String(),
		ConnectTimeout: Duration(pc.GetConnectTimeout().AsDuration()),
		Config:         configRefFrom(pc.GetMetadata()),
	}
	if n, ok := ParseClusterName(c.Name); ok {
		c.Istio = &n
	}
	if ct := pc.GetClusterType(); ct != nil {
		c.Type = ct.GetName()
	}
	for _, lle := range pc.GetLoadAssignment().GetEndpoints() {
		for _, e := range lle.GetLbEndpoints() {
			sa := e.GetEndpoint().GetAddress().GetSocketAddress()
			c.Hosts = append(c.Hosts, net.JoinHostPort(sa.GetAddress(), strconv.Itoa(int(sa.GetPortValue()))))
		}
	}
	if ts := pc.GetTransportSocket(); ts != nil {
		c.TLS = upstreamTLS(ts.GetTypedConfig())
	}
	for _, tsm := range pc.GetTransportSocketMatches() {
		c.TransportSocketMatches = append(c.TransportSocketMatches, TransportSocketMatch{
			Name: tsm.GetName(), Match: flatten(tsm.GetMatch().GetFields()),
			TLS: upstreamTLS(tsm.GetTransportSocket().GetTypedConfig()),
		})
	}
	return c
}

func upstreamTLS(a *anypb.Any) *UpstreamTLS {
	u := &tlsv3.UpstreamTlsContext{}
	if !unpack(a, u) {
		return nil
	}
	return upstreamTLSFrom(u)
}
