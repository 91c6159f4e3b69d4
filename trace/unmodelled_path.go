package trace

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// scope is the part of the path an object the trace does not model can change.
type scope int

const (
	scopeCapture   scope = iota // whether anything captures the request at the client
	scopeClient                 // the client's sidecar config
	scopeGateway                // the egress gateway's config
	scopeRouting                // where the client's sidecar sends the host, and beyond
	scopeEndpoints              // the endpoints of the last cluster on the path
)

// place is where on the walked path a scope starts.
type place struct {
	hop      int
	proxy    string
	fromDump bool // the proxy's hops were read from its config dump
	// dumpEnds: routing whose every hop was read from dumps (the walk ends inside them).
	dumpEnds bool
}

// placeOf finds where scope s sits on the walked path; ok is false when the request never
// gets there (it does not enter the sidecar, or no gateway is on the path).
func (a *analysis) placeOf(s scope) (place, bool) {
	switch {
	case s == scopeCapture:
		return place{hop: 0, proxy: a.in.Client}, len(a.rep.Hops) > 0
	case a.side.proxy == "":
		return place{}, false // the request never enters the sidecar
	}
	switch s {
	case scopeClient:
		return place{hop: a.side.listenerHop, proxy: a.in.Client, fromDump: a.side.dump != nil}, a.side.listenerHop >= 0
	case scopeRouting:
		return a.routingPlace(), a.side.listenerHop >= 0
	case scopeGateway:
		if a.gw == nil || a.gw.listenerHop < 0 {
			return place{}, false
		}
		return place{hop: a.gw.listenerHop, proxy: a.gw.proxy, fromDump: a.gw.dump != nil}, true
	}
	if a.gw != nil && a.gw.clusterHop >= 0 {
		return place{hop: a.gw.clusterHop, proxy: a.gw.proxy}, true
	}
	return place{hop: a.side.clusterHop, proxy: a.in.Client}, a.side.clusterHop >= 0
}

// routingPlace is where routing the trace does not model (Gateway API) starts to matter:
// at the sidecar without its dump; with dumps, after the last hop read from one, since a
// dump shows the generated routes but the walk may not know where they lead.
func (a *analysis) routingPlace() place {
	p := place{hop: a.side.listenerHop, proxy: a.in.Client, fromDump: a.side.dump != nil}
	if !p.fromDump {
		return p
	}
	last := a.side.clusterHop
	if a.gw != nil && a.gw.dump != nil && a.gw.clusterHop >= 0 {
		last = a.gw.clusterHop
	}
	if last < 0 || last+1 >= len(a.rep.Hops) {
		p.dumpEnds = true
		return p
	}
	p.hop = last + 1
	return p
}

// unmodelled builds the Warning for object (what it does) at scope s. dumpShows says the
// object's effect is in what the walk reads from a dump: then a dump read for that proxy is
// the truth and the hops are not uncertain.
func (a *analysis) unmodelled(object string, s scope, does, kinds string, dumpShows bool) (issue, bool) {
	p, ok := a.placeOf(s)
	if !ok {
		return issue{}, false
	}
	is := issue{object: object, proxy: p.proxy, hop: p.hop, uncertain: true}
	is.message = fmt.Sprintf("%s %s; this trace does not model %s, so %s", object, does, kinds, consequence(s, p))
	if dumpShows && p.fromDump && (s != scopeRouting || p.dumpEnds) {
		is.uncertain = false
		is.message = fmt.Sprintf("%s %s; this trace does not model %s, but the hops of %s below are read from its config dump, which shows what Envoy does with it",
			object, does, kinds, p.proxy)
	}
	is.fix = "check these hops against the proxy's own config (istioctl proxy-config) before relying on the verdict"
	return is, true
}

func consequence(s scope, p place) string {
	switch s {
	case scopeCapture:
		return "whether the request is captured, and every hop below, may not be what happens"
	case scopeClient:
		return "the sidecar hops below may not be what Envoy does"
	case scopeGateway:
		return "the gateway hops below may not be what Envoy does"
	case scopeRouting:
		if p.fromDump {
			return "the proxies' hops are read from their config dumps, but where the last cluster leads may not be what the hops below show"
		}
		return "the routes below may not be where the sidecar sends the request"
	}
	return "the endpoints of the cluster below may not be where the request goes"
}

// rootNamespace is the mesh root namespace, where a selector-less policy applies to all.
func (a *analysis) rootNamespace() string {
	if r := a.snap.Mesh.RootNamespace; r != "" {
		return r
	}
	return a.snap.IstioNamespace
}

// selects reports whether a namespaced policy with a workload selector (Istio's rules:
// selector-less in the root namespace applies to every pod, in a namespace to its pods)
// applies to pod. Policies with targetRefs attach to Gateway API objects, not to pods.
func (a *analysis) selects(o *mesh.Other, pod *corev1.Pod) bool {
	if pod == nil || len(o.TargetRefs) > 0 || (o.Namespace != pod.Namespace && o.Namespace != a.rootNamespace()) {
		return false
	}
	return len(o.Selector) == 0 || labels.SelectorFromSet(o.Selector).Matches(labels.Set(pod.Labels))
}

// pathGatewayPod is the egress gateway pod on the walked path, or nil.
func (a *analysis) pathGatewayPod() *corev1.Pod {
	if a.gw == nil {
		return nil
	}
	return a.snap.Pods[a.gw.proxy]
}

// othersOf lists the recorded objects of the given kinds, in order.
func (a *analysis) othersOf(group string, kinds ...string) []*mesh.Other {
	var out []*mesh.Other
	for _, o := range a.snap.SortedOthers() {
		if o.Group == group && slices.Contains(kinds, o.Kind) {
			out = append(out, o)
		}
	}
	return out
}

// proxyIssues reports o once for the client's sidecar and once for the gateway when it
// selects their pods.
func (a *analysis) proxyIssues(o *mesh.Other, client, gateway bool, does func(proxy string) string, kinds string, dumpShows bool) []issue {
	var out []issue
	if client && a.selects(o, a.client) {
		if is, ok := a.unmodelled(o.String(), scopeClient, does("the sidecar of "+a.in.Client), kinds, dumpShows); ok {
			out = append(out, is)
		}
	}
	if gw := a.pathGatewayPod(); gateway && a.selects(o, gw) {
		if is, ok := a.unmodelled(o.String(), scopeGateway, does("the egress gateway "+a.gw.proxy), kinds, dumpShows); ok {
			out = append(out, is)
		}
	}
	return out
}

// plural names a kind's objects: "WorkloadEntries", "EnvoyFilters".
func plural(kind string) string {
	if s, ok := strings.CutSuffix(kind, "y"); ok {
		return s + "ies"
	}
	return kind + "s"
}
