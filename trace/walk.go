package trace

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// capture is the client hop's answer: does the sidecar see the request?
type capture struct {
	captured bool
	reason   string
	// addr is the destination address used, invalid when only DNS knows it.
	addr netip.Addr
	// uncertain is true when the answer depends on the address DNS returns.
	uncertain bool
	// annotated is true when capture annotations (not the absence of a sidecar) decided.
	annotated bool
}

// walk follows the request hop by hop: client, sidecar, egress gateway, external service.
func (a *analysis) walk() {
	if a.clientHop() {
		a.walkSidecar()
	}
	if a.end.kind == "" && a.gw != nil {
		a.walkGateway()
	}
	if a.end.kind == "" {
		a.externalHop()
	}
}

// clientHop adds the client hop and reports whether the sidecar captures the request.
func (a *analysis) clientHop() bool {
	h := Hop{Kind: HopClient, Name: a.in.Client, Detail: fmt.Sprintf("%s %s:%d%s", a.target.Protocol, a.target.Host, a.target.Port, a.target.Path)}
	c := a.captureFor()
	a.cap = c
	h.Notes = append(h.Notes, c.reason)
	a.dnsHop(&h)
	if a.client == nil {
		h.Status = StatusUnknown
		h.Notes = append(h.Notes, "pod "+a.in.Client+" is not in the snapshot; capture annotations not checked")
	}
	idx := a.addHop(h)
	if c.captured {
		if c.uncertain {
			a.rep.Hops[idx].Status = StatusWarning
		}
		return true
	}
	a.rep.Hops[idx].Status = StatusWarning
	if a.aliasToGateway(idx) {
		return false
	}
	a.end = outcome{kind: Bypass, hop: idx, summary: "the sidecar does not intercept the request (" + c.reason + "); it leaves the pod directly" + a.aliasTo() + ", skipping sidecar, egress gateway and mesh policy"}
	return false
}

// captureFor applies the pod's sidecar and capture annotations to the destination.
func (a *analysis) captureFor() capture {
	if a.client == nil {
		return capture{captured: true, reason: "capture assumed (pod unknown)"}
	}
	cp := mesh.ParseCapture(a.client)
	addr := a.destinationAddr()
	if !cp.Sidecar {
		return capture{reason: "pod has no istio-proxy sidecar"}
	}
	if addr.IsValid() {
		ok, why := cp.Captures(addr, a.target.Port)
		return capture{captured: ok, reason: why, addr: addr, annotated: !ok}
	}
	return capturePortsOnly(cp, a.target.Port)
}

// capturePortsOnly decides capture for an address only DNS knows: ports decide, then
// the IP range annotations, whose effect depends on the resolved address.
func capturePortsOnly(cp mesh.Capture, port int) capture {
	switch {
	case slices.Contains(cp.ExcludePorts, port):
		return capture{reason: fmt.Sprintf("port %d is in %s", port, mesh.ExcludeOutboundPortsAnnot), annotated: true}
	case slices.Contains(cp.IncludePorts, port):
		return capture{captured: true, reason: fmt.Sprintf("port %d is in %s", port, mesh.IncludeOutboundPortsAnnot)}
	case !cp.IncludeAll:
		return capture{reason: fmt.Sprintf("%s is limited to %v; an external address is outside it", mesh.IncludeOutboundIPRangesAnnot, cp.IncludeIPRanges), annotated: true, uncertain: true}
	case len(cp.ExcludeIPRanges) > 0:
		return capture{captured: true, uncertain: true, annotated: true, reason: fmt.Sprintf("captured unless DNS returns an address in %s %v", mesh.ExcludeOutboundIPRangesAnnot, cp.ExcludeIPRanges)}
	}
	return capture{captured: true, reason: "all outbound traffic is redirected to the sidecar (no capture annotations)"}
}

// destinationAddr is the address the client connects to when the objects fix it: the pod's
// hostAliases entry for the host (/etc/hosts is read before DNS), else a ServiceEntry address
// or the Service's cluster IP, unless the pod resolves through other nameservers (dns.go).
func (a *analysis) destinationAddr() netip.Addr {
	if al := a.dns.alias; al != nil {
		return al.IP
	}
	if a.dns.resolvesElsewhere() {
		return netip.Addr{}
	}
	if se := a.intent.SE; se != nil {
		for _, s := range se.Spec.GetAddresses() {
			if ad, err := netip.ParseAddr(s); err == nil {
				return ad
			}
		}
	}
	if svc := a.intent.Service; svc != nil {
		if ad, err := netip.ParseAddr(svc.Spec.ClusterIP); err == nil {
			return ad
		}
	}
	return netip.Addr{}
}
