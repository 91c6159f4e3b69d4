package mesh

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Annotations read from pods.
const (
	SidecarStatusAnnotation      = "sidecar.istio.io/status"
	IncludeOutboundIPRangesAnnot = "traffic.sidecar.istio.io/includeOutboundIPRanges"
	ExcludeOutboundIPRangesAnnot = "traffic.sidecar.istio.io/excludeOutboundIPRanges"
	IncludeOutboundPortsAnnot    = "traffic.sidecar.istio.io/includeOutboundPorts"
	ExcludeOutboundPortsAnnot    = "traffic.sidecar.istio.io/excludeOutboundPorts"
	proxyContainerName           = "istio-proxy"
)

// HasSidecar reports whether the pod runs an Istio sidecar: an istio-proxy container,
// a native sidecar init container of that name, or the injector's status annotation.
func HasSidecar(pod *corev1.Pod) bool {
	if _, ok := pod.Annotations[SidecarStatusAnnotation]; ok {
		return true
	}
	isProxy := func(c corev1.Container) bool { return c.Name == proxyContainerName }
	return slices.ContainsFunc(pod.Spec.Containers, isProxy) ||
		slices.ContainsFunc(pod.Spec.InitContainers, isProxy)
}

// Gateway API's label on the pods istiod deploys for a Gateway (<gateway>-istio).
const GatewayNameLabel = "gateway.networking.k8s.io/gateway-name"

// IsRouter reports whether the pod runs Istio's proxy as a gateway ("router" in Envoy's node
// id): an istio-proxy container started with `proxy router` (istioctl/helm gateways, and the
// gateway injection template once injected), or a pod istiod deployed for a Gateway API
// Gateway. See istio/istio pkg/config/constants (the router proxy type) and
// pilot/pkg/model.ParseServiceNodeWithMetadata (node type from the proxy's first argument).
func IsRouter(pod *corev1.Pod) bool {
	if _, ok := pod.Labels[GatewayNameLabel]; ok {
		return true
	}
	for _, c := range pod.Spec.Containers {
		if c.Name == proxyContainerName && len(c.Args) >= 2 && c.Args[0] == "proxy" && c.Args[1] == "router" {
			return true
		}
	}
	return false
}

// Capture is a pod's outbound traffic capture as set by the traffic.sidecar.istio.io
// annotations (istio-iptables rules). Absent includeOutboundIPRanges means "*".
type Capture struct {
	Sidecar         bool           `json:"sidecar"`
	IncludeAll      bool           `json:"includeAll"`
	IncludeIPRanges []netip.Prefix `json:"includeIPRanges,omitempty"`
	ExcludeIPRanges []netip.Prefix `json:"excludeIPRanges,omitempty"`
	IncludePorts    []int          `json:"includePorts,omitempty"`
	ExcludePorts    []int          `json:"excludePorts,omitempty"`
	// Errors lists annotation entries that could not be parsed (they are ignored).
	Errors []string `json:"errors,omitempty"`
}

// ParseCapture reads a pod's sidecar presence and capture annotations.
func ParseCapture(pod *corev1.Pod) Capture {
	c := Capture{Sidecar: HasSidecar(pod)}
	include, ok := pod.Annotations[IncludeOutboundIPRangesAnnot]
	if !ok {
		include = "*"
	}
	c.IncludeAll, c.IncludeIPRanges = c.parseRanges(IncludeOutboundIPRangesAnnot, include)
	_, c.ExcludeIPRanges = c.parseRanges(ExcludeOutboundIPRangesAnnot, pod.Annotations[ExcludeOutboundIPRangesAnnot])
	c.IncludePorts = c.parsePorts(IncludeOutboundPortsAnnot, pod.Annotations[IncludeOutboundPortsAnnot])
	c.ExcludePorts = c.parsePorts(ExcludeOutboundPortsAnnot, pod.Annotations[ExcludeOutboundPortsAnnot])
	return c
}

// Captures reports whether outbound traffic to addr:port is redirected to the sidecar,
// applying istio-iptables' order: excluded ports, included ports, excluded ranges,
// included ranges. reason names the deciding annotation.
func (c Capture) Captures(addr netip.Addr, port int) (bool, string) {
	switch {
	case !c.Sidecar:
		return false, "pod has no istio-proxy sidecar"
	case slices.Contains(c.ExcludePorts, port):
		return false, fmt.Sprintf("port %d is in %s", port, ExcludeOutboundPortsAnnot)
	case slices.Contains(c.IncludePorts, port):
		return true, fmt.Sprintf("port %d is in %s", port, IncludeOutboundPortsAnnot)
	}
	if p, ok := containing(c.ExcludeIPRanges, addr); ok {
		return false, fmt.Sprintf("%s is in %s %s", addr, ExcludeOutboundIPRangesAnnot, p)
	}
	if c.IncludeAll {
		return true, fmt.Sprintf("%s is \"*\"", IncludeOutboundIPRangesAnnot)
	}
	if p, ok := containing(c.IncludeIPRanges, addr); ok {
		return true, fmt.Sprintf("%s is in %s %s", addr, IncludeOutboundIPRangesAnnot, p)
	}
	return false, fmt.Sprintf("%s is not in %s", addr, IncludeOutboundIPRangesAnnot)
}

func containing(prefixes []netip.Prefix, addr netip.Addr) (netip.Prefix, bool) {
	for _, p := range prefixes {
		if p.Contains(addr.Unmap()) {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// parseRanges parses a comma-separated CIDR list; "*" means all.
func (c *Capture) parseRanges(annot, value string) (all bool, out []netip.Prefix) {
	for _, f := range splitList(value) {
		if f == "*" {
			all = true
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			c.Errors = append(c.Errors, fmt.Sprintf("%s: %q is not a CIDR", annot, f))
			continue
		}
		out = append(out, p.Masked())
	}
	return all, out
}

// parsePorts parses a comma-separated port list; "*" in includeOutboundPorts is not
// supported by Istio and is reported.
func (c *Capture) parsePorts(annot, value string) []int {
	var out []int
	for _, f := range splitList(value) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 65535 {
			c.Errors = append(c.Errors, fmt.Sprintf("%s: %q is not a port", annot, f))
			continue
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func splitList(value string) []string {
	var out []string
	for _, f := range strings.Split(value, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
