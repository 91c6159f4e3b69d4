package plugin

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/trace"
)

// Target is the parsed HOST[:PORT] or URL argument of trace. Port 0 and Protocol "" leave
// the choice to the trace (ServiceEntry port; the protocol also from the client's
// listener on the port, else http on 80, tls on 443, tcp elsewhere).
type Target struct {
	Host     string
	Port     int
	Protocol string
	// Path is a URL's path and query ("" when the argument is no URL or has neither): the
	// routes are matched against it.
	Path string
}

// schemePorts are the URL schemes trace accepts, with their default ports.
var schemePorts = map[string]int{"http": 80, "https": 443}

// ParseTarget parses host, host:port, [v6]:port or an http(s) URL, and reconciles it with
// --protocol (protocol may be ""). Errors are usage errors naming the argument.
func ParseTarget(arg, protocol string) (Target, error) {
	switch protocol {
	case "", "http", "https", "tls", "tcp":
	default:
		return Target{}, usageErrorf("--protocol must be one of http|https|tls|tcp, got %q", protocol)
	}
	s := strings.TrimSpace(arg)
	if s == "" {
		return Target{}, usageErrorf("empty host: give HOST, HOST:PORT or a URL such as https://edition.cnn.com")
	}
	var t Target
	var err error
	if strings.Contains(s, "://") {
		t, err = parseURLTarget(s)
	} else {
		t, err = parseHostPort(s)
	}
	if err != nil {
		return Target{}, err
	}
	return withProtocol(t, protocol)
}

func parseURLTarget(s string) (Target, error) {
	u, err := url.Parse(s)
	if err != nil {
		return Target{}, usageErrorf("parse URL %q: %v", s, err)
	}
	scheme := strings.ToLower(u.Scheme)
	def, ok := schemePorts[scheme]
	if !ok {
		return Target{}, usageErrorf("unsupported URL scheme %q in %q: use http:// or https://, or HOST:PORT with --protocol", u.Scheme, s)
	}
	t := Target{Host: strings.ToLower(u.Hostname()), Port: def, Protocol: scheme}
	if u.Path != "" || u.RawQuery != "" {
		t.Path = u.RequestURI()
	}
	if p := u.Port(); p != "" {
		if t.Port, err = parsePort(p, s); err != nil {
			return Target{}, err
		}
	}
	return t, checkHost(t.Host, s)
}

func parseHostPort(s string) (Target, error) {
	if strings.ContainsAny(s, "/?#") {
		return Target{}, usageErrorf("%q is not a host: give HOST, HOST:PORT or a URL with its scheme (https://%s)", s, s)
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		// No port (or a bare IPv6 address).
		host = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
		return Target{Host: strings.ToLower(host)}, checkHost(host, s)
	}
	p, err := parsePort(port, s)
	if err != nil {
		return Target{}, err
	}
	return Target{Host: strings.ToLower(host), Port: p}, checkHost(host, s)
}

func parsePort(p, arg string) (int, error) {
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0, usageErrorf("invalid port %q in %q: want 1-65535", p, arg)
	}
	return n, nil
}

func checkHost(host, arg string) error {
	if host == "" || strings.ContainsAny(host, " \t@") {
		return usageErrorf("invalid host in %q", arg)
	}
	return nil
}

// withProtocol applies --protocol: it must agree with a URL scheme (tls with https is the
// same bytes on the wire), and picks the usual port when none was given.
func withProtocol(t Target, protocol string) (Target, error) {
	if protocol == "" {
		return t, nil
	}
	if t.Protocol != "" && t.Protocol != protocol && !(t.Protocol == "https" && protocol == "tls") {
		return Target{}, usageErrorf("--protocol %s conflicts with the %s:// URL", protocol, t.Protocol)
	}
	if t.Protocol == "" {
		t.Protocol = protocol
	}
	if t.Port == 0 {
		switch protocol {
		case "http":
			t.Port = 80
		case "https", "tls":
			t.Port = 443
		}
	}
	return t, nil
}

// thresholdRank orders --failure-threshold values; None ranks above every level.
func thresholdRank(s string) (int, bool) {
	switch strings.ToLower(s) {
	case "info":
		return 0, true
	case "warning":
		return 1, true
	case "error":
		return 2, true
	case "none":
		return 3, true
	}
	return 0, false
}

// thresholdError is a FindingsError when a finding of r reaches the threshold.
func thresholdError(r *trace.Report, threshold string) error {
	limit, _ := thresholdRank(threshold)
	n := 0
	for _, f := range r.Findings {
		if rank, ok := thresholdRank(string(f.Level)); ok && rank >= limit {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return &FindingsError{Count: n}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// formatBytes is a size for progress lines: 812 KB, 1.6 MB.
func formatBytes(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%d KB", (n+512)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}
