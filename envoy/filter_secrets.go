package envoy

import (
	"bytes"
	"strings"
)

// ForCredentials is ForSecrets for the SDS secrets Istio names after the credentialNames
// given: kubernetes://NAME and kubernetes://NAME-cacert.
func ForCredentials(credentialNames []string) Filter {
	sds := make([]string, 0, 2*len(credentialNames))
	for _, n := range credentialNames {
		sds = append(sds, "kubernetes://"+n, "kubernetes://"+n+"-cacert")
	}
	return ForSecrets(sds)
}

// ForSecrets selects what a check of the SDS secrets named sds (kubernetes://NAME, as
// Istio names a credentialName's) reads from a dump: those secrets, and the clusters whose
// transport sockets could name them. Listeners, route configs and endpoints are not read.
// A cluster is kept when its JSON has a string equal to one of the names, or an escape
// that could spell one (\u, \/), so every cluster naming one of them is kept (the check
// reads the decoded clusters, it never misses one) and most others are never decoded.
func ForSecrets(sds []string) Filter {
	m := &sdsMatcher{names: map[string]bool{}, subs: [][]byte{[]byte(`\u`), []byte(`\/`)}}
	for _, n := range sds {
		m.names[n] = true
		if !strings.Contains(n, "://") {
			m.subs = append(m.subs, []byte(n))
		}
	}
	return Filter{
		Listener:    None,
		RouteConfig: None,
		Endpoints:   None,
		Cluster:     None,
		Secret:      func(name string) bool { return m.names[name] },
		ClusterJSON: m.mentions,
	}
}

// sdsMatcher finds the names in a cluster's JSON: a string holding "://" equal to one of
// names, or any of subs (the escapes that could spell a name, and names without "://").
type sdsMatcher struct {
	names map[string]bool
	subs  [][]byte
}

var schemeSep = []byte("://")

// mentions reports whether raw (JSON) could hold one of the names as a string value.
func (m *sdsMatcher) mentions(raw []byte) bool {
	if len(m.names) == 0 {
		return false
	}
	for _, k := range m.subs {
		if bytes.Contains(raw, k) {
			return true
		}
	}
	for i := 0; ; {
		j := bytes.Index(raw[i:], schemeSep)
		if j < 0 {
			return false
		}
		j += i
		end := bytes.IndexByte(raw[j:], '"')
		if end < 0 {
			return false
		}
		end += j
		// With no escapes in raw, the string holding "://" starts after the last quote.
		if start := bytes.LastIndexByte(raw[:j], '"') + 1; m.names[string(raw[start:end])] {
			return true
		}
		i = end
	}
}
