package envoy

import (
	"net/netip"
	"slices"
	"strings"
)

// Conn is what a listener knows of a new connection when it picks a filter chain.
type Conn struct {
	// DstIP is the original destination address; invalid when the trace does not know it,
	// which is taken as an address in no chain's prefix_ranges.
	DstIP   netip.Addr
	DstPort int
	// SNI is the TLS server name ("" for plaintext or no SNI).
	SNI string
	// Transport is what tls_inspector detects: "tls" or "raw_buffer".
	Transport string
	// ALPN is the TLS ALPN list, or for plaintext what http_inspector detects (http/1.1, h2c).
	ALPN []string
}

// FilterChainFor picks the filter chain Envoy uses for c, following filter_chain_match
// level by level in Envoy's order: destination port, destination IP (longest prefix),
// server name (exact, then longest wildcard), transport protocol, application protocols,
// then source (the trace's connections come from the pod itself: a chain that matches on
// source ranges or ports is not taken). At each level the chains with the most specific
// match survive, or, when none matches specifically, those that leave the field unset; Envoy
// does not backtrack, so a connection that a more specific level captured and a later level
// rejects gets the default filter chain (nil when there is none). Envoy docs,
// config.listener.v3.FilterChainMatch; source/common/listener_manager/
// filter_chain_manager_impl.cc, FilterChainManagerImpl::findFilterChain and its
// findFilterChainForDestinationIP/ServerName/TransportProtocol/ApplicationProtocols steps.
// Listeners using the unified filter_chain_matcher are not covered (HasFilterChainMatcher).
func (l *Listener) FilterChainFor(c Conn) *FilterChain {
	cands := make([]*FilterChain, 0, len(l.FilterChains))
	for i := range l.FilterChains {
		cands = append(cands, &l.FilterChains[i])
	}
	levels := []func(m *FilterChainMatch) int{
		func(m *FilterChainMatch) int { return portRank(m.DestinationPort, c.DstPort) },
		func(m *FilterChainMatch) int { return prefixRank(m.PrefixRanges, c.DstIP) },
		func(m *FilterChainMatch) int { return serverNameRank(m.ServerNames, c.SNI) },
		func(m *FilterChainMatch) int { return transportRank(m.TransportProtocol, c.Transport) },
		func(m *FilterChainMatch) int { return alpnRank(m.ApplicationProtocols, c.ALPN) },
		func(m *FilterChainMatch) int { return unsetRank(len(m.SourcePrefixRanges) > 0) },
	}
	for _, rank := range levels {
		if cands = narrow(cands, rank); len(cands) == 0 {
			return l.DefaultFilterChain
		}
	}
	return cands[0]
}

// narrow keeps the candidates with the highest rank ≥ 0 (0: the field is unset).
func narrow(cands []*FilterChain, rank func(m *FilterChainMatch) int) []*FilterChain {
	ranks := make([]int, len(cands))
	best := -1
	for i, fc := range cands {
		ranks[i] = rank(&fc.Match)
		best = max(best, ranks[i])
	}
	if best < 0 {
		return nil
	}
	var out []*FilterChain
	for i, fc := range cands {
		if ranks[i] == best {
			out = append(out, fc)
		}
	}
	return out
}

func portRank(want, got int) int {
	switch want {
	case 0:
		return 0
	case got:
		return 1
	}
	return -1
}

// prefixRank is 1+the longest prefix length of ranges holding ip, 0 for no ranges.
func prefixRank(ranges []string, ip netip.Addr) int {
	if len(ranges) == 0 {
		return 0
	}
	best := -1
	for _, r := range ranges {
		p, err := netip.ParsePrefix(r)
		if err != nil {
			if a, aerr := netip.ParseAddr(r); aerr == nil {
				p = netip.PrefixFrom(a, a.BitLen())
			} else {
				continue
			}
		}
		if ip.IsValid() && p.Contains(ip.Unmap()) {
			best = max(best, 1+p.Bits())
		}
	}
	return best
}

func transportRank(want, got string) int {
	switch want {
	case "":
		return 0
	case got:
		return 1
	}
	return -1
}

func alpnRank(want, got []string) int {
	if len(want) == 0 {
		return 0
	}
	for _, p := range got {
		if slices.ContainsFunc(want, func(w string) bool { return strings.EqualFold(w, p) }) {
			return 1
		}
	}
	return -1
}

// unsetRank is 0 for an unset field, -1 for one the trace's connection cannot match.
func unsetRank(set bool) int {
	if set {
		return -1
	}
	return 0
}
