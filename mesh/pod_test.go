package mesh

import (
	"net/netip"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestHasSidecar(t *testing.T) {
	native := newPod("native", noSidecar(), func(p *corev1.Pod) {
		p.Spec.InitContainers = []corev1.Container{{Name: proxyContainerName}}
	})
	tests := []struct {
		name string
		pod  *corev1.Pod
		want bool
	}{
		{"istio-proxy container", newPod("a"), true},
		{"native sidecar init container", native, true},
		{"status annotation only", newPod("b", noSidecar(), withAnnotation(SidecarStatusAnnotation, `{"containers":["istio-proxy"]}`)), true},
		{"plain pod", newPod("c", noSidecar()), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HasSidecar(tt.pod); got != tt.want {
				t.Errorf("HasSidecar(%s) = %v, want %v", tt.pod.Name, got, tt.want)
			}
		})
	}
}

func TestCaptures(t *testing.T) {
	tests := []struct {
		name       string
		opts       []podOpt
		addr       string
		port       int
		want       bool
		wantReason string
	}{
		{name: "defaults capture all", addr: "151.101.1.67", port: 443, want: true, wantReason: `includeOutboundIPRanges is "*"`},
		{name: "no sidecar", opts: []podOpt{noSidecar()}, addr: "1.2.3.4", port: 80, want: false, wantReason: "no istio-proxy sidecar"},
		{name: "excluded range", opts: []podOpt{withAnnotation(ExcludeOutboundIPRangesAnnot, "10.0.0.0/8, 151.101.0.0/16")},
			addr: "151.101.1.67", port: 443, want: false, wantReason: "excludeOutboundIPRanges 151.101.0.0/16"},
		{name: "exclude beats include", opts: []podOpt{withAnnotation(IncludeOutboundIPRangesAnnot, "151.101.0.0/16"),
			withAnnotation(ExcludeOutboundIPRangesAnnot, "151.101.1.0/24")}, addr: "151.101.1.67", port: 443, want: false},
		{name: "include list hit", opts: []podOpt{withAnnotation(IncludeOutboundIPRangesAnnot, "10.96.0.0/12")},
			addr: "10.96.0.10", port: 80, want: true, wantReason: "in traffic.sidecar.istio.io/includeOutboundIPRanges 10.96.0.0/12"},
		{name: "include list miss", opts: []podOpt{withAnnotation(IncludeOutboundIPRangesAnnot, "10.96.0.0/12")},
			addr: "151.101.1.67", port: 443, want: false, wantReason: "is not in traffic.sidecar.istio.io/includeOutboundIPRanges"},
		{name: "empty include captures nothing", opts: []podOpt{withAnnotation(IncludeOutboundIPRangesAnnot, "")},
			addr: "151.101.1.67", port: 443, want: false},
		{name: "excluded port", opts: []podOpt{withAnnotation(ExcludeOutboundPortsAnnot, "443,8443")},
			addr: "151.101.1.67", port: 443, want: false, wantReason: "port 443 is in traffic.sidecar.istio.io/excludeOutboundPorts"},
		{name: "included port beats excluded range", opts: []podOpt{withAnnotation(IncludeOutboundPortsAnnot, "443"),
			withAnnotation(ExcludeOutboundIPRangesAnnot, "0.0.0.0/0")}, addr: "151.101.1.67", port: 443, want: true},
		{name: "ipv6 excluded", opts: []podOpt{withAnnotation(ExcludeOutboundIPRangesAnnot, "2a04:4e42::/32")},
			addr: "2a04:4e42::323", port: 443, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ParseCapture(newPod("sleep", tt.opts...))
			got, reason := c.Captures(netip.MustParseAddr(tt.addr), tt.port)
			if got != tt.want || !strings.Contains(reason, tt.wantReason) {
				t.Errorf("Captures(%s, %d) = %v, %q, want %v, %q", tt.addr, tt.port, got, reason, tt.want, tt.wantReason)
			}
			if len(c.Errors) != 0 {
				t.Errorf("ParseCapture errors = %v, want none", c.Errors)
			}
		})
	}
}

func TestParseCaptureErrors(t *testing.T) {
	c := ParseCapture(newPod("sleep", withAnnotation(ExcludeOutboundIPRangesAnnot, "10.0.0.1,10.0.0.0/8"),
		withAnnotation(ExcludeOutboundPortsAnnot, "http,70000,25")))
	want := `traffic.sidecar.istio.io/excludeOutboundIPRanges: "10.0.0.1" is not a CIDR|` +
		`traffic.sidecar.istio.io/excludeOutboundPorts: "http" is not a port|` +
		`traffic.sidecar.istio.io/excludeOutboundPorts: "70000" is not a port`
	if got := strings.Join(c.Errors, "|"); got != want {
		t.Errorf("ParseCapture errors = %q, want %q", got, want)
	}
	if len(c.ExcludeIPRanges) != 1 || len(c.ExcludePorts) != 1 || c.ExcludePorts[0] != 25 {
		t.Errorf("ParseCapture kept %v / %v, want the valid entries", c.ExcludeIPRanges, c.ExcludePorts)
	}
}
