package envoy

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// ForHost selects what a trace of host (a FQDN, lower-case) on port reads from a sidecar
// or egress gateway dump, by Istio's naming: the listeners on port (any address) plus the
// 0.0.0.0_* and virtual listeners (port 0 keeps every listener); the clusters for host or
// a wildcard covering it and those without an Istio name (PassthroughCluster, ...); every
// SDS secret; the virtual hosts whose domains could match host; and, through References,
// the route configs, clusters, secrets and endpoints those lead to.
func ForHost(host string, port int) Filter {
	host = strings.ToLower(host)
	suffix := "_" + strconv.Itoa(port)
	return Filter{
		Listener: func(name string) bool {
			return port == 0 || strings.HasSuffix(name, suffix) || anyPortListener(name)
		},
		RouteConfig: None,
		Cluster: func(name string) bool {
			n, ok := ParseClusterName(name)
			return !ok || n.Host == "" || domainCovers(n.Host, host)
		},
		Endpoints: None,
		VirtualHost: func(domains []string) bool {
			for _, d := range domains {
				if domainCovers(d, host) {
					return true
				}
			}
			return false
		},
		References: true,
	}
}

// anyPortListener reports whether ForHost keeps a listener whatever the port: 0.0.0.0_*
// and [::]_* (a sidecar's wildcard listeners, an egress gateway's on its targetPorts) and
// the virtual listeners.
func anyPortListener(name string) bool {
	return strings.HasPrefix(name, "0.0.0.0_") || strings.HasPrefix(name, "[::]_") || virtualListener(name)
}

// virtualListener reports whether a listener name has no underscore, as Istio's virtual
// listeners (virtualOutbound, virtualInbound) and no listener on an address and port.
func virtualListener(name string) bool { return !strings.Contains(name, "_") }

// vipListenerNames are the names of the listeners on port for addrs: <address>_<port>,
// the address as net/netip writes it, which is how the trace names the listener it looks
// up for the address a client connects to (trace/walk_sidecar.go, sidecarListener).
// Values that are not IP addresses (a ServiceEntry address in CIDR form) are skipped, as
// the trace skips them. Sorted, distinct.
func vipListenerNames(addrs []string, port int) []string {
	var out []string
	for _, s := range addrs {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, a.String()+"_"+strconv.Itoa(port))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// domainCovers reports whether an Envoy virtual host domain (or an Istio host) could
// match host: equal, "*", a "*.suffix" or "prefix*" wildcard, a short name of host, with
// or without a ":port" or a trailing dot. It errs on the side of true.
func domainCovers(domain, host string) bool {
	d := strings.ToLower(domain)
	if i := strings.LastIndexByte(d, ':'); i >= 0 && !strings.Contains(d, "]") {
		d = d[:i]
	}
	d = strings.TrimSuffix(d, ".")
	switch {
	case d == "*" || d == host:
		return true
	case strings.HasPrefix(d, "*"):
		return strings.HasSuffix(host, d[1:])
	case strings.HasSuffix(d, "*"):
		return strings.HasPrefix(host, d[:len(d)-1])
	}
	return strings.HasPrefix(host, d+".")
}
