package trace

import (
	"reflect"
	"slices"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	corev1 "k8s.io/api/core/v1"
)

// alias gives the scenario's client pod a hostAliases entry.
func alias(ip string, hosts ...string) func(t *testing.T, in *Input) {
	return func(t *testing.T, in *Input) {
		p := clientPod(t, in)
		p.Spec.HostAliases = append(p.Spec.HostAliases, corev1.HostAlias{IP: ip, Hostnames: hosts})
	}
}

// withEdits applies edits in order.
func withEdits(edits ...func(t *testing.T, in *Input)) func(t *testing.T, in *Input) {
	return func(t *testing.T, in *Input) {
		for _, e := range edits {
			e(t, in)
		}
	}
}

func clientPod(t *testing.T, in *Input) *corev1.Pod {
	t.Helper()
	p := in.Snapshot.Pods[in.Client]
	if p == nil {
		t.Fatalf("snapshot has no client pod %s", in.Client)
	}
	return p
}

// annotate sets an annotation on the client pod.
func annotate(k, v string) func(t *testing.T, in *Input) {
	return func(t *testing.T, in *Input) { clientPod(t, in).Annotations[k] = v }
}

// dnsCaptureEnv sets ISTIO_META_DNS_CAPTURE on the client's istio-proxy, as the injector
// renders proxyMetadata.
func dnsCaptureEnv(t *testing.T, in *Input) {
	p := clientPod(t, in)
	for i := range p.Spec.Containers {
		if p.Spec.Containers[i].Name == "istio-proxy" {
			p.Spec.Containers[i].Env = append(p.Spec.Containers[i].Env, corev1.EnvVar{Name: "ISTIO_META_DNS_CAPTURE", Value: "true"})
			return
		}
	}
	t.Fatal("client has no istio-proxy container")
}

func dnsPolicy(p corev1.DNSPolicy, hostNetwork bool) func(t *testing.T, in *Input) {
	return func(t *testing.T, in *Input) {
		pod := clientPod(t, in)
		pod.Spec.DNSPolicy, pod.Spec.HostNetwork = p, hostNetwork
	}
}

func noDumps(t *testing.T, in *Input) { in.Dumps = nil }

const (
	gwVIP      = "10.96.20.20"
	clientPodO = "Pod " + scenarioClient
)

