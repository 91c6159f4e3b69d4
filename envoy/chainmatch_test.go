package envoy

import (
	"net/netip"
	"testing"
)

// TestFilterChainFor holds each rule of Envoy's filter_chain_match order to a table case
// (config.listener.v3.FilterChainMatch; filter_chain_manager_impl.cc findFilterChain).
func TestFilterChainFor(t *testing.T) {
	chain := func(name string, m FilterChainMatch) FilterChain { return FilterChain{Name: name, Match: m} }
	def := &FilterChain{Name: "default"}
	pod := netip.MustParseAddr("10.1.2.3")
	tests := []struct {
		name   string
		chains []FilterChain
		def    *FilterChain
		conn   Conn
		want   string // "" for nil
	}{
		{"destination port beats unset", []FilterChain{chain("any", FilterChainMatch{}), chain("443", FilterChainMatch{DestinationPort: 443})},
			nil, Conn{DstPort: 443, Transport: "tls"}, "443"},
		{"other port falls to unset", []FilterChain{chain("any", FilterChainMatch{}), chain("443", FilterChainMatch{DestinationPort: 443})},
			nil, Conn{DstPort: 80, Transport: "raw_buffer"}, "any"},
		{"pod's own IP chain not taken for another address (Istio ≤1.6 virtualOutbound)", []FilterChain{
			chain("blackhole-own-ip", FilterChainMatch{PrefixRanges: []string{"10.1.2.3/32"}}), chain("passthrough", FilterChainMatch{})},
			nil, Conn{DstIP: netip.MustParseAddr("93.184.216.34"), DstPort: 443, Transport: "tls"}, "passthrough"},
		{"unknown address is in no range", []FilterChain{
			chain("blackhole-own-ip", FilterChainMatch{PrefixRanges: []string{"10.1.2.3/32"}}), chain("passthrough", FilterChainMatch{})},
			nil, Conn{DstPort: 443}, "passthrough"},
		{"own IP takes its chain", []FilterChain{
			chain("blackhole-own-ip", FilterChainMatch{PrefixRanges: []string{"10.1.2.3/32"}}), chain("passthrough", FilterChainMatch{})},
			nil, Conn{DstIP: pod, DstPort: 443}, "blackhole-own-ip"},
		{"longest prefix wins", []FilterChain{
			chain("wide", FilterChainMatch{PrefixRanges: []string{"10.0.0.0/8"}}), chain("narrow", FilterChainMatch{PrefixRanges: []string{"10.1.0.0/16"}})},
			nil, Conn{DstIP: pod}, "narrow"},
		{"exact SNI beats wildcard beats none", []FilterChain{
			chain("none", FilterChainMatch{TransportProtocol: "tls"}), chain("wild", FilterChainMatch{ServerNames: []string{"*.cnn.com"}}),
			chain("exact", FilterChainMatch{ServerNames: []string{"edition.cnn.com"}})},
			nil, Conn{SNI: "edition.cnn.com", Transport: "tls"}, "exact"},
		{"wildcard SNI", []FilterChain{chain("none", FilterChainMatch{}), chain("wild", FilterChainMatch{ServerNames: []string{"*.cnn.com"}})},
			nil, Conn{SNI: "edition.cnn.com", Transport: "tls"}, "wild"},
		{"plaintext skips server_names chains", []FilterChain{chain("sni", FilterChainMatch{ServerNames: []string{"edition.cnn.com"}}), chain("plain", FilterChainMatch{})},
			nil, Conn{Transport: "raw_buffer"}, "plain"},
		{"transport protocol", []FilterChain{chain("tls", FilterChainMatch{TransportProtocol: "tls"}), chain("raw", FilterChainMatch{TransportProtocol: "raw_buffer"})},
			nil, Conn{Transport: "raw_buffer"}, "raw"},
		{"HTTP sniffed by ALPN, TCP otherwise", []FilterChain{
			chain("http", FilterChainMatch{ApplicationProtocols: []string{"http/1.1", "h2c"}}), chain("tcp", FilterChainMatch{})},
			nil, Conn{Transport: "raw_buffer", ALPN: []string{"http/1.1"}}, "http"},
		{"no ALPN takes the TCP chain", []FilterChain{
			chain("http", FilterChainMatch{ApplicationProtocols: []string{"http/1.1", "h2c"}}), chain("tcp", FilterChainMatch{})},
			nil, Conn{Transport: "raw_buffer"}, "tcp"},
		{"no backtracking: port captured, SNI rejected, default chain", []FilterChain{
			chain("443-sni", FilterChainMatch{DestinationPort: 443, ServerNames: []string{"a.example.com"}}), chain("any", FilterChainMatch{})},
			def, Conn{DstPort: 443, SNI: "b.example.com", Transport: "tls"}, "default"},
		{"nothing matches, no default", []FilterChain{chain("sni", FilterChainMatch{ServerNames: []string{"a.example.com"}})},
			nil, Conn{SNI: "b.example.com", Transport: "tls"}, ""},
		{"source ranges are not the pod's own connection", []FilterChain{
			chain("from-gw", FilterChainMatch{SourcePrefixRanges: []string{"10.9.0.0/16"}}), chain("any", FilterChainMatch{})},
			nil, Conn{}, "any"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &Listener{Name: "l", FilterChains: tt.chains, DefaultFilterChain: tt.def}
			got := ""
			if fc := l.FilterChainFor(tt.conn); fc != nil {
				got = fc.Name
			}
			if got != tt.want {
				t.Errorf("FilterChainFor(%+v) = %q, want %q", tt.conn, got, tt.want)
			}
		})
	}
}
