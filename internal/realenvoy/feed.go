package realenvoy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// Feed is what a saved config dump gives a real Envoy: the bootstrap's node, and the dynamic
// resources to re-serve over xDS, with Istio-only extensions removed (Removals) and the
// harness's own additions listed (Supplied).
type Feed struct {
	Bootstrap map[string]any   // the dump's bootstrap (nil when the dump has none)
	Node      map[string]any   // bootstrap.node
	Listeners []map[string]any // envoy.config.listener.v3.Listener, JSON
	Clusters  []map[string]any // envoy.config.cluster.v3.Cluster
	Routes    []map[string]any // envoy.config.route.v3.RouteConfiguration
	Endpoints []map[string]any // envoy.config.endpoint.v3.ClusterLoadAssignment
	// Extensions are the ECDS filter configs (envoy.config.core.v3.TypedExtensionConfig) a
	// listener's config_discovery waits for, e.g. Istio's WasmPlugins.
	Extensions []map[string]any
	Secrets    []SecretRef // every SDS name to serve, in name order
	// Withheld are SDS names the dump shows warming (never arrived): the harness does not
	// serve them, so the real Envoy waits for them too.
	Withheld []string
	// WarmingListeners and WarmingClusters are what the dump shows warming, by name.
	WarmingListeners, WarmingClusters []string
	Removals                          []Removal
	Supplied                          []string
	served                            map[string]any // the bootstrap as served: stripped copy
}

// SecretRef is one SDS secret: its name, whether a TLS certificate or a validation context is
// expected, and the dump's (public) certificate bytes when the dump holds the secret.
type SecretRef struct {
	Name     string
	Validate bool   // validation context (trusted CA) rather than a certificate
	PEM      []byte // from the dump: certificate_chain or trusted_ca, PEM
}

// NodeID is the node id the proxy reports, from the dump's bootstrap (harnessNode when the
// dump's node has none; see envoyNode).
func (f *Feed) NodeID() string {
	if id := str(f.Node["id"]); id != "" {
		return id
	}
	return harnessNode
}

// ParseDump reads a /config_dump (v3, {"configs": [...]}) into a Feed, Istio-only
// extensions removed.
func ParseDump(data []byte) (*Feed, error) { return parseDump(data, true) }

// ParseDumpUnstripped is ParseDump without the removal: what the dump itself says.
func ParseDumpUnstripped(data []byte) (*Feed, error) { return parseDump(data, false) }

func parseDump(data []byte, strip bool) (*Feed, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var dump struct {
		Configs []map[string]any `json:"configs"`
	}
	if err := dec.Decode(&dump); err != nil {
		return nil, fmt.Errorf("read config dump: %w", err)
	}
	if len(dump.Configs) == 0 {
		return nil, fmt.Errorf("not a v3 /config_dump: no \"configs\" list")
	}
	f := &Feed{}
	for _, c := range dump.Configs {
		f.addSection(c)
	}
	if f.Node == nil {
		return nil, fmt.Errorf("config dump has no bootstrap node: the proxy's identity is unknown")
	}
	f.finish(strip)
	return f, nil
}

func (f *Feed) addSection(c map[string]any) {
	typ := str(c["@type"])
	switch {
	case strings.HasSuffix(typ, ".BootstrapConfigDump"):
		f.Bootstrap, _ = c["bootstrap"].(map[string]any)
		f.Node, _ = f.Bootstrap["node"].(map[string]any)
	case strings.HasSuffix(typ, ".ListenersConfigDump"):
		f.addListeners(asMaps(field(c, "dynamic_listeners")))
	case strings.HasSuffix(typ, ".ClustersConfigDump"):
		f.addClusters(asMaps(field(c, "dynamic_active_clusters")), false)
		f.addClusters(asMaps(field(c, "dynamic_warming_clusters")), true)
	case strings.HasSuffix(typ, ".RoutesConfigDump"):
		for _, r := range asMaps(field(c, "dynamic_route_configs")) {
			f.Routes = appendRes(f.Routes, field(r, "route_config"))
		}
	case strings.HasSuffix(typ, ".EndpointsConfigDump"):
		for _, e := range asMaps(field(c, "dynamic_endpoint_configs")) {
			f.Endpoints = appendRes(f.Endpoints, field(e, "endpoint_config"))
		}
	case strings.HasSuffix(typ, ".SecretsConfigDump"):
		f.addSecrets(c)
	case strings.HasSuffix(typ, ".EcdsConfigDump"):
		for _, e := range asMaps(field(c, "ecds_filters")) {
			f.Extensions = appendRes(f.Extensions, field(e, "ecds_filter"))
		}
	}
}

