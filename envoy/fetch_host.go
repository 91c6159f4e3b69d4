package envoy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// AdminGet fetches one admin path, e.g. "/config_dump?mask=bootstrap", from one proxy.
type AdminGet func(ctx context.Context, path string) ([]byte, error)

// HostFetch is what FetchForHost read from one proxy.
type HostFetch struct {
	// Data is one /config_dump document: the parts a trace of the host reads, or the
	// whole dump when Full.
	Data []byte
	Full bool
	// Requests and Bytes count the admin requests made and the response bytes read.
	Requests int
	Bytes    int64
	// Note says why the whole dump was read, or what the admin ignored; empty when the
	// narrow fetch went as planned.
	Note string
}

// FullDumpQuery is the whole dump, endpoints included: what a trace reads without
// narrowing, and FetchForHost's fallback.
var FullDumpQuery = DumpQuery{IncludeEDS: true}

// The masks of the narrow fetch: each fits exactly one top-level dump type (without
// resource=, Envoy applies a mask to every dump type and leaves out those it does not fit),
// so the answers keep the /config_dump layout Parse reads.
const (
	maskBootstrap = "bootstrap"
	maskListeners = "static_listeners,dynamic_listeners"
	maskRoutes    = "static_route_configs,dynamic_route_configs"
	maskClusters  = "static_clusters,dynamic_active_clusters,dynamic_warming_clusters"
	maskEndpoints = "static_endpoint_configs,dynamic_endpoint_configs"
	maskSecrets   = "static_secrets,dynamic_active_secrets,dynamic_warming_secrets"
)

// FetchForHost reads from one proxy's Envoy admin what a trace of host (lower-case) on
// port reads, asking Envoy to narrow /config_dump with its own query parameters (mask,
// name_regex, include_eds) in a few requests: the bootstrap; the listeners ForHost keeps;
// the route configs they name; the clusters ForHost keeps and those the listeners and
// routes name; those clusters' endpoints; every SDS secret. Warming and rejected
// (error_state) resources come with their kind: Envoy filters them by name like active ones
// and always dumps rejected listeners. ParseFiltered(Data, ForHost(host, port)) then gives
// the trace what it gives over the whole dump.
//
// Without options it reads every listener on port (any may be the host's VIP listener)
// and every 0.0.0.0_* one, with what they name. WithClient says what the trace will look
// up on the proxy, and only that is read (fetch_host_listeners.go): a trace of the host
// reads the same listeners, route configs and clusters as over the whole dump.
//
// When the admin rejects a narrowed request (an Envoy without these parameters, a regex
// over its size limit) the whole dump is read instead, and Note says why. An admin that
// ignores mask= answers the first request with the whole dump, which is then used as is.
func FetchForHost(ctx context.Context, get AdminGet, host string, port int, opts ...HostOption) (HostFetch, error) {
	h := newHostFetch(ctx, get, host, port, opts)
	err := h.run()
	var rejected *AdminError
	switch {
	case errors.As(err, &rejected):
		return h.whole(fmt.Sprintf("the proxy admin rejected a narrowed /config_dump (%s)", err))
	case err != nil:
		return h.out, err
	}
	return h.out, nil
}

func newHostFetch(ctx context.Context, get AdminGet, host string, port int, opts []HostOption) *hostFetch {
	h := &hostFetch{ctx: ctx, get: get, f: ForHost(host, port), sel: newSelection(ForHost(host, port)), host: host, port: port}
	for _, opt := range opts {
		opt(&h.opts)
	}
	return h
}

type hostFetch struct {
	ctx  context.Context
	get  AdminGet
	f    Filter
	sel  *selection
	host string
	port int
	opts hostOptions
	// listeners is what to ask for, decided once the bootstrap is read.
	listeners  listenerPlan
	sections   [][]json.RawMessage // configs entries per request, in request order
	out        HostFetch
	regexNoted bool
}

// run makes the narrowed requests in dependency order; each step's references decide the
// next step's names.
func (h *hostFetch) run() error {
	body, err := h.request(DumpQuery{Mask: maskBootstrap, IncludeEDS: true})
	if err != nil {
		return err
	}
	if configs, ok := configsOf(body); !ok || slices.ContainsFunc(configs, func(c json.RawMessage) bool { return peekType(c) != adminV3+"BootstrapConfigDump" }) {
		h.out = HostFetch{Data: body, Full: true, Requests: h.out.Requests, Bytes: h.out.Bytes,
			Note: "the proxy admin ignored mask= (an Envoy without config_dump filtering) and sent the whole dump"}
		return nil
	}
	h.keep(body)
	h.listeners = h.planListeners(body)
	for _, step := range []func() error{h.fetchListeners, h.routes, h.clusters, h.endpoints, h.secrets} {
		if err := step(); err != nil {
			return err
		}
	}
	h.out.Data = h.document()
	return nil
}

func (h *hostFetch) fetchListeners() error {
	d, err := h.fetchParsed(maskListeners, h.listeners.regexes(), Filter{Listener: h.listeners.keep(), RouteConfig: None, Cluster: None, Endpoints: None, Secret: None})
	for i := range d.Listeners {
		h.sel.listenerRefs(&d.Listeners[i])
	}
	return err
}

