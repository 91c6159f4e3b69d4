package envoy

import (
	"encoding/json"
	"slices"
	"strconv"
)

// HostOption tells FetchForHost what it cannot learn from the proxy: the proxy's part in
// the trace and the addresses the client connects to.
type HostOption func(*hostOptions)

type hostOptions struct {
	client *PodRef  // WithClient's pod
	addrs  []string // WithClient's addresses
	pod    *PodRef  // the proxy read, when FetchAllForHost reads several
}

// WithClient names the pod the trace starts from and every address its client may connect
// to for the host: the host's ServiceEntry addresses and its Service's cluster IP (none
// when the host has neither). With it, FetchForHost reads only the listeners the trace
// can look up on the proxy, given the proxy's part in the trace, and the route configs
// and clusters these name:
//
//   - the client's sidecar (trace/walk_sidecar.go, sidecarListener): <address>_<port> for
//     addrs, else 0.0.0.0_<port>, else virtualOutbound; [::]_<port> and the other virtual
//     listeners come along. Not the other ports' 0.0.0.0_* listeners and route configs,
//     nor the VIP listeners of other Services and ServiceEntries on port;
//   - an egress gateway (trace/walk_gateway.go, check_gateway_port.go): 0.0.0.0_<targetPort>,
//     whose port the sidecar's cluster and the gateway Service decide, so every 0.0.0.0_*
//     and [::]_* listener, and the virtual ones; not the VIP listeners on port.
//
// The client's proxy is read as a sidecar only when its bootstrap says it is one (node id
// sidecar~...); any other (a trace from a gateway pod, which may also be the gateway the
// request goes through) gets both sets. The caller must not pass WithClient when the
// trace may walk a sidecar client as an egress gateway too: when a Service the trace
// takes for a gateway Service (labelled istio=egressgateway, named *egressgateway*, or
// selecting a pod a Gateway selects; trace/istio.go, isGatewayService) selects the client.
//
// FetchForHost reads one proxy: the client's unless OnPod names another pod, which is
// then read as an egress gateway; FetchAllForHost reads each pod so. A trace of port 0
// (any port) reads every listener, with or without WithClient.
func WithClient(pod PodRef, addrs ...string) HostOption {
	return func(o *hostOptions) {
		o.client = &pod
		o.addrs = append(o.addrs, addrs...)
	}
}

// OnPod names the pod whose proxy FetchForHost reads, so that WithClient can tell the
// client's proxy from the others; FetchAllForHost passes it for each pod.
func OnPod(p PodRef) HostOption { return func(o *hostOptions) { o.pod = &p } }

// listenerPlan is the listeners a fetch asks for: those whose names match base (a regex)
// or keepAny (the same as a predicate), and names exactly.
type listenerPlan struct {
	base    string
	keepAny func(string) bool
	names   []string
}

// everyListener is the plan of port 0: no name_regex.
var everyListener = listenerPlan{keepAny: func(string) bool { return true }}

func (p listenerPlan) regexes() []string {
	if p.base == "" {
		return []string{""}
	}
	return regexChunks(`(?s)`+p.base, p.names)
}

func (p listenerPlan) keep() func(string) bool {
	set := make(map[string]bool, len(p.names))
	for _, n := range p.names {
		set[n] = true
	}
	return func(name string) bool { return set[name] || p.keepAny(name) }
}

// planListeners decides the listeners to ask for once the bootstrap is read.
func (h *hostFetch) planListeners(bootstrap []byte) listenerPlan {
	o := h.opts
	switch {
	case h.port == 0:
		return everyListener
	case o.client == nil: // any listener on port may be the host's VIP listener
		return listenerPlan{base: portListenerRegex(h.port), keepAny: h.f.Listener}
	case o.pod != nil && *o.pod != *o.client: // an egress gateway
		return listenerPlan{base: anyPortListenerRegex, keepAny: anyPortListener}
	}
	vips := vipListenerNames(o.addrs, h.port)
	if bootstrapNodeType(bootstrap) != ProxySidecar {
		return listenerPlan{base: anyPortListenerRegex, keepAny: anyPortListener, names: vips}
	}
	p := strconv.Itoa(h.port)
	names := append(vips, "0.0.0.0_"+p, "[::]_"+p)
	slices.Sort(names)
	return listenerPlan{base: virtualListenerRegex, keepAny: virtualListener, names: slices.Compact(names)}
}

// bootstrapNodeType is the Istio proxy type in a bootstrap answer's node id; empty when
// it has none.
func bootstrapNodeType(body []byte) ProxyType {
	var top struct {
		Configs []struct {
			Bootstrap struct {
				Node struct {
					ID string `json:"id"`
				} `json:"node"`
			} `json:"bootstrap"`
		} `json:"configs"`
	}
	if json.Unmarshal(body, &top) != nil {
		return ""
	}
	for _, c := range top.Configs {
		if n, ok := ParseNodeID(c.Bootstrap.Node.ID); ok {
			return n.Type
		}
	}
	return ""
}
