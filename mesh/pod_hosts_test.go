package mesh

import (
	"net/netip"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func withAliases(aliases ...corev1.HostAlias) podOpt {
	return func(p *corev1.Pod) { p.Spec.HostAliases = aliases }
}

func TestResolveHostAlias(t *testing.T) {
	gw := corev1.HostAlias{IP: "10.96.20.20", Hostnames: []string{"api.example.com", "Edition.CNN.com."}}
	ownHosts := func(p *corev1.Pod) {
		p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "hosts", MountPath: "/etc/hosts"}}
	}
	tests := []struct {
		name   string
		pod    *corev1.Pod
		host   string
		ok     bool
		ip     string
		others []string
		own    []string
	}{
		{"no aliases", newPod("a"), "edition.cnn.com", false, "", nil, nil},
		{"case and trailing dot ignored", newPod("a", withAliases(gw)), "edition.cnn.com", true, "10.96.20.20", nil, nil},
		{"other host (off path)", newPod("a", withAliases(gw)), "www.google.com", false, "", nil, nil},
		{"first line wins, later ones listed", newPod("a", withAliases(
			corev1.HostAlias{IP: "bad", Hostnames: []string{"edition.cnn.com"}},
			corev1.HostAlias{IP: "203.0.113.10", Hostnames: []string{"edition.cnn.com"}},
			corev1.HostAlias{IP: "2001:db8::1", Hostnames: []string{"edition.cnn.com"}},
			corev1.HostAlias{IP: "203.0.113.10", Hostnames: []string{"edition.cnn.com"}})),
			"edition.cnn.com", true, "203.0.113.10", []string{"2001:db8::1"}, nil},
		{"app mounts its own /etc/hosts", newPod("a", withAliases(gw), ownHosts), "edition.cnn.com", true, "10.96.20.20", nil, []string{"app"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ResolveHostAlias(tt.pod, tt.host)
			if ok != tt.ok {
				t.Fatalf("ResolveHostAlias(%q) ok = %v, want %v", tt.host, ok, tt.ok)
			}
			if !ok {
				return
			}
			var others []string
			for _, o := range got.Others {
				others = append(others, o.String())
			}
			if got.IP != netip.MustParseAddr(tt.ip) || !slices.Equal(others, tt.others) || !slices.Equal(got.OwnHostsFile, tt.own) {
				t.Errorf("ResolveHostAlias(%q) = %+v, want IP %s others %v own %v", tt.host, got, tt.ip, tt.others, tt.own)
			}
		})
	}
}

func TestParseDNS(t *testing.T) {
	five := "5"
	two := "2"
	cfg := func(policy corev1.DNSPolicy, hostNet bool, c *corev1.PodDNSConfig) podOpt {
		return func(p *corev1.Pod) { p.Spec.DNSPolicy, p.Spec.HostNetwork, p.Spec.DNSConfig = policy, hostNet, c }
	}
	none := &corev1.PodDNSConfig{Nameservers: []string{"192.0.2.53"}, Searches: []string{"corp.example.com"},
		Options: []corev1.PodDNSConfigOption{{Name: "ndots", Value: &two}, {Name: "edns0"}}}
	tests := []struct {
		name    string
		opt     podOpt
		policy  corev1.DNSPolicy
		cluster bool
		ndots   int
		ns      []string
	}{
		{"unset is ClusterFirst", cfg("", false, nil), corev1.DNSClusterFirst, true, 5, nil},
		{"unset on the host network falls back to Default", cfg("", true, nil), corev1.DNSDefault, false, -1, nil},
		{"ClusterFirst on the host network falls back to Default", cfg(corev1.DNSClusterFirst, true, nil), corev1.DNSDefault, false, -1, nil},
		{"ClusterFirstWithHostNet", cfg(corev1.DNSClusterFirstWithHostNet, true, nil), corev1.DNSClusterFirst, true, 5, nil},
		{"Default", cfg(corev1.DNSDefault, false, nil), corev1.DNSDefault, false, -1, nil},
		{"None with dnsConfig", cfg(corev1.DNSNone, false, none), corev1.DNSNone, false, 2, []string{"192.0.2.53"}},
		{"ClusterFirst with extra nameserver and ndots", cfg(corev1.DNSClusterFirst, false, &corev1.PodDNSConfig{
			Nameservers: []string{"192.0.2.53"}, Options: []corev1.PodDNSConfigOption{{Name: "ndots", Value: &five}}}), corev1.DNSClusterFirst, true, 5, []string{"192.0.2.53"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ParseDNS(newPod("a", tt.opt))
			if d.Policy != tt.policy || d.ClusterDNS() != tt.cluster || d.Ndots != tt.ndots || !slices.Equal(d.Nameservers, tt.ns) {
				t.Errorf("ParseDNS = %+v (cluster %v), want policy %s cluster %v ndots %d nameservers %v", d, d.ClusterDNS(), tt.policy, tt.cluster, tt.ndots, tt.ns)
			}
		})
	}
}

func TestProxyEnv(t *testing.T) {
	p := newPod("a", func(p *corev1.Pod) {
		p.Spec.Containers[1].Env = []corev1.EnvVar{{Name: "ISTIO_META_DNS_CAPTURE", Value: "true"}, {Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{}}}
		p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "APP_ONLY", Value: "x"}}
	})
	for name, want := range map[string]string{"ISTIO_META_DNS_CAPTURE": "true", "POD_NAME": "", "APP_ONLY": "", "MISSING": ""} {
		if got := ProxyEnv(p, name); got != want {
			t.Errorf("ProxyEnv(%q) = %q, want %q", name, got, want)
		}
	}
}
