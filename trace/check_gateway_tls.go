package trace

import (
	"fmt"

	apiv1alpha3 "istio.io/api/networking/v1alpha3"
)

var checkGatewayTLS = check{
	code: "EGR0207", level: LevelError, class: "B13",
	title: "TLS mode or SNI differs between sidecar and egress gateway",
	doc: "A Gateway server with `tls.mode: ISTIO_MUTUAL` only accepts Istio mTLS with the host as SNI, so the " +
		"DestinationRule subset for the gateway must set `tls.mode: ISTIO_MUTUAL` and `sni: <host>` on that port. " +
		"Conversely a plaintext (HTTP) server cannot read TLS from the sidecar. A mismatch shows as no filter " +
		"chain at the gateway (connection reset) or a protocol error.",
	run: runGatewayTLS,
}

func runGatewayTLS(a *analysis) []issue {
	g := a.intent.Gateway
	if g == nil {
		return nil
	}
	var out []issue
	for _, gw := range g.Gateways {
		srv := a.arrivalServer(gw)
		if srv == nil {
			continue
		}
		if msg := tlsMismatch(srv, a.subsetTLS(), a.target.Host); msg != "" {
			hop := -1
			if a.gw != nil {
				hop = a.gw.listenerHop
			}
			out = append(out, issue{object: gwName(gw), hop: hop, message: gwName(gw) + ": " + msg,
				fix: fmt.Sprintf("in the DestinationRule subset %q for %s set portLevelSettings port %d tls {mode: ISTIO_MUTUAL, sni: %s}, matching the Gateway server's tls mode", g.Subset, serviceHost(g.Service), g.Port, a.target.Host)})
		}
	}
	return out
}

// subsetTLS is the TLS the client's DestinationRule sets for the gateway subset and port.
func (a *analysis) subsetTLS() *apiv1alpha3.ClientTLSSettings {
	g := a.intent.Gateway
	if g.SubsetDR == nil {
		return nil
	}
	return drTLS(g.SubsetDR, g.Subset, g.Port)
}

func tlsMismatch(srv *apiv1alpha3.Server, client *apiv1alpha3.ClientTLSSettings, host string) string {
	mode := srv.GetTls().GetMode()
	istio := client.GetMode() == apiv1alpha3.ClientTLSSettings_ISTIO_MUTUAL
	switch {
	case mode == apiv1alpha3.ServerTLSSettings_ISTIO_MUTUAL && !istio:
		return fmt.Sprintf("server port %d expects ISTIO_MUTUAL but the sidecar's DestinationRule subset sends %s", srv.GetPort().GetNumber(), orPlain(client))
	case mode == apiv1alpha3.ServerTLSSettings_ISTIO_MUTUAL && client.GetSni() != host:
		return fmt.Sprintf("server port %d expects SNI %s but the sidecar's DestinationRule subset sets sni %q", srv.GetPort().GetNumber(), host, client.GetSni())
	case srv.GetTls() == nil && isHTTPProtocol(srv.GetPort().GetProtocol()) && istio:
		return fmt.Sprintf("server port %d is plaintext %s but the sidecar originates ISTIO_MUTUAL to it", srv.GetPort().GetNumber(), srv.GetPort().GetProtocol())
	}
	return ""
}

func orPlain(t *apiv1alpha3.ClientTLSSettings) string {
	if t == nil {
		return "no TLS settings (plaintext)"
	}
	return t.GetMode().String()
}
