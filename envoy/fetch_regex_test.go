package envoy

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// dumpNames collects every listener and cluster name of the dumps in testdata.
func dumpNames(t *testing.T) (listeners, clusters []string) {
	t.Helper()
	files, _ := filepath.Glob("../testdata/scenarios/*/dumps/*/*.json")
	more, _ := filepath.Glob("../testdata/envoy/*.json")
	public, _ := filepath.Glob("../testdata/envoy/public/*.json")
	for _, f := range append(append(files, more...), public...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(b)
		if err != nil {
			continue // the unreadable fixtures
		}
		for _, l := range d.Listeners {
			listeners = append(listeners, l.Name)
		}
		for _, c := range d.Clusters {
			clusters = append(clusters, c.Name)
		}
	}
	if len(listeners) < 50 || len(clusters) < 100 {
		t.Fatalf("found %d listener and %d cluster names in testdata, want more", len(listeners), len(clusters))
	}
	return listeners, clusters
}

var targets = []struct {
	host string
	port int
}{
	{"edition.cnn.com", 80}, {"edition.cnn.com", 443}, {"edition.cnn.com", 0}, {"en.wikipedia.org", 443},
	{"my-nginx.mesh-external.svc.cluster.local", 80}, {"sleep.default.svc.cluster.local", 8080},
	{"httpbin.org", 443}, {"a.b", 1}, {"x-y.z", 65535},
}

// edgeClusterNames are names ForHost keeps that Istio rarely or never writes: the regex
// must match them all the same.
var edgeClusterNames = []string{
	"", "|", "||", "|||", "||||", "a|b", "a|b|c", "a|b|c|d|e", "outbound|80||", "inbound|8080||",
	"inbound-vip|80|http|", "outbound|x||other.org", "outbound|+80||other.org", "outbound|-1||other.org",
	"outbound|65536||other.org", "outbound|99999||other.org", "outbound|0065536||other.org", "outbound|1234567||other.org",
	"outbound|||other.org", "outboundx|80||other.org", "outbound-|80||other.org", "inbound-vipx|80||o", "in|80||o",
	"out|80||o", "o|80||o", "|80||other.org", "inbound-|80||o", "x|80||o", "Outbound|80||o", "outbound|80||\n",
	"outbound|80||*", "outbound|80||*.com", "outbound|80||*.cnn.com", "outbound|80||*n.cnn.com", "outbound|80||edition*",
	"outbound|80||edi*", "outbound|80||*.COM.", "outbound|80||edition.cnn.com.", "outbound|80||EDITION.cnn.com:80",
	"outbound|80||edition", "outbound|80||edition.cnn", "outbound|80||edition.cnn.:443", "outbound|443|v1|edition.cnn.com",
	"inbound|80|x|edition.cnn.com", "outbound|80||en", "outbound|80||my-nginx", "outbound|80||my-nginx.mesh-external",
}

// TestListenerRegex: the listener name_regex matches exactly the names ForHost keeps.
func TestListenerRegex(t *testing.T) {
	listeners, _ := dumpNames(t)
	listeners = append(listeners, "10.96.0.1_80", "10.96.0.1_8080", "[::]_443", "0.0.0.0_9443", "virtualOutbound", "x_80_", "_80", "80")
	for _, tt := range targets {
		keep := ForHost(tt.host, tt.port).Listener
		expr := listenerRegex(tt.port)
		if tt.port == 0 {
			if expr != "" {
				t.Errorf("listenerRegex(0) = %q, want none (every listener)", expr)
			}
			continue
		}
		re := fullMatch(expr)
		for _, n := range listeners {
			if got, want := re.MatchString(n), keep(n); got != want {
				t.Errorf("listenerRegex(%d) matches %q = %v, ForHost keeps it = %v", tt.port, n, got, want)
			}
		}
	}
}

// TestClusterRegex: the cluster name_regex matches every name ForHost keeps (it may match
// a few more), and none of the scaled dump's replicas for another host.
func TestClusterRegex(t *testing.T) {
	_, clusters := dumpNames(t)
	clusters = append(clusters, edgeClusterNames...)
	for _, tt := range targets {
		keep := ForHost(tt.host, tt.port).Cluster
		re := fullMatch(clusterRegex(tt.host))
		for _, n := range clusters {
			if keep(n) && !re.MatchString(n) {
				t.Errorf("clusterRegex(%q) misses %q, which ForHost keeps", tt.host, n)
			}
		}
		for _, n := range []string{"outbound|80||svc-7.ns-7.svc.cluster.local", "outbound|443||svc-7.ns-7.svc.cluster.local", "outbound|80|v1|other.org", "inbound|8080||other.org"} {
			if re.MatchString(n) {
				t.Errorf("clusterRegex(%q) matches %q, which a trace of it does not read", tt.host, n)
			}
		}
		if n := len(clusterRegex(tt.host)); n > 2000 {
			t.Errorf("clusterRegex(%q) is %d bytes long", tt.host, n)
		}
	}
}

func TestComplement(t *testing.T) {
	re := fullMatch(complement([]string{"outbound", "inbound", "inbound-vip"}))
	for _, s := range []string{"", "o", "out", "outbound-", "outboundx", "inbound-", "inbound-vi", "inbound-vipx", "x", "Inbound", "in-bound"} {
		if !re.MatchString(s) {
			t.Errorf("complement misses %q", s)
		}
	}
	for _, s := range []string{"outbound", "inbound", "inbound-vip", "a|b"} {
		if re.MatchString(s) {
			t.Errorf("complement matches %q", s)
		}
	}
}

func TestExactRegexes(t *testing.T) {
	var names []string
	for i := range 2000 {
		names = append(names, "outbound|443||svc-"+strconv.Itoa(i)+strings.Repeat("x", i%7)+".example.com")
	}
	res := exactRegexes(names)
	if len(res) < 2 {
		t.Fatalf("exactRegexes of %d names = %d regexes, want them split", len(names), len(res))
	}
	matched := 0
	for _, r := range res {
		if len(r) > maxRegexLen {
			t.Errorf("regex of %d bytes, want at most %d", len(r), maxRegexLen)
		}
		re := fullMatch(r)
		for _, n := range names {
			if re.MatchString(n) {
				matched++
			}
		}
		if re.MatchString("outbound|443||svc-.example.com") {
			t.Errorf("exact regex matches a name not listed")
		}
	}
	if matched != len(names) {
		t.Errorf("regexes match %d names, want each of the %d once", matched, len(names))
	}
}
