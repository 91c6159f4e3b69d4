package trace

import (
	"fmt"
	"strconv"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

// walkSidecar follows the request through the client's sidecar dump.
func (a *analysis) walkSidecar() {
	a.side = newLeg(a.in.Client, a.dump(a.in.Client))
	if a.side.dump == nil {
		a.needDump(a.in.Client)
		a.walkSidecarIntent()
		return
	}
	a.useDump(a.in.Client)
	l := a.sidecarListener()
	if l == nil {
		idx := a.addHop(Hop{Kind: HopListener, Proxy: a.side.proxy, Name: "0.0.0.0_" + strconv.Itoa(a.target.Port)})
		a.stop(idx, "the sidecar has no listener for port "+strconv.Itoa(a.target.Port)+" and no virtualOutbound", "connection reset")
		return
	}
	sni := ""
	if a.target.sendsTLS() {
		sni = a.target.Host
	}
	if !a.followListener(&a.side, HopListener, l, sni, !a.target.sendsTLS()) {
		return
	}
	a.sidecarCluster()
}

// sidecarListener picks the listener the sidecar hands the connection to: the VIP
// listener, else 0.0.0.0_<port>, else virtualOutbound.
func (a *analysis) sidecarListener() *envoy.Listener {
	d := a.side.dump
	if ad := a.cap.addr; ad.IsValid() {
		if l := d.Listener(ad.String() + "_" + strconv.Itoa(a.target.Port)); l != nil {
			return l
		}
	}
	if l := d.Listener("0.0.0.0_" + strconv.Itoa(a.target.Port)); l != nil {
		return l
	}
	return d.Listener(virtualOutbound)
}

// followListener picks the filter chain, adds the listener and route hops and sets
// lg.clusterName. It reports false when the request stops.
func (a *analysis) followListener(lg *leg, kind HopKind, l *envoy.Listener, sni string, plaintext bool) bool {
	lg.listener, lg.sni = l, sni
	fc := a.pickChain(kind, l, sni, plaintext)
	h := Hop{Kind: kind, Proxy: lg.proxy, Name: l.Name, State: state(l.Meta), TLS: downstreamTLS(fc)}
	if fc != nil {
		h.Detail = chainDetail(l, fc)
	}
	lg.listenerHop = a.addHop(h)
	lg.chain = fc
	if fc == nil {
		what := "plaintext"
		if sni != "" {
			what = "SNI " + sni
		}
		a.stop(lg.listenerHop, fmt.Sprintf("listener %s on %s has no filter chain for %s", l.Name, lg.proxy, what), "connection reset (NR filter_chain_not_found)")
		return false
	}
	if fc.HTTP() != nil {
		return a.followHTTP(lg, kind, fc.HTTP())
	}
	if t := fc.TCP(); t != nil {
		lg.clusterName = tcpCluster(t)
		if n := weightedNote(t.WeightedClusters); n != "" && t.Cluster == "" {
			a.rep.Hops[lg.listenerHop].Notes = append(a.rep.Hops[lg.listenerHop].Notes, n)
		}
		return true
	}
	a.stop(lg.listenerHop, "filter chain "+fc.Name+" has neither an HTTP nor a TCP proxy", "connection reset")
	return false
}

// pickChain selects the chain Envoy would use for the traced connection (envoy.Listener
// FilterChainFor: Envoy's filter_chain_match order). Listeners on the unified
// filter_chain_matcher keep the older reading: by SNI for TLS, else the first chain
// accepting plaintext; virtualOutbound its catch-all chain.
func (a *analysis) pickChain(kind HopKind, l *envoy.Listener, sni string, plaintext bool) *envoy.FilterChain {
	if !l.HasFilterChainMatcher {
		return l.FilterChainFor(a.conn(kind, l, sni, plaintext))
	}
	if l.Name == virtualOutbound || l.UseOriginalDst {
		for i := range l.FilterChains {
			if l.FilterChains[i].Match.DestinationPort == 0 {
				return &l.FilterChains[i]
			}
		}
		return l.DefaultFilterChain
	}
	if !plaintext && sni != "" {
		return l.FilterChainForSNI(sni)
	}
	for i := range l.FilterChains {
		m := l.FilterChains[i].Match
		if len(m.ServerNames) == 0 && (m.TransportProtocol == "" || m.TransportProtocol == "raw_buffer") && l.FilterChains[i].TLS == nil {
			return &l.FilterChains[i]
		}
	}
	return l.DefaultFilterChain
}

// conn is the connection a listener sees: on the sidecar the client's (original
// destination, port and protocol), on the gateway the sidecar's on the listener's port.
// ALPN is what the client offers (curl: h2, http/1.1 over TLS) or what http_inspector
// detects in plaintext HTTP.
func (a *analysis) conn(kind HopKind, l *envoy.Listener, sni string, plaintext bool) envoy.Conn {
	c := envoy.Conn{SNI: sni, Transport: "tls"}
	if plaintext {
		c.Transport = "raw_buffer"
	}
	if kind != HopListener {
		c.DstPort = l.Port
		return c
	}
	c.DstIP, c.DstPort = a.cap.addr, a.target.Port
	switch {
	case plaintext && a.target.Protocol == "http":
		c.ALPN = []string{"http/1.1"}
	case a.target.Protocol == "https":
		c.ALPN = []string{"h2", "http/1.1"}
	}
	return c
}

// followHTTP resolves route config, virtual host and route; it adds the route hop.
func (a *analysis) followHTTP(lg *leg, kind HopKind, h *envoy.HTTPConnectionManager) bool {
	routeKind := HopRoute
	if kind == HopGatewayListener {
		routeKind = HopGatewayRoute
	}
	rc := lg.dump.RouteConfigFor(h)
	hop := Hop{Kind: routeKind, Proxy: lg.proxy, Name: h.RDSRouteConfig}
	if rc == nil {
		lg.routeHop = a.addHop(hop)
		a.stop(lg.routeHop, "route config "+strconv.Quote(h.RDSRouteConfig)+" is missing from "+lg.proxy, "404 NR route_not_found")
		return false
	}
	lg.routeConfig = rc
	hop.State = state(rc.Meta)
	vh := rc.VirtualHostFor(a.target.Host, a.target.Port)
	if vh == nil || len(vh.Routes) == 0 {
		lg.routeHop = a.addHop(hop)
		a.stop(lg.routeHop, fmt.Sprintf("route config %q on %s has no virtual host for %s", rc.Name, lg.proxy, a.target.Host), "404 NR route_not_found")
		return false
	}
	lg.vhost = vh
	r, notes := pickRoute(vh, a.requestPath())
	hop.Notes = notes
	if r == nil {
		hop.Detail = "virtual host " + vh.Name
		lg.routeHop = a.addHop(hop)
		a.stop(lg.routeHop, fmt.Sprintf("no route of virtual host %s on %s matches path %s", vh.Name, lg.proxy, a.requestPath()), "404 NR route_not_found")
		return false
	}
	lg.route = r
	if n := weightedNote(r.WeightedClusters); n != "" {
		hop.Notes = append(hop.Notes, n)
	}
	hop.Detail = "virtual host " + vh.Name + routeDetail(lg.route)
	hop.Object = configObject(lg.route.Config)
	lg.routeHop = a.addHop(hop)
	return a.routeAction(lg, vh)
}

func routeDetail(r *envoy.Route) string {
	s := ""
	if r.Name != "" {
		s += ", route " + r.Name
	}
	if c := routeCluster(r); c != "" {
		s += " → " + c
	}
	if r.Timeout > 0 {
		s += ", timeout " + r.Timeout.String()
	}
	return s
}

// routeAction applies the route: a cluster, or a direct response / redirect that ends here.
func (a *analysis) routeAction(lg *leg, vh *envoy.VirtualHost) bool {
	r := lg.route
	switch {
	case r.DirectResponse != nil:
		why := fmt.Sprintf("virtual host %s answers directly with %d", vh.Name, r.DirectResponse.Status)
		a.stop(lg.routeHop, why, fmt.Sprintf("HTTP %d (route %s)", r.DirectResponse.Status, vh.Name))
		return false
	case r.Redirect != nil:
		a.stop(lg.routeHop, "virtual host "+vh.Name+" redirects", "HTTP redirect "+r.Redirect.ResponseCode)
		return false
	}
	lg.clusterName = routeCluster(r)
	return true
}

// sidecarCluster adds the sidecar's cluster hop and decides whether a gateway follows.
func (a *analysis) sidecarCluster() {
	lg := &a.side
	if !a.clusterHop(lg, HopCluster) {
		return
	}
	if lg.clusterName == passthroughCluster {
		a.passthroughAlias()
	}
	if lg.cluster == nil || lg.cluster.Istio == nil {
		return
	}
	if n := lg.cluster.Istio; n != nil {
		if svc := serviceForHost(a.snap, n.Host); svc != nil && isGatewayService(a.snap, svc) {
			g := newLeg("", nil)
			a.gw = &g
		}
	}
}

// clusterHop adds the hop for lg.clusterName and reports whether the request goes on.
func (a *analysis) clusterHop(lg *leg, kind HopKind) bool {
	name := lg.clusterName
	h := Hop{Kind: kind, Proxy: lg.proxy, Name: name}
	switch name {
	case passthroughCluster:
		h.Detail = "ORIGINAL_DST: forwarded to the address the client resolved, outside mesh routing"
		lg.clusterHop = a.addHop(h)
		return true
	case blackHoleCluster:
		h.Detail = "STATIC, no endpoints: the connection is dropped"
		lg.clusterHop = a.addHop(h)
		a.stop(lg.clusterHop, "the request ends in BlackHoleCluster on "+lg.proxy, "connection reset (BlackHoleCluster)")
		return false
	}
	c := lg.dump.Cluster(name)
	if c == nil {
		lg.clusterHop = a.addHop(h)
		a.stop(lg.clusterHop, fmt.Sprintf("%s has no cluster %s", lg.proxy, name), "503 NC cluster_not_found")
		return false
	}
	lg.cluster = c
	h.Detail, h.State, h.TLS, h.Object = clusterDetail(c, lg.dump), state(c.Meta), upstreamTLS(c), configObject(c.Config)
	lg.clusterHop = a.addHop(h)
	if c.State == envoy.StateWarming || c.State == envoy.StateRejected {
		a.stop(lg.clusterHop, fmt.Sprintf("cluster %s on %s is %s, not in use", name, lg.proxy, c.State), "503 NC cluster_not_found (cluster "+string(c.State)+")")
		return false
	}
	return true
}
