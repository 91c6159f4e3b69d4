package realenvoy

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

// chainClient connects from inside the namespace to ADDR:PORT, sends a TLS ClientHello with
// SNI and ALPN (or, for plaintext, an HTTP/1.1 request line, which http_inspector reads as
// http/1.1, or other bytes) and prints what comes back: the direct_response of the chain Envoy chose.
const chainClient = `
import socket, ssl, sys
addr, port, mode, sni, alpn = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
s = socket.create_connection((addr, port), timeout=5)
if mode == "tls":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    if alpn: ctx.set_alpn_protocols(alpn.split(","))
    inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inb, outb, server_hostname=sni or None)
    try: obj.do_handshake()
    except ssl.SSLWantReadError: pass
    s.sendall(outb.read())
elif mode == "http":
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
else:
    s.sendall(b"\x00\x01 not tls, not http\r\n")
data = b""
try:
    while True:
        b = s.recv(4096)
        if not b: break
        data += b
except Exception: pass
sys.stdout.write(data.decode("latin1").strip() or "<closed>")
`

// TestFilterChainForIsEnvoys serves a listener whose chains each answer their own name
// (direct_response) to a real Envoy, connects with each kind of connection the trace models,
// and requires envoy.Listener.FilterChainFor, run on Envoy's own dump of that listener, to
// pick the chain Envoy picked.
func TestFilterChainForIsEnvoys(t *testing.T) {
	Require(t)
	chain := func(name string, match map[string]any) map[string]any {
		return map[string]any{"name": name, "filter_chain_match": match, "filters": []any{map[string]any{
			"name": "envoy.filters.network.direct_response", "typed_config": map[string]any{
				"@type":    "type.googleapis.com/envoy.extensions.filters.network.direct_response.v3.Config",
				"response": map[string]any{"inline_string": name}}}}}
	}
	listener := map[string]any{
		"name": "0.0.0.0_8443", "address": map[string]any{"socket_address": map[string]any{"address": "0.0.0.0", "port_value": 8443}},
		"listener_filters": []any{
			map[string]any{"name": "envoy.filters.listener.tls_inspector", "typed_config": map[string]any{"@type": "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector"}},
			map[string]any{"name": "envoy.filters.listener.http_inspector", "typed_config": map[string]any{"@type": "type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector"}},
		},
		"listener_filters_timeout": "1s",
		"filter_chains": []any{
			chain("own-ip", map[string]any{"prefix_ranges": []any{map[string]any{"address_prefix": "10.1.2.3", "prefix_len": 32}}}),
			chain("wide", map[string]any{"prefix_ranges": []any{map[string]any{"address_prefix": "10.0.0.0", "prefix_len": 8}}}),
			chain("exact-sni", map[string]any{"server_names": []any{"edition.cnn.com"}}),
			chain("wild-sni", map[string]any{"server_names": []any{"*.cnn.com"}}),
			chain("tls", map[string]any{"transport_protocol": "tls"}),
			chain("http", map[string]any{"transport_protocol": "raw_buffer", "application_protocols": []any{"http/1.1", "h2c"}}),
			chain("raw", map[string]any{"transport_protocol": "raw_buffer"}),
		},
		"default_filter_chain": chain("default", nil),
	}
	f := &Feed{Node: map[string]any{"id": "router~10.1.2.3~chainmatch.default~default.svc.cluster.local", "cluster": "chainmatch"},
		Listeners: []map[string]any{listener}}
	e := Start(t, f, Options{Minimal: true})
	for _, a := range []string{"10.1.2.3/32", "10.9.9.9/32", "192.0.2.7/32"} {
		if out, err := exec.Command("ip", "-n", e.ns, "addr", "add", a, "dev", "lo").CombinedOutput(); err != nil {
			t.Fatalf("ip addr add %s: %v: %s", a, err, out)
		}
	}
	e.Settle(t, 10*time.Second)
	body, _, err := e.Get("/config_dump")
	if err != nil {
		t.Fatal(err)
	}
	d, err := envoy.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	l := d.Listener("0.0.0.0_8443")
	if l == nil {
		t.Fatalf("real envoy did not take the listener: NACKs %v", e.Nacks())
	}
	for _, c := range []struct{ addr, mode, sni, alpn string }{
		{"10.1.2.3", "tls", "edition.cnn.com", ""}, // own IP beats every SNI
		{"10.9.9.9", "tls", "edition.cnn.com", ""}, // /8 prefix
		{"192.0.2.7", "tls", "edition.cnn.com", ""},
		{"192.0.2.7", "tls", "www.cnn.com", "h2,http/1.1"},
		{"192.0.2.7", "tls", "example.org", ""},
		{"192.0.2.7", "tls", "", ""},
		{"192.0.2.7", "http", "", ""},
		{"192.0.2.7", "raw", "", ""},
	} {
		t.Run(fmt.Sprintf("%s/%s/%s/%s", c.addr, c.mode, c.sni, c.alpn), func(t *testing.T) {
			out, err := exec.Command("ip", "netns", "exec", e.ns, "python3", "-c", chainClient, c.addr, "8443", c.mode, c.sni, c.alpn).CombinedOutput()
			if err != nil {
				t.Fatalf("client: %v: %s", err, out)
			}
			got := strings.TrimSpace(string(out))
			conn := envoy.Conn{DstIP: netip.MustParseAddr(c.addr), DstPort: 8443, SNI: c.sni, Transport: "tls"}
			switch c.mode {
			case "http":
				conn.Transport, conn.ALPN = "raw_buffer", []string{"http/1.1"}
			case "raw":
				conn.Transport = "raw_buffer"
			default:
				if c.alpn != "" {
					conn.ALPN = strings.Split(c.alpn, ",")
				}
			}
			want := "<none>"
			if fc := l.FilterChainFor(conn); fc != nil {
				want = fc.Name
			}
			if got != want {
				j, _ := json.Marshal(conn)
				t.Errorf("real envoy answered %q for %s, FilterChainFor picks %q", got, j, want)
			}
		})
	}
}
