package trace

import (
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

var checkCaptureUnmodelled = check{
	code: "EGR0712", level: LevelWarning, class: "G",
	title: "The client pod sets capture the trace does not model",
	doc: "The client pod uses `hostNetwork: true` (no sidecar capture, NetworkPolicies do not apply), sets " +
		"`sidecar.istio.io/interceptionMode: NONE` (no iptables redirect), or sets `proxy.istio.io/config`, which can " +
		"change its proxy's interception and DNS settings. The trace does not model these, so capture and the hops " +
		"after it are uncertain.",
	run: runCaptureUnmodelled,
}

// Pod annotations that change capture and proxy settings.
const (
	interceptionModeAnnot = "sidecar.istio.io/interceptionMode"
	proxyConfigAnnot      = "proxy.istio.io/config"
)

func runCaptureUnmodelled(a *analysis) []issue {
	p := a.client
	if p == nil {
		return nil
	}
	pod := objName("Pod", p.Namespace, p.Name)
	var out []issue
	add := func(s scope, does, kinds string, dumpShows bool) {
		if is, ok := a.unmodelled(pod, s, does, kinds, dumpShows); ok {
			out = append(out, is)
		}
	}
	if p.Spec.HostNetwork {
		add(scopeCapture, "uses hostNetwork: its traffic leaves from the node's network namespace", "host-network pods", false)
	}
	if m := p.Annotations[interceptionModeAnnot]; strings.EqualFold(m, "NONE") && mesh.HasSidecar(p) {
		add(scopeCapture, "sets "+interceptionModeAnnot+": "+m, "interceptionMode NONE", false)
	}
	if c := p.Annotations[proxyConfigAnnot]; c != "" {
		s, dumpShows := scopeClient, true
		if strings.Contains(c, "interceptionMode") || strings.Contains(c, "proxyMetadata") {
			s, dumpShows = scopeCapture, false
		}
		add(s, "sets "+proxyConfigAnnot, "per-pod proxy config", dumpShows)
	}
	return out
}
