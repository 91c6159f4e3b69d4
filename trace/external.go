package trace

import (
	"net"
	"strconv"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

// finalLeg is the last proxy on the path.
func (a *analysis) finalLeg() *leg {
	if a.gw != nil && a.gw.clusterName != "" {
		return a.gw
	}
	return &a.side
}

// externalHop adds the external service and stops the request when TLS on the wire does
// not match what the upstream expects.
func (a *analysis) externalHop() {
	lg := a.finalLeg()
	h := Hop{Kind: HopExternal, Name: net.JoinHostPort(a.target.Host, strconv.Itoa(a.target.Port))}
	t := upstreamTLS(lg.cluster)
	switch {
	case lg.clusterName == passthroughCluster:
		h.Detail = "original destination: the address the client resolved"
	case lg.cluster != nil && len(lg.cluster.Hosts) > 0:
		h.Name, h.Detail = lg.cluster.Hosts[0], "resolved by "+lg.cluster.Type
	case lg.cluster != nil && lg.cluster.Istio != nil:
		h.Name, h.Detail = net.JoinHostPort(lg.cluster.Istio.Host, strconv.Itoa(lg.cluster.Istio.Port)), "endpoints by "+lg.cluster.Type
	case lg.cluster == nil:
		// From the Istio objects only: the final cluster's name says where it connects
		// (outbound|443||edition.cnn.com after TLS origination to 443), not the client's port.
		if n, ok := envoy.ParseClusterName(lg.clusterName); ok && n.Host != "" {
			h.Name = net.JoinHostPort(n.Host, strconv.Itoa(a.endpointPort(n.Host, n.Port)))
		}
		h.Status, h.Notes = StatusUnknown, []string{intentNote}
	}
	a.aliasExternal(lg, &h)
	switch {
	case originates(t):
		h.TLS = t
	case a.target.sendsTLS():
		h.TLS = &TLS{Mode: "passthrough", SNI: a.target.Host}
	}
	idx := a.addHop(h)
	a.checkWireTLS(idx, lg)
}

// endpointPort is the port a ServiceEntry's endpoints for host listen on: the targetPort of
// the ServiceEntry port numbered port when set (istiod gives the endpoints it makes for DNS
// hosts that port: pilot/pkg/serviceregistry/serviceentry/conversion.go; the istiod-generated
// sidecar-tls-origination dump shows STRICT_DNS hosts edition.cnn.com:443 for port 80), else port.
func (a *analysis) endpointPort(host string, port int) int {
	if _, p := sePortFor(a.snap.ServiceEntriesForHost(host), port); p != nil && p.GetTargetPort() != 0 {
		return int(p.GetTargetPort())
	}
	return port
}

// upstreamPort is the port the final cluster connects to.
func (a *analysis) upstreamPort(lg *leg) int {
	if c := lg.cluster; c != nil && len(c.Hosts) > 0 {
		if _, p, err := net.SplitHostPort(c.Hosts[0]); err == nil {
			n, _ := strconv.Atoi(p)
			return n
		}
	}
	if n, ok := envoy.ParseClusterName(lg.clusterName); ok {
		return n.Port
	}
	return a.target.Port
}

// checkWireTLS stops on plaintext to a TLS port and on TLS inside TLS.
func (a *analysis) checkWireTLS(idx int, lg *leg) {
	orig := originates(upstreamTLS(a.side.cluster)) || (a.gw != nil && originates(upstreamTLS(a.gw.cluster)))
	port := a.upstreamPort(lg)
	switch {
	case a.target.sendsTLS() && orig:
		a.stop(idx, "the client's TLS is encrypted again by TLS origination on the path (double TLS)", "curl: (35) wrong version number (TLS inside TLS)")
	case !a.target.sendsTLS() && !orig && lg.cluster != nil && tlsPort(port):
		a.stop(idx, "plain HTTP reaches upstream port "+strconv.Itoa(port)+" without TLS origination", "400 plain HTTP request was sent to HTTPS port")
	}
}

func tlsPort(p int) bool { return p == 443 || p == 8443 }
