package trace

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

// leg is one proxy's part of the path, as found in its dump (or from intent when absent).
type leg struct {
	proxy       string
	dump        *envoy.Dump
	listener    *envoy.Listener
	chain       *envoy.FilterChain
	routeConfig *envoy.RouteConfig
	vhost       *envoy.VirtualHost
	route       *envoy.Route
	clusterName string
	cluster     *envoy.Cluster
	// sni is the SNI the downstream presents to this proxy ("" for plaintext).
	sni string
	// listenerHop, routeHop and clusterHop index Report.Hops (-1 when not reached).
	listenerHop, routeHop, clusterHop int
}

func newLeg(proxy string, d *envoy.Dump) leg {
	return leg{proxy: proxy, dump: d, listenerHop: -1, routeHop: -1, clusterHop: -1}
}

// Special clusters and virtual hosts istiod generates.
const (
	passthroughCluster = "PassthroughCluster"
	blackHoleCluster   = "BlackHoleCluster"
	blockAll           = "block_all"
	allowAny           = "allow_any"
	virtualOutbound    = "virtualOutbound"
)

// upstreamTLS describes a cluster's TLS origination.
func upstreamTLS(c *envoy.Cluster) *TLS {
	if c == nil {
		return nil
	}
	if c.TLS == nil {
		if m := c.AutoMTLS(); m != nil {
			return &TLS{Mode: "auto-mtls", Validation: "ROOTCA (only to endpoints labelled tlsMode=istio)"}
		}
		return nil
	}
	return tlsFrom(c.TLS.SNI, c.TLS.TLSContext, false)
}

// downstreamTLS describes a filter chain's TLS termination, or passthrough when it
// matches on SNI without terminating.
func downstreamTLS(fc *envoy.FilterChain) *TLS {
	switch {
	case fc == nil:
		return nil
	case fc.TLS != nil:
		return tlsFrom(strings.Join(fc.Match.ServerNames, ","), fc.TLS.TLSContext, fc.TLS.RequireClientCertificate)
	case len(fc.Match.ServerNames) > 0:
		return &TLS{Mode: "passthrough", SNI: strings.Join(fc.Match.ServerNames, ",")}
	}
	return nil
}

func tlsFrom(sni string, c envoy.TLSContext, requireClient bool) *TLS {
	t := &TLS{Mode: "simple", SNI: sni, Validation: c.ValidationSDS, SubjectAltNames: c.SANMatchers}
	if t.Validation == "" {
		t.Validation = c.TrustedCAFile
	}
	if len(c.CertificateSDS) > 0 {
		t.Credential = c.CertificateSDS[0]
	}
	switch {
	case slices.Contains(c.CertificateSDS, "default") && c.ValidationSDS == "ROOTCA":
		t.Mode = "istio-mutual"
	case len(c.CertificateSDS) > 0 || c.InlineCertificates > 0:
		if requireClient || t.Validation != "" {
			t.Mode = "mutual"
		}
	}
	return t
}

// originates reports whether a cluster starts TLS that is not Istio's own mTLS.
func originates(t *TLS) bool { return t != nil && (t.Mode == "simple" || t.Mode == "mutual") }

// configObject renders the istio.config back-link as "Kind ns/name".
func configObject(ref *envoy.ConfigRef) string {
	if ref == nil {
		return ""
	}
	kinds := map[string]string{
		"virtual-service": "VirtualService", "destination-rule": "DestinationRule",
		"service-entry": "ServiceEntry", "gateway": "Gateway", "sidecar": "Sidecar",
	}
	kind := kinds[ref.Kind]
	if kind == "" {
		kind = ref.Kind
	}
	if ref.Namespace == "" {
		return kind + " " + ref.Name
	}
	return objName(kind, ref.Namespace, ref.Name)
}

// state renders a resource's state for a hop, "" when active.
func state(m envoy.Meta) string {
	if m.Error != nil && m.State == envoy.StateActive {
		return "active (last update rejected)"
	}
	if m.State == envoy.StateActive {
		return ""
	}
	return string(m.State)
}

// chainDetail describes the filter chain a listener picked.
func chainDetail(l *envoy.Listener, fc *envoy.FilterChain) string {
	name := fc.Name
	if name == "" {
		name = "default"
		for i := range l.FilterChains {
			if &l.FilterChains[i] == fc {
				name = fmt.Sprintf("#%d", i)
			}
		}
	}
	parts := []string{"filter chain " + name}
	if len(fc.Match.ServerNames) > 0 {
		parts = append(parts, "SNI "+strings.Join(fc.Match.ServerNames, ","))
	}
	if fc.Match.TransportProtocol != "" {
		parts = append(parts, "transport "+fc.Match.TransportProtocol)
	}
	if h := fc.HTTP(); h != nil {
		parts = append(parts, "http_connection_manager")
	} else if t := fc.TCP(); t != nil {
		parts = append(parts, "tcp_proxy → "+tcpCluster(t))
	}
	return strings.Join(parts, ", ")
}

// tcpCluster is the cluster a tcp_proxy sends to (heaviest of a weighted split).
func tcpCluster(t *envoy.TCPProxy) string {
	if t.Cluster != "" || len(t.WeightedClusters) == 0 {
		return t.Cluster
	}
	return heaviestWeighted(t.WeightedClusters)
}

func heaviestWeighted(wc []envoy.WeightedCluster) string {
	best := wc[0]
	for _, w := range wc[1:] {
		if w.Weight > best.Weight {
			best = w
		}
	}
	return best.Name
}

// routeCluster is the cluster a route sends to, "" for direct responses and redirects.
func routeCluster(r *envoy.Route) string {
	switch {
	case r.Cluster != "":
		return r.Cluster
	case len(r.WeightedClusters) > 0:
		return heaviestWeighted(r.WeightedClusters)
	}
	return ""
}

// clusterDetail describes a cluster: type and where it resolves to.
func clusterDetail(c *envoy.Cluster, d *envoy.Dump) string {
	parts := []string{c.Type}
	if len(c.Hosts) > 0 {
		parts = append(parts, "hosts "+strings.Join(c.Hosts, ","))
	}
	if e := d.EndpointsFor(edsName(c)); e != nil {
		parts = append(parts, fmt.Sprintf("%d endpoints", len(e.Endpoints)))
	}
	return strings.Join(parts, ", ")
}

func edsName(c *envoy.Cluster) string {
	if c.EDSServiceName != "" {
		return c.EDSServiceName
	}
	return c.Name
}
