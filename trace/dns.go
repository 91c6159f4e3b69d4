package trace

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	corev1 "k8s.io/api/core/v1"
)

// clientDNS is how the client pod resolves the traced host: its /etc/hosts (hostAliases)
// and its resolv.conf (dnsPolicy, dnsConfig). See mesh.ResolveHostAlias and mesh.ParseDNS
// for the kubelet rules they follow.
type clientDNS struct {
	// alias is set when hostAliases name the host: the client connects to alias.IP.
	alias *aliasDest
	conf  mesh.PodDNS
	// capture is true when Istio's DNS proxy answers the pod's queries (DNS capture on).
	capture bool
	// followed is true when the walk reaches the gateway at the alias address (no sidecar
	// routing on the way: uncaptured, or forwarded by PassthroughCluster).
	followed bool
}

// aliasDest is what the hostAliases address is in the snapshot.
type aliasDest struct {
	mesh.HostAlias
	// service is the Service whose cluster IP the address is, pod the pod whose IP it is.
	service *corev1.Service
	pod     *corev1.Pod
	// gateway is true when that Service or pod is an egress gateway.
	gateway bool
}

// resolveClientDNS reads the client pod's hostAliases and DNS settings for the host.
func (a *analysis) resolveClientDNS() clientDNS {
	if a.client == nil {
		return clientDNS{conf: mesh.PodDNS{Policy: corev1.DNSClusterFirst, Ndots: 5}}
	}
	d := clientDNS{conf: mesh.ParseDNS(a.client), capture: a.dnsCaptured()}
	if ha, ok := mesh.ResolveHostAlias(a.client, a.target.Host); ok {
		d.alias = a.describeAlias(ha)
	}
	return d
}

// dnsCaptured reports whether Istio's DNS proxy captures the client's DNS: the dump's node
// metadata, else the istio-proxy/istio-init env the injector rendered from proxyMetadata.
// istio-iptables then redirects DNS sent to the nameservers of the pod's own /etc/resolv.conf
// to the agent (tools/common/config/config.go reads it when RedirectDNS is set), and the
// agent answers mesh hosts and forwards the rest to those nameservers (pkg/dns/client/dns.go
// NewLocalDNSServer: "We will use the local resolv.conf for resolving unknown names").
func (a *analysis) dnsCaptured() bool {
	if d := a.dump(a.in.Client); d != nil && d.Node.DNSCapture {
		return true
	}
	b, err := strconv.ParseBool(mesh.ProxyEnv(a.client, "ISTIO_META_DNS_CAPTURE"))
	return err == nil && b
}

// describeAlias finds the Service or pod the alias address belongs to.
func (a *analysis) describeAlias(ha mesh.HostAlias) *aliasDest {
	d := &aliasDest{HostAlias: ha}
	if svc := serviceByIP(a.snap, ha.IP); svc != nil {
		d.service, d.gateway = svc, isGatewayService(a.snap, svc)
		return d
	}
	if p := podByIP(a.snap, ha.IP); p != nil {
		d.pod, d.gateway = p, isGatewayPod(a.snap, p)
	}
	return d
}

// serviceByIP returns the Service with cluster IP ip, or nil.
func serviceByIP(s *mesh.Snapshot, ip netip.Addr) *corev1.Service {
	for _, k := range mesh.SortedKeys(s.Services) {
		svc := s.Services[k]
		ips := append([]string{svc.Spec.ClusterIP}, svc.Spec.ClusterIPs...)
		for _, v := range ips {
			if ad, err := netip.ParseAddr(v); err == nil && ad == ip {
				return svc
			}
		}
	}
	return nil
}

// podByIP returns the pod with IP ip (not on the host network), or nil.
func podByIP(s *mesh.Snapshot, ip netip.Addr) *corev1.Pod {
	for _, k := range mesh.SortedKeys(s.Pods) {
		p := s.Pods[k]
		if p.Spec.HostNetwork {
			continue
		}
		ips := []string{p.Status.PodIP}
		for _, pi := range p.Status.PodIPs {
			ips = append(ips, pi.IP)
		}
		for _, v := range ips {
			if ad, err := netip.ParseAddr(v); err == nil && ad == ip {
				return p
			}
		}
	}
	return nil
}

// isGatewayPod reports whether the pod is a gateway: it runs Istio's proxy as a router
// (mesh.IsRouter), or a Gateway selects it.
func isGatewayPod(s *mesh.Snapshot, p *corev1.Pod) bool {
	if mesh.IsRouter(p) {
		return true
	}
	for _, k := range mesh.SortedKeys(s.Gateways) {
		if gatewaySelects(s.Gateways[k], p) {
			return true
		}
	}
	return false
}

// what names the alias address: "Service ns/name", "Pod ns/name" or "".
func (d *aliasDest) what() string {
	switch {
	case d.service != nil:
		return objName("Service", d.service.Namespace, d.service.Name)
	case d.pod != nil:
		return objName("Pod", d.pod.Namespace, d.pod.Name)
	}
	return ""
}

// detail is the client hop's account of the alias.
func (d *aliasDest) detail() string {
	s := "resolves " + d.Host + " via hostAliases to " + d.IP.String()
	if w := d.what(); w != "" {
		s += " (" + w + ")"
	}
	return s
}

// notes are the alias's caveats for the client hop.
func (d *aliasDest) notes() []string {
	var out []string
	if len(d.Others) > 0 {
		out = append(out, "hostAliases also give "+d.Host+" "+joinAddrs(d.Others)+"; the client may pick any of them")
	}
	if len(d.OwnHostsFile) > 0 {
		out = append(out, "containers "+strings.Join(d.OwnHostsFile, ", ")+" mount their own /etc/hosts: the kubelet writes no hostAliases into theirs")
	}
	return out
}

func joinAddrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, ad := range as {
		s[i] = ad.String()
	}
	return strings.Join(s, ", ")
}

// resolvesElsewhere reports whether the client asks nameservers other than cluster DNS and
// no Istio DNS proxy answers first: the address it connects to is then unknown to the trace.
func (d clientDNS) resolvesElsewhere() bool {
	return d.alias == nil && !d.conf.ClusterDNS() && !d.capture
}

// resolverNote describes where a client resolving elsewhere sends its queries.
func (d clientDNS) resolverNote() string {
	ns := "the node's resolv.conf nameservers"
	if d.conf.Policy == corev1.DNSNone {
		ns = "nameservers " + strings.Join(d.conf.Nameservers, ", ")
	} else if len(d.conf.Nameservers) > 0 {
		ns += " and " + strings.Join(d.conf.Nameservers, ", ")
	}
	return "dnsPolicy " + string(d.conf.Policy) + ": the pod resolves through " + ns + ", not cluster DNS; the address it connects to is unknown to this trace"
}

// resolverShort is the client hop's account of a resolver other than cluster DNS.
func (d clientDNS) resolverShort() string {
	via := "the node's nameservers"
	if d.conf.Policy == corev1.DNSNone {
		via = strings.Join(d.conf.Nameservers, ", ")
	}
	return "resolves via " + via + " (dnsPolicy " + string(d.conf.Policy) + "): address unknown"
}