func TestDNSChecks(t *testing.T) {
	cnn := "edition.cnn.com"
	runCheckCases(t, []checkCase{
		// EGR0510: a fixed address that is no gateway.
		{name: "passthrough to the pinned address", code: "EGR0510", scenario: "hostaliases-fixed-ip", host: cnn, port: 443, object: clientPodO},
		{name: "pinned under a DNS ServiceEntry", code: "EGR0510", scenario: "registry-only-with-se", host: cnn, port: 443, edit: alias("203.0.113.10", cnn), object: clientPodO},
		{name: "no sidecar, pinned", code: "EGR0510", unit: []string{}, host: cnn, port: 443, edit: func(t *testing.T, in *Input) {
			in.Client = "default/sleep-plain"
			alias("203.0.113.10", cnn)(t, in)
		}, object: "Pod default/sleep-plain"},
		{name: "alias for another host (off path)", code: "EGR0510", scenario: "allow-any", host: cnn, port: 443, edit: alias("203.0.113.10", "api.example.com"), absent: true},
		{name: "no hostAliases", code: "EGR0510", scenario: "allow-any", host: cnn, port: 443, absent: true},
		{name: "gateway address is EGR0511's", code: "EGR0510", scenario: "hostaliases-sidecar-to-gateway", host: cnn, port: 443, absent: true},

		// EGR0511: the gateway's VIP listener (or PassthroughCluster) instead of the host's routing.
		{name: "TLS to the gateway VIP", code: "EGR0511", scenario: "hostaliases-sidecar-to-gateway", host: cnn, port: 443, object: clientPodO, proxy: scenarioClient},
		{name: "TLS to the gateway VIP, no dumps", code: "EGR0511", scenario: "hostaliases-sidecar-to-gateway", host: cnn, port: 443, edit: noDumps, object: clientPodO},
		{name: "HTTP to the gateway VIP routes by Host", code: "EGR0511", scenario: "gateway-http", host: cnn, port: 80, edit: alias(gwVIP, cnn), absent: true},
		{name: "passthrough to the gateway VIP", code: "EGR0511", scenario: "allow-any", host: cnn, port: 80, edit: alias(gwVIP, cnn), object: clientPodO},

		// EGR0512: the alias changes nothing, the sidecar routes by name.
		{name: "HTTP to the gateway VIP", code: "EGR0512", scenario: "gateway-http", host: cnn, port: 80, edit: alias(gwVIP, cnn), object: clientPodO},
		{name: "HTTP to the gateway VIP, no dumps", code: "EGR0512", scenario: "gateway-http", host: cnn, port: 80, edit: withEdits(alias(gwVIP, cnn), noDumps), object: clientPodO},
		{name: "TLS to the VIP listener", code: "EGR0512", scenario: "hostaliases-sidecar-to-gateway", host: cnn, port: 443, absent: true},

		// EGR0513: not captured, but sent to the gateway.
		{name: "no sidecar", code: "EGR0513", scenario: "hostaliases-no-sidecar-to-gateway", host: cnn, port: 80, object: clientPodO},
		{name: "excluded by excludeOutboundIPRanges", code: "EGR0513", scenario: "gateway-http", host: cnn, port: 80,
			edit: withEdits(alias(gwVIP, cnn), annotate(mesh.ExcludeOutboundIPRangesAnnot, "10.96.0.0/16")), object: clientPodO},
		{name: "no sidecar, fixed address", code: "EGR0513", scenario: "hostaliases-fixed-ip", host: cnn, port: 443, absent: true},
		{name: "sidecar captures", code: "EGR0513", scenario: "hostaliases-sidecar-to-gateway", host: cnn, port: 443, absent: true},

		// EGR0514/EGR0515/EGR0516: resolv.conf.
		{name: "dnsPolicy None", code: "EGR0514", scenario: "dns-policy-none", host: cnn, port: 80, object: clientPodO},
		{name: "dnsPolicy Default", code: "EGR0514", scenario: "gateway-http", host: cnn, port: 80, edit: dnsPolicy(corev1.DNSDefault, false), object: clientPodO},
		{name: "ClusterFirst on the host network", code: "EGR0514", scenario: "gateway-http", host: cnn, port: 80, edit: dnsPolicy(corev1.DNSClusterFirst, true), object: clientPodO},
		{name: "ClusterFirstWithHostNet", code: "EGR0514", scenario: "gateway-http", host: cnn, port: 80, edit: dnsPolicy(corev1.DNSClusterFirstWithHostNet, true), absent: true},
		{name: "ClusterFirst", code: "EGR0514", scenario: "gateway-http", host: cnn, port: 80, absent: true},
		{name: "None with DNS capture", code: "EGR0514", scenario: "dns-policy-none", host: cnn, port: 80, edit: dnsCaptureEnv, absent: true},
		{name: "hostAliases decide first", code: "EGR0514", scenario: "dns-policy-none", host: cnn, port: 80, edit: alias(gwVIP, cnn), absent: true},
		{name: "None with DNS capture", code: "EGR0515", scenario: "dns-policy-none", host: cnn, port: 80, edit: dnsCaptureEnv, object: clientPodO},
		{name: "None without DNS capture", code: "EGR0515", scenario: "dns-policy-none", host: cnn, port: 80, absent: true},
		{name: "searches before a 2-dot host", code: "EGR0516", scenario: "dns-policy-none", host: cnn, port: 80, object: clientPodO},
		{name: "host with enough dots", code: "EGR0516", scenario: "dns-policy-none", host: "a.b.edition.cnn.com", port: 80, absent: true},
		{name: "no dnsConfig searches", code: "EGR0516", scenario: "gateway-http", host: cnn, port: 80, absent: true},

		// EGR0517: a gateway pod IP skips the Service's port mapping.
		{name: "pod IP on the Service port", code: "EGR0517", scenario: "hostaliases-no-sidecar-to-gateway-pod", host: cnn, port: 80, object: clientPodO, proxy: scenarioGateway},
		{name: "pod IP on the listener port", code: "EGR0517", scenario: "hostaliases-no-sidecar-to-gateway-pod", host: cnn, port: 8080, absent: true},
		{name: "Service cluster IP", code: "EGR0517", scenario: "hostaliases-no-sidecar-to-gateway", host: cnn, port: 80, absent: true},
	})
}

