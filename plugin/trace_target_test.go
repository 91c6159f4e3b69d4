package plugin

import "testing"

func TestParseTarget(t *testing.T) {
	tests := []struct {
		arg, protocol string
		want          Target
	}{
		{"edition.cnn.com", "", Target{Host: "edition.cnn.com"}},
		{"Edition.CNN.com:443", "", Target{Host: "edition.cnn.com", Port: 443}},
		{"edition.cnn.com:8443", "tls", Target{Host: "edition.cnn.com", Port: 8443, Protocol: "tls"}},
		{"edition.cnn.com", "http", Target{Host: "edition.cnn.com", Port: 80, Protocol: "http"}},
		{"edition.cnn.com", "tls", Target{Host: "edition.cnn.com", Port: 443, Protocol: "tls"}},
		{"edition.cnn.com", "tcp", Target{Host: "edition.cnn.com", Protocol: "tcp"}},
		{"http://edition.cnn.com/politics", "", Target{Host: "edition.cnn.com", Port: 80, Protocol: "http", Path: "/politics"}},
		{"https://edition.cnn.com", "", Target{Host: "edition.cnn.com", Port: 443, Protocol: "https"}},
		{"https://edition.cnn.com", "tls", Target{Host: "edition.cnn.com", Port: 443, Protocol: "https"}},
		{"HTTPS://en.wikipedia.org:8443/wiki?x=1", "", Target{Host: "en.wikipedia.org", Port: 8443, Protocol: "https", Path: "/wiki?x=1"}},
		{"[2001:db8::1]:443", "", Target{Host: "2001:db8::1", Port: 443}},
		{"2001:db8::1", "", Target{Host: "2001:db8::1"}},
		{"*.wikipedia.org:443", "", Target{Host: "*.wikipedia.org", Port: 443}},
	}
	for _, tt := range tests {
		got, err := ParseTarget(tt.arg, tt.protocol)
		if err != nil || got != tt.want {
			t.Errorf("ParseTarget(%q, %q) = %+v, %v; want %+v", tt.arg, tt.protocol, got, err, tt.want)
		}
	}
}

func TestParseTargetErrors(t *testing.T) {
	tests := []struct{ arg, protocol, want string }{
		{"", "", "empty host: give HOST, HOST:PORT or a URL such as https://edition.cnn.com"},
		{"edition.cnn.com/politics", "", `"edition.cnn.com/politics" is not a host: give HOST, HOST:PORT or a URL with its scheme (https://edition.cnn.com/politics)`},
		{"edition.cnn.com:0", "", `invalid port "0" in "edition.cnn.com:0": want 1-65535`},
		{"edition.cnn.com:http", "", `invalid port "http" in "edition.cnn.com:http": want 1-65535`},
		{"edition.cnn.com:65536", "", `invalid port "65536" in "edition.cnn.com:65536": want 1-65535`},
		{"edition.cnn.com:-1", "", `invalid port "-1" in "edition.cnn.com:-1": want 1-65535`},
		{"edition.cnn.com:99999999999999999999", "", `invalid port "99999999999999999999" in "edition.cnn.com:99999999999999999999": want 1-65535`},
		{"[2001:db8::1]:70000", "", `invalid port "70000" in "[2001:db8::1]:70000": want 1-65535`},
		{"https://edition.cnn.com:70000/politics", "", `invalid port "70000" in "https://edition.cnn.com:70000/politics": want 1-65535`},
		{"https://", "", `invalid host in "https://"`},
		{"tcp://edition.cnn.com:443", "", `unsupported URL scheme "tcp" in "tcp://edition.cnn.com:443": use http:// or https://, or HOST:PORT with --protocol`},
		{"https://edition.cnn.com", "http", "--protocol http conflicts with the https:// URL"},
		{"edition.cnn.com", "grpc", `--protocol must be one of http|https|tls|tcp, got "grpc"`},
	}
	for _, tt := range tests {
		_, err := ParseTarget(tt.arg, tt.protocol)
		if err == nil || err.Error() != tt.want || ExitCode(err) != ExitUsage {
			t.Errorf("ParseTarget(%q, %q) error = %v (exit %d), want %q (exit %d)", tt.arg, tt.protocol, err, ExitCode(err), tt.want, ExitUsage)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {831488, "812 KB"}, {1677722, "1.6 MB"}} {
		if got := formatBytes(tt.n); got != tt.want {
			t.Errorf("formatBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
