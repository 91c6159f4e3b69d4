package realenvoy

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	var notes []string
	b["node"] = f.Node
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
	out, err := json.MarshalIndent(b, "", " ")
	return out, notes, err
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