func (h *hostFetch) routes() error {
	names := sortedNames(h.sel.refs[kindRoutes])
	if len(names) == 0 {
		return nil
	}
	d, err := h.fetchParsed(maskRoutes, exactRegexes(names), Filter{Listener: None, RouteConfig: h.named(kindRoutes), Cluster: None, Endpoints: None, Secret: None, VirtualHost: h.f.VirtualHost})
	for i := range d.RouteConfigs {
		h.sel.routeRefs(&d.RouteConfigs[i])
	}
	return err
}

// clusters asks for ForHost's clusters with clusterRegex and for the referenced ones by
// name, leaving out of the name lists those the first regex already matches.
func (h *hostFetch) clusters() error {
	hostRe := clusterRegex(h.host)
	re := fullMatch(hostRe)
	var rest []string
	for _, n := range sortedNames(h.sel.refs[kindClusters]) {
		if !re.MatchString(n) {
			rest = append(rest, n)
		}
	}
	regexes := regexChunks(hostRe, rest)
	asked := func(name string) bool { _, ok := slices.BinarySearch(rest, name); return ok || re.MatchString(name) }
	keep := func(name string) bool {
		if !asked(name) {
			h.noteRegexIgnored() // Envoy sent a cluster no regex matches
		}
		return h.f.Cluster(name) || h.sel.refs[kindClusters][name]
	}
	d, err := h.fetchParsed(maskClusters, regexes, Filter{Listener: None, RouteConfig: None, Cluster: keep, Endpoints: None, Secret: None})
	for i := range d.Clusters {
		h.sel.clusterRefs(&d.Clusters[i])
	}
	return err
}

// endpoints asks for the kept clusters' endpoints (include_eds). Envoy dumps no
// EndpointsConfigDump when it has no active cluster, and then answers the mask with 400:
// there are no endpoints to read, as in the whole dump.
func (h *hostFetch) endpoints() error {
	names := sortedNames(h.sel.refs[kindEndpoints])
	if len(names) == 0 {
		return nil
	}
	for _, re := range exactRegexes(names) {
		body, err := h.request(DumpQuery{Mask: maskEndpoints, NameRegex: re, IncludeEDS: true})
		if noSuchDump(err) {
			return nil
		}
		if err != nil {
			return err
		}
		h.keep(body)
	}
	return nil
}

// secrets asks for every SDS secret, as ForHost keeps them all.
func (h *hostFetch) secrets() error {
	body, err := h.request(DumpQuery{Mask: maskSecrets})
	if noSuchDump(err) {
		return nil
	}
	if err != nil {
		return err
	}
	h.keep(body)
	return nil
}

// fetchParsed requests one mask once per regex, keeps the answers and parses them with f
// (with no regexes: one request without name_regex).
func (h *hostFetch) fetchParsed(mask string, regexes []string, f Filter) (*Dump, error) {
	all := &Dump{}
	for _, re := range regexes {
		body, err := h.request(DumpQuery{Mask: mask, NameRegex: re})
		if noSuchDump(err) {
			continue // the proxy has no dump of this kind: none to read, as in the whole dump
		}
		if err != nil {
			return all, err
		}
		h.keep(body)
		d, err := ParseFiltered(body, f)
		if err != nil {
			return all, fmt.Errorf("read the answer to %s: %w", DumpQuery{Mask: mask}.Path(), err)
		}
		all.Listeners = append(all.Listeners, d.Listeners...)
		all.RouteConfigs = append(all.RouteConfigs, d.RouteConfigs...)
		all.Clusters = append(all.Clusters, d.Clusters...)
	}
	return all, nil
}

// named keeps the resources of kind referenced so far.
func (h *hostFetch) named(kind sectionKind) func(string) bool {
	return func(name string) bool { return h.sel.refs[kind][name] }
}

func (h *hostFetch) request(q DumpQuery) ([]byte, error) {
	h.out.Requests++
	body, err := h.get(h.ctx, q.Path())
	h.out.Bytes += int64(len(body))
	return body, err
}

func (h *hostFetch) keep(body []byte) {
	configs, _ := configsOf(body)
	h.sections = append(h.sections, configs)
}

func (h *hostFetch) noteRegexIgnored() {
	if !h.regexNoted {
		h.regexNoted = true
		h.out.Note = "the proxy admin ignored name_regex= (an older Envoy): whole sections were read"
	}
}

// whole reads the whole dump after a narrowed request failed.
func (h *hostFetch) whole(why string) (HostFetch, error) {
	body, err := h.request(FullDumpQuery)
	h.out.Data, h.out.Full, h.out.Note = body, true, why
	return h.out, err
}

// document joins the kept configs entries into one /config_dump.
func (h *hostFetch) document() []byte {
	var b bytes.Buffer
	b.WriteString(`{"configs":[`)
	n := 0
	for _, configs := range h.sections {
		for _, c := range configs {
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			b.Write(c)
		}
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

// configsOf splits an admin answer into its configs entries; false if it has none.
func configsOf(body []byte) ([]json.RawMessage, bool) {
	var top struct {
		Configs []json.RawMessage `json:"configs"`
	}
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, false
	}
	return top.Configs, top.Configs != nil
}

// noSuchDump reports Envoy's answer to a mask that fits no dump type it has (400) or to a
// resource it has none of (404).
func noSuchDump(err error) bool {
	var ae *AdminError
	return errors.As(err, &ae) && (ae.Code == http.StatusNotFound ||
		ae.Code == http.StatusBadRequest && strings.Contains(ae.Body, "could not be successfully applied to any configs"))
}

func sortedNames(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
