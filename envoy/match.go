package envoy

import (
	"strconv"
	"strings"
)

// MatchesSNI reports whether the chain's server_names accept sni with
// Envoy's semantics: no server_names accepts anything; otherwise an exact
// name or a "*.suffix" wildcard covering one or more labels.
func (fc *FilterChain) MatchesSNI(sni string) bool {
	return fc.sniRank(sni) >= 0
}

// sniRank is how specifically the chain matches sni (serverNameRank).
func (fc *FilterChain) sniRank(sni string) int { return serverNameRank(fc.Match.ServerNames, sni) }

// serverNameRank is how specifically server_names match sni: -1 no match, 0 no
// server_names, 1+len(suffix) for a wildcard, 1<<20 for an exact name.
func serverNameRank(names []string, sni string) int {
	if len(names) == 0 {
		return 0
	}
	sni = strings.ToLower(strings.TrimSuffix(sni, "."))
	rank := -1
	for _, sn := range names {
		sn = strings.ToLower(sn)
		switch {
		case sn == sni:
			return 1 << 20
		case strings.HasPrefix(sn, "*.") && len(sni) > len(sn)-1 && strings.HasSuffix(sni, sn[1:]):
			rank = max(rank, len(sn))
		}
	}
	return rank
}

// FilterChainForSNI picks the chain Envoy would use for a TLS connection with
// this SNI, looking only at server_names (exact, then longest wildcard, then
// chains without server_names) among chains that match no other criteria
// than SNI and transport protocol tls. It falls back to the default chain.
func (l *Listener) FilterChainForSNI(sni string) *FilterChain {
	var found *FilterChain
	rank := -1
	for i := range l.FilterChains {
		fc := &l.FilterChains[i]
		if tp := fc.Match.TransportProtocol; tp != "" && tp != "tls" {
			continue
		}
		if r := fc.sniRank(sni); r > rank {
			found, rank = fc, r
		}
	}
	if found == nil {
		return l.DefaultFilterChain
	}
	return found
}

// VirtualHostFor returns the virtual host Envoy selects for an HTTP request
// to host on port: exact domain, then the longest "*suffix" wildcard, then
// the longest "prefix*" wildcard, then "*". Both "host:port" and "host" are
// tried at each level (port 0 tries host only). Nil if none matches.
func (rc *RouteConfig) VirtualHostFor(host string, port int) *VirtualHost {
	host = strings.ToLower(host)
	candidates := []string{host}
	if port > 0 && !strings.Contains(host, ":") {
		candidates = []string{host + ":" + strconv.Itoa(port), host}
	}
	for _, level := range []func(domain, host string) int{exactDomain, suffixDomain, prefixDomain, anyDomain} {
		for _, h := range candidates {
			if vh := rc.bestVirtualHost(h, level); vh != nil {
				return vh
			}
		}
	}
	return nil
}

func (rc *RouteConfig) bestVirtualHost(host string, level func(domain, host string) int) *VirtualHost {
	var found *VirtualHost
	rank := 0
	for i := range rc.VirtualHosts {
		for _, d := range rc.VirtualHosts[i].Domains {
			if r := level(strings.ToLower(d), host); r > rank {
				found, rank = &rc.VirtualHosts[i], r
			}
		}
	}
	return found
}

func exactDomain(d, host string) int {
	if d == host && !strings.Contains(d, "*") {
		return 1
	}
	return 0
}

// suffixDomain matches "*.example.com" / "*-bar.example.com": the wildcard
// must cover at least one character.
func suffixDomain(d, host string) int {
	if len(d) > 1 && d[0] == '*' && len(host) > len(d)-1 && strings.HasSuffix(host, d[1:]) {
		return len(d)
	}
	return 0
}

func prefixDomain(d, host string) int {
	if len(d) > 1 && d[len(d)-1] == '*' && len(host) > len(d)-1 && strings.HasPrefix(host, d[:len(d)-1]) {
		return len(d)
	}
	return 0
}

func anyDomain(d, _ string) int {
	if d == "*" {
		return 1
	}
	return 0
}