// TestDNSWalk asserts where the walk goes for the alias cases the scenarios do not hold.
func TestDNSWalk(t *testing.T) {
	cnn := "edition.cnn.com"
	tests := []struct {
		name string
		tc   checkCase
		want VerdictKind
		hops []string
	}{
		{"HTTP to the gateway VIP keeps the Host route", checkCase{scenario: "gateway-http", host: cnn, port: 80, edit: alias(gwVIP, cnn)}, ViaGateway,
			[]string{scenarioClient, "0.0.0.0_80", "80", "outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local", "0.0.0.0_8080", "http.8080", "outbound|80||edition.cnn.com", "edition.cnn.com:80"}},
		{"excluded range: straight to the gateway", checkCase{scenario: "gateway-http", host: cnn, port: 80, edit: withEdits(alias(gwVIP, cnn), annotate(mesh.ExcludeOutboundIPRangesAnnot, "10.96.0.0/16"))}, ViaGateway,
			[]string{scenarioClient, "0.0.0.0_8080", "http.8080", "outbound|80||edition.cnn.com", "edition.cnn.com:80"}},
		{"passthrough to the gateway VIP", checkCase{scenario: "allow-any", host: cnn, port: 80, edit: alias(gwVIP, cnn)}, Blocked, nil},
		{"gateway pod IP, no dumps: Service port is not listened on", checkCase{scenario: "hostaliases-no-sidecar-to-gateway-pod", host: cnn, port: 80, edit: noDumps}, Blocked, []string{scenarioClient, "0.0.0.0_80"}},
		{"gateway pod IP, no dumps, port translation off", checkCase{scenario: "hostaliases-no-sidecar-to-gateway-pod", host: cnn, port: 80, edit: withEdits(noDumps, func(t *testing.T, in *Input) {
			in.Snapshot.Services["istio-system/istio-egressgateway"].Labels[noPortTranslation] = "true"
		})}, ViaGateway, nil},
		{"gateway Service without the port", checkCase{scenario: "hostaliases-no-sidecar-to-gateway", host: cnn, port: 8080}, Blocked, []string{scenarioClient}},
		{"no sidecar, fixed address", checkCase{unit: []string{}, host: cnn, port: 443, edit: func(t *testing.T, in *Input) {
			in.Client = "default/sleep-plain"
			alias("203.0.113.10", cnn)(t, in)
		}}, Bypass, []string{"default/sleep-plain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Run(tt.tc.input(t))
			if rep.Verdict.Kind != tt.want {
				t.Errorf("Verdict.Kind = %q (%s), want %q", rep.Verdict.Kind, rep.Verdict.Summary, tt.want)
			}
			if got := hopNames(rep); tt.hops != nil && !slices.Equal(got, tt.hops) {
				t.Errorf("hops = %q, want %q", got, tt.hops)
			}
		})
	}
}

// TestDNSProxiesAndFetch: the live load reads the gateway reached through hostAliases and
// asks the client's proxy for the alias address's VIP listener.
func TestDNSProxiesAndFetch(t *testing.T) {
	in := loadScenario(t, "../testdata/scenarios/hostaliases-no-sidecar-to-gateway")
	if got := ProxiesNeeded(in.Snapshot, "edition.cnn.com", 80, scenarioClient); !slices.Contains(got, scenarioGateway) {
		t.Errorf("ProxiesNeeded(no sidecar, alias to gateway) = %q, want %s in it", got, scenarioGateway)
	}
	in = loadScenario(t, "../testdata/scenarios/hostaliases-sidecar-to-gateway")
	in.Host, in.Port = "edition.cnn.com", 443
	a := newAnalysis(in)
	if ad := a.destinationAddr(); ad.String() != gwVIP {
		t.Errorf("destinationAddr() = %v, want %s (hostAliases)", ad, gwVIP)
	}
	if opts := FetchOptions(in); len(opts) != 1 {
		t.Errorf("FetchOptions = %d options, want 1 (WithClient with the alias address)", len(opts))
	}
}

// TestDNSOffPath: a hostAliases entry for another host changes nothing in the report.
func TestDNSOffPath(t *testing.T) {
	for _, sc := range []struct {
		scenario string
		port     int
	}{{"gateway-http", 80}, {"gateway-tls-passthrough", 443}, {"allow-any", 443}, {"registry-only-with-se", 443}} {
		t.Run(sc.scenario, func(t *testing.T) {
			base := checkCase{scenario: sc.scenario, host: "edition.cnn.com", port: sc.port}
			want := Run(base.input(t))
			base.edit = alias(gwVIP, "api.example.com", "edition.cnn.com.example.org")
			if got := Run(base.input(t)); !reflect.DeepEqual(got, want) {
				t.Errorf("Run with an alias for other hosts = %+v\nwant the report without it: %+v", got, want)
			}
		})
	}
}
