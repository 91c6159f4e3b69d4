package envoy

import "testing"

func TestMatchesSNI(t *testing.T) {
	tests := []struct {
		name        string
		serverNames []string
		sni         string
		want        bool
	}{
		{"no server names matches anything", nil, "edition.cnn.com", true},
		{"no server names matches no sni", nil, "", true},
		{"exact", []string{"edition.cnn.com"}, "edition.cnn.com", true},
		{"exact is case-insensitive", []string{"edition.cnn.com"}, "Edition.CNN.com", true},
		{"exact other host", []string{"edition.cnn.com"}, "www.cnn.com", false},
		{"wildcard one label", []string{"*.wikipedia.org"}, "en.wikipedia.org", true},
		{"wildcard several labels", []string{"*.wikipedia.org"}, "upload.en.wikipedia.org", true},
		{"wildcard does not match apex", []string{"*.wikipedia.org"}, "wikipedia.org", false},
		{"wildcard other domain", []string{"*.wikipedia.org"}, "en.wikipedia.com", false},
		{"empty sni against names", []string{"edition.cnn.com"}, "", false},
		{"one of several", []string{"a.com", "*.b.com"}, "x.b.com", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := FilterChain{Match: FilterChainMatch{ServerNames: tt.serverNames}}
			if got := fc.MatchesSNI(tt.sni); got != tt.want {
				t.Errorf("MatchesSNI(%q) with server_names %q = %v, want %v", tt.sni, tt.serverNames, got, tt.want)
			}
		})
	}
}

func TestFilterChainForSNI(t *testing.T) {
	l := Listener{
		FilterChains: []FilterChain{
			{Name: "wild", Match: FilterChainMatch{ServerNames: []string{"*.wikipedia.org"}}},
			{Name: "wild-en", Match: FilterChainMatch{ServerNames: []string{"*.en.wikipedia.org"}}},
			{Name: "exact", Match: FilterChainMatch{ServerNames: []string{"en.wikipedia.org"}}},
			{Name: "raw", Match: FilterChainMatch{TransportProtocol: "raw_buffer"}},
			{Name: "any-tls", Match: FilterChainMatch{TransportProtocol: "tls"}},
		},
		DefaultFilterChain: &FilterChain{Name: "default"},
	}
	tests := []struct{ sni, want string }{
		{"en.wikipedia.org", "exact"},
		{"upload.en.wikipedia.org", "wild-en"},
		{"de.wikipedia.org", "wild"},
		{"edition.cnn.com", "any-tls"},
	}
	for _, tt := range tests {
		t.Run(tt.sni, func(t *testing.T) {
			if got := l.FilterChainForSNI(tt.sni); got == nil || got.Name != tt.want {
				t.Errorf("FilterChainForSNI(%q) = %v, want chain %q", tt.sni, got, tt.want)
			}
		})
	}
	l.FilterChains = l.FilterChains[:3]
	if got := l.FilterChainForSNI("edition.cnn.com"); got == nil || got.Name != "default" {
		t.Errorf("FilterChainForSNI(%q) = %v, want the default chain", "edition.cnn.com", got)
	}
}

func TestVirtualHostFor(t *testing.T) {
	rc := RouteConfig{VirtualHosts: []VirtualHost{
		{Name: "any", Domains: []string{"*"}},
		{Name: "prefix", Domains: []string{"api.*"}},
		{Name: "suffix-short", Domains: []string{"*.org"}},
		{Name: "suffix-long", Domains: []string{"*.wikipedia.org"}},
		{Name: "dash-suffix", Domains: []string{"*-bar.example.com"}},
		{Name: "exact-port", Domains: []string{"edition.cnn.com:80"}},
		{Name: "exact", Domains: []string{"edition.cnn.com", "www.cnn.com:8080"}},
	}}
	tests := []struct {
		host string
		port int
		want string
	}{
		{"edition.cnn.com", 80, "exact-port"},
		{"edition.cnn.com", 443, "exact"},
		{"edition.cnn.com", 0, "exact"},
		{"EDITION.cnn.com", 0, "exact"},
		{"www.cnn.com", 8080, "exact"},
		{"en.wikipedia.org", 80, "suffix-long"},
		{"example.org", 80, "suffix-short"},
		{"wikipedia.org", 80, "suffix-short"},
		{"foo-bar.example.com", 80, "dash-suffix"},
		{"-bar.example.com", 80, "any"},
		{"api.example.com", 80, "prefix"},
		{"unknown.net", 80, "any"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got := rc.VirtualHostFor(tt.host, tt.port)
			if got == nil || got.Name != tt.want {
				t.Errorf("VirtualHostFor(%q, %d) = %v, want %q", tt.host, tt.port, got, tt.want)
			}
		})
	}
	empty := RouteConfig{VirtualHosts: []VirtualHost{{Name: "x", Domains: []string{"x.com"}}}}
	if got := empty.VirtualHostFor("y.com", 80); got != nil {
		t.Errorf("VirtualHostFor(%q, 80) = %v, want nil", "y.com", got)
	}
}
