package realenvoy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// xdsCluster and sdsCluster are the static clusters Istio's bootstrap (and the minimal one)
// uses for ADS and for SDS; both become unix-socket pipes to the harness's xDS server.
const (
	xdsCluster = "xds-grpc"
	sdsCluster = "sds-grpc"
)

// bootstrapJSON is the config Envoy starts with: the dump's own bootstrap (node, static
// listeners and clusters, stats, runtime) when Minimal is false, with the ADS and SDS
// clusters pointed at sock and the admin API on adminSock; otherwise only the node and those.
// Changes to the dump's bootstrap are returned as notes.
func (f *Feed) bootstrapJSON(minimal bool, sock, adminSock string) ([]byte, []string, error) {
	b := map[string]any{}
	if f.served != nil && !minimal {
		var err error
		if b, err = deepCopy(f.served); err != nil {
			return nil, nil, err
		}
	}
	node, notes := envoyNode(f.Node)
	b["node"] = node
	admin, _ := b["admin"].(map[string]any)
	if admin == nil {
		admin = map[string]any{}
	}
	delete(admin, "profile_path")
	admin["address"] = pipe(adminSock)
	b["admin"] = admin
	notes = append(notes, "admin address → unix socket (reached from the test across the network namespace)")
	if _, ok := b["dynamic_resources"]; !ok {
		b["dynamic_resources"] = map[string]any{
			"ads_config": map[string]any{"api_type": "DELTA_GRPC", "transport_api_version": "V3",
				"grpc_services": []any{map[string]any{"envoy_grpc": map[string]any{"cluster_name": xdsCluster}}}, "set_node_on_first_message_only": true},
			"lds_config": map[string]any{"ads": map[string]any{}, "resource_api_version": "V3", "initial_fetch_timeout": "0s"},
			"cds_config": map[string]any{"ads": map[string]any{}, "resource_api_version": "V3", "initial_fetch_timeout": "0s"},
		}
	}
	notes = append(notes, pointClusters(b, sock)...)
	notes = append(notes, f.internalListenerExtension(b)...)
	out, err := json.MarshalIndent(b, "", " ")
	return out, notes, err
}

// harnessNode names a proxy whose dump has no node id or cluster: Envoy needs both to speak
// ADS (a dump written by istioctl's tests may lack them).
const harnessNode = "realenvoy-harness"

// envoyNode is the dump's bootstrap node as Envoy 1.40 accepts it: fields core.v3.Node no
// longer has (e.g. v2's build_version, dumped by Envoy < 1.17 as
// hidden_envoy_deprecated_build_version) are dropped, and a missing id or cluster is
// supplied; each change is returned as a note. Metadata, locality and the rest stay as dumped.
func envoyNode(dumped map[string]any) (map[string]any, []string) {
	fields := (&corev3.Node{}).ProtoReflect().Descriptor().Fields()
	node := map[string]any{}
	var dropped []string
	for k, v := range dumped {
		if fields.ByJSONName(k) == nil && fields.ByName(protoreflect.Name(k)) == nil {
			dropped = append(dropped, k)
			continue
		}
		node[k] = v
	}
	sort.Strings(dropped)
	var notes []string
	for _, k := range dropped {
		notes = append(notes, fmt.Sprintf("node field %s dropped: Envoy %s's core.v3.Node has no such field", k, Version))
	}
	for _, k := range []string{"id", "cluster"} {
		if str(node[k]) == "" {
			node[k] = harnessNode
			notes = append(notes, fmt.Sprintf("node %s %q supplied: the dump's node has none and Envoy needs one for ADS", k, harnessNode))
		}
	}
	return node, notes
}

// internalListener is the bootstrap extension Envoy requires before it accepts a listener
// with internal_listener set (Istio's bootstrap template carries it; a trimmed dump may not).
const internalListener = "envoy.bootstrap.internal_listener"

// internalListenerExtension adds the internal-listener bootstrap extension when a fed
// listener is an internal one and the bootstrap lacks it.
func (f *Feed) internalListenerExtension(b map[string]any) []string {
	exts, _ := b["bootstrap_extensions"].([]any)
	if findByName(exts, internalListener) != nil || !slices.ContainsFunc(f.Listeners, func(l map[string]any) bool { return field(l, "internal_listener") != nil }) {
		return nil
	}
	b["bootstrap_extensions"] = append(exts, map[string]any{"name": internalListener, "typed_config": map[string]any{
		"@type": "type.googleapis.com/envoy.extensions.bootstrap.internal_listener.v3.InternalListener"}})
	return []string{"bootstrap extension " + internalListener + " supplied: the dump has internal listeners but its bootstrap lacks the extension Envoy needs for them"}
}

// pointClusters makes xds-grpc and sds-grpc static pipe clusters to sock (adding them when the
// bootstrap lacks them), keeping their other settings.
func pointClusters(b map[string]any, sock string) []string {
	sr, _ := b["static_resources"].(map[string]any)
	if sr == nil {
		sr = map[string]any{}
		b["static_resources"] = sr
	}
	clusters, _ := sr["clusters"].([]any)
	var notes []string
	for _, name := range []string{xdsCluster, sdsCluster} {
		c := findByName(clusters, name)
		if c == nil {
			c = map[string]any{"name": name, "type": "STATIC", "connect_timeout": "1s",
				"typed_extension_protocol_options": map[string]any{"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": map[string]any{
					"@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions", "explicit_http_config": map[string]any{"http2_protocol_options": map[string]any{}}}}}
			clusters = append(clusters, c)
		}
		if _, ok := c["transport_socket"]; ok {
			delete(c, "transport_socket")
			notes = append(notes, fmt.Sprintf("static cluster %s: transport_socket removed (plaintext pipe to the harness)", name))
		}
		c["load_assignment"] = map[string]any{"cluster_name": name, "endpoints": []any{map[string]any{"lb_endpoints": []any{
			map[string]any{"endpoint": map[string]any{"address": pipe(sock)}}}}}}
		notes = append(notes, fmt.Sprintf("static cluster %s → unix socket of the harness's xDS server", name))
	}
	sr["clusters"] = clusters
	return notes
}

func findByName(items []any, name string) map[string]any {
	for _, it := range items {
		if m, ok := it.(map[string]any); ok && str(m["name"]) == name {
			return m
		}
	}
	return nil
}

func pipe(path string) map[string]any {
	return map[string]any{"pipe": map[string]any{"path": path}}
}

func deepCopy(m map[string]any) (map[string]any, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	return out, dec.Decode(&out)
}
