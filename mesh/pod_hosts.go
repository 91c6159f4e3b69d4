package mesh

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// HostAlias is where a pod's /etc/hosts sends one host, as the kubelet writes the file.
//
// k8s.io/kubernetes pkg/kubelet/kubelet_pods.go: makeMounts mounts the managed hosts file into
// every container of a pod that has an IP or runs on the host network (shouldMountHostsFile),
// except a container that mounts its own volume on /etc/hosts. ensureHostsFile writes either
// managedHostsFileContent (localhost lines, the pod's own hostname, then the aliases) or, on
// the host network, the node's /etc/hosts followed by the aliases (nodeHostsFileContent); both
// end with hostsEntriesFromHostAliases: one "IP<TAB>name<TAB>name…" line per entry, in order.
// A resolver that reads /etc/hosts before DNS (glibc's and musl's default "files dns", Go's
// net package) answers from these lines, so the app connects to IP and never asks DNS.
type HostAlias struct {
	Host string     `json:"host"`
	IP   netip.Addr `json:"ip"`
	// Entry is the index in spec.hostAliases of the first line naming Host.
	Entry int `json:"entry"`
	// Others are further addresses later lines give Host; the resolver returns them too and
	// the client may pick any of them.
	Others []netip.Addr `json:"others,omitempty"`
	// OwnHostsFile lists containers that mount their own /etc/hosts: the kubelet writes no
	// aliases into theirs.
	OwnHostsFile []string `json:"ownHostsFile,omitempty"`
}

// etcHosts is the path the kubelet mounts the managed hosts file on.
const etcHosts = "/etc/hosts"

// ResolveHostAlias returns the address pod's spec.hostAliases give host, if any. Names
// compare case-insensitively and without a trailing dot, as resolvers read /etc/hosts.
// Entries whose IP does not parse are skipped (the API server rejects them).
func ResolveHostAlias(pod *corev1.Pod, host string) (HostAlias, bool) {
	if pod == nil {
		return HostAlias{}, false
	}
	want := normalHost(host)
	out := HostAlias{Host: want, Entry: -1}
	for i, ha := range pod.Spec.HostAliases {
		ip, err := netip.ParseAddr(strings.TrimSpace(ha.IP))
		if err != nil || !slices.ContainsFunc(ha.Hostnames, func(h string) bool { return normalHost(h) == want }) {
			continue
		}
		if out.Entry < 0 {
			out.IP, out.Entry = ip, i
		} else if ip != out.IP && !slices.Contains(out.Others, ip) {
			out.Others = append(out.Others, ip)
		}
	}
	if out.Entry < 0 {
		return HostAlias{}, false
	}
	out.OwnHostsFile = ownHostsFile(pod)
	return out, true
}

func normalHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
}

// ownHostsFile lists the app containers (not istio-proxy) that mount a volume on /etc/hosts.
func ownHostsFile(pod *corev1.Pod) []string {
	var out []string
	for _, c := range pod.Spec.Containers {
		if c.Name == proxyContainerName {
			continue
		}
		if slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == etcHosts }) {
			out = append(out, c.Name)
		}
	}
	return out
}

// PodDNS is a pod's resolver configuration as the kubelet builds resolv.conf.
//
// k8s.io/kubernetes pkg/kubelet/network/dns/dns.go: getPodDNSType maps dnsPolicy None to no
// base config, ClusterFirstWithHostNet and ClusterFirst (off the host network) to the cluster
// DNS servers with the <ns>.svc.<domain>, svc.<domain>, <domain> searches and "ndots:5"
// (GetPodDNS, defaultDNSOptions), and Default (or ClusterFirst on the host network) to the
// node's resolv.conf. appendDNSConfig then appends dnsConfig's nameservers and searches and
// merges its options over the base ones.
type PodDNS struct {
	// Policy is the effective policy: ClusterFirst, Default or None.
	Policy corev1.DNSPolicy `json:"policy"`
	// Declared is spec.dnsPolicy as written ("" when unset: the API server defaults ClusterFirst).
	Declared corev1.DNSPolicy `json:"declared,omitempty"`
	// Nameservers are dnsConfig's (after the cluster DNS servers for ClusterFirst).
	Nameservers []string `json:"nameservers,omitempty"`
	// Searches are dnsConfig's (after the cluster searches for ClusterFirst).
	Searches []string `json:"searches,omitempty"`
	// Ndots is the effective ndots option, -1 when it comes from the node's resolv.conf.
	Ndots int `json:"ndots"`
}

// ClusterDNS reports whether cluster DNS is the pod's first nameserver.
func (d PodDNS) ClusterDNS() bool { return d.Policy == corev1.DNSClusterFirst }

// ParseDNS reads a pod's dnsPolicy and dnsConfig.
func ParseDNS(pod *corev1.Pod) PodDNS {
	d := PodDNS{Declared: pod.Spec.DNSPolicy, Policy: effectiveDNSPolicy(pod), Ndots: -1}
	switch d.Policy {
	case corev1.DNSClusterFirst:
		d.Ndots = 5
	case corev1.DNSNone:
		d.Ndots = 1 // the resolver's default when resolv.conf has no ndots option
	}
	if c := pod.Spec.DNSConfig; c != nil {
		d.Nameservers = slices.Clone(c.Nameservers)
		d.Searches = slices.Clone(c.Searches)
		for _, o := range c.Options {
			if o.Name != "ndots" || o.Value == nil {
				continue
			}
			if n, err := strconv.Atoi(*o.Value); err == nil && n >= 0 {
				d.Ndots = n
			}
		}
	}
	return d
}

// effectiveDNSPolicy is getPodDNSType's mapping (dns.go): ClusterFirst on the host network
// falls back to Default; an unset policy is the API default, ClusterFirst.
func effectiveDNSPolicy(pod *corev1.Pod) corev1.DNSPolicy {
	switch pod.Spec.DNSPolicy {
	case corev1.DNSNone:
		return corev1.DNSNone
	case corev1.DNSClusterFirstWithHostNet:
		return corev1.DNSClusterFirst
	case corev1.DNSDefault:
		return corev1.DNSDefault
	}
	if pod.Spec.HostNetwork {
		return corev1.DNSDefault
	}
	return corev1.DNSClusterFirst
}

// ProxyEnv returns the value of env name on the pod's istio-proxy container ("" if unset or
// not a literal value). The injector renders meshConfig.defaultConfig.proxyMetadata and the
// proxy.istio.io/config annotation's proxyMetadata into these variables.
func ProxyEnv(pod *corev1.Pod, name string) string {
	for _, cs := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for _, c := range cs {
			if c.Name != proxyContainerName {
				continue
			}
			for _, e := range c.Env {
				if e.Name == name && e.ValueFrom == nil {
					return e.Value
				}
			}
		}
	}
	return ""
}