// addListeners serves the active version, else the warming one, else the rejected one (so
// the real Envoy judges it again).
func (f *Feed) addListeners(ls []map[string]any) {
	for _, l := range ls {
		var res any
		for _, k := range []string{"active_state", "warming_state"} {
			if s, ok := field(l, k).(map[string]any); ok && res == nil {
				res = s["listener"]
			}
		}
		if field(l, "warming_state") != nil {
			f.WarmingListeners = append(f.WarmingListeners, str(l["name"]))
		}
		if es, ok := field(l, "error_state").(map[string]any); ok && res == nil {
			res = field(es, "failed_configuration")
		}
		f.Listeners = appendRes(f.Listeners, res)
	}
}

func (f *Feed) addClusters(cs []map[string]any, warming bool) {
	for _, c := range cs {
		res := c["cluster"]
		if es, ok := field(c, "error_state").(map[string]any); ok && res == nil {
			res = field(es, "failed_configuration")
		}
		n := len(f.Clusters)
		f.Clusters = appendRes(f.Clusters, res)
		if warming && len(f.Clusters) > n {
			f.WarmingClusters = append(f.WarmingClusters, str(f.Clusters[n]["name"]))
		}
	}
}

func appendRes(out []map[string]any, v any) []map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		return out
	}
	delete(m, "@type")
	return append(out, m)
}

// finish strips Istio-only extensions and works out the SDS names and EDS assignments.
func (f *Feed) finish(strip bool) {
	if f.Bootstrap != nil {
		if b, err := deepCopy(f.Bootstrap); err == nil {
			f.served = b
		}
	}
	if strip {
		f.strip()
	}
	f.addSDSRefs()
	f.addMissingEndpoints()
}

func (f *Feed) strip() {
	if f.served != nil {
		f.Removals = append(f.Removals, StripBootstrap(f.served)...)
	}
	for _, l := range f.Listeners {
		f.Removals = append(f.Removals, StripListener(l)...)
	}
	for _, c := range f.Clusters {
		f.Removals = append(f.Removals, StripCluster(c)...)
	}
}

// RemovalReport is the per-fixture record of what was removed: one line per removal,
// then the counts per kind of extension.
func (f *Feed) RemovalReport(source string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Istio-proxy-only extensions removed before serving %s to upstream Envoy %s\n", source, Version)
	fmt.Fprintf(&b, "# (internal/realenvoy; refresh: REALENVOY_UPDATE=1 go test ./internal/realenvoy -run TestRemovalRecords)\n")
	counts := map[string]int{}
	for _, r := range f.Removals {
		fmt.Fprintln(&b, r.String())
		counts[r.Kind+" "+r.Name+" "+r.Type]++
	}
	fmt.Fprintf(&b, "# total %d\n", len(f.Removals))
	for _, k := range mesh.SortedKeys(counts) {
		fmt.Fprintf(&b, "# %d × %s\n", counts[k], k)
	}
	return b.String()
}

// addMissingEndpoints serves an empty ClusterLoadAssignment to every EDS cluster the dump has
// no endpoints for (istiod-generated dumps carry no EDS section), so the cluster warms up as
// one with no endpoints yet rather than waiting forever.
func (f *Feed) addMissingEndpoints() {
	have := map[string]bool{}
	for _, e := range f.Endpoints {
		have[str(field(e, "cluster_name"))] = true
	}
	for _, c := range f.Clusters {
		if str(c["type"]) != "EDS" {
			continue
		}
		name := str(c["name"])
		if ecc, ok := field(c, "eds_cluster_config").(map[string]any); ok && str(field(ecc, "service_name")) != "" {
			name = str(field(ecc, "service_name"))
		}
		if !have[name] {
			have[name] = true
			f.Endpoints = append(f.Endpoints, map[string]any{"cluster_name": name})
			f.Supplied = append(f.Supplied, "empty ClusterLoadAssignment "+name+" (the dump has no endpoints for this EDS cluster)")
		}
	}
}
