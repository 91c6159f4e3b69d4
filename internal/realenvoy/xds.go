package realenvoy

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"sync"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	secretv3 "github.com/envoyproxy/go-control-plane/envoy/service/secret/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	serverv3 "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Nack is an update the real Envoy rejected, with its own error text.
type Nack struct {
	TypeURL string
	Names   []string
	Message string
}

// xdsServer serves one snapshot over ADS (SotW and delta) and SDS on a unix socket.
type xdsServer struct {
	grpc  *grpc.Server
	cache cachev3.SnapshotCache
	node  string
	mu    sync.Mutex
	nacks []Nack
}

// Resources are the protos decoded from a Feed, by xDS type.
type Resources map[resource.Type][]types.Resource

// Decode turns the feed's JSON resources into protos; a resource Envoy's API cannot hold
// (unknown field, unknown type, v2-only type) is returned as an error naming it, never dropped.
func (f *Feed) Decode() (Resources, []error) {
	res := Resources{}
	var errs []error
	add := func(typ, kind string, items []map[string]any, mk func() proto.Message) {
		for _, it := range items {
			m := mk()
			if err := decodeJSON(it, m); err != nil {
				errs = append(errs, fmt.Errorf("%s %q: %w", kind, resourceName(it), err))
				continue
			}
			res[typ] = append(res[typ], m)
		}
	}
	add(resource.ListenerType, "listener", f.Listeners, func() proto.Message { return &listenerv3.Listener{} })
	add(resource.ClusterType, "cluster", f.Clusters, func() proto.Message { return &clusterv3.Cluster{} })
	add(resource.RouteType, "route config", f.Routes, func() proto.Message { return &routev3.RouteConfiguration{} })
	add(resource.EndpointType, "endpoints", f.Endpoints, func() proto.Message { return &endpointv3.ClusterLoadAssignment{} })
	add(resource.ExtensionConfigType, "extension config", f.Extensions, func() proto.Message { return &corev3.TypedExtensionConfig{} })
	return res, errs
}

func resourceName(m map[string]any) string {
	if n := str(m["name"]); n != "" {
		return n
	}
	return str(m["cluster_name"])
}

func decodeJSON(v any, m proto.Message) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return protojson.Unmarshal(b, m)
}

// startXDS serves res to nodeID on a unix socket at sock until t ends.
func startXDS(t testing.TB, sock, nodeID string, res Resources) *xdsServer {
	t.Helper()
	snap, err := cachev3.NewSnapshot("1", res)
	if err != nil {
		t.Fatalf("xds snapshot: %v", err)
	}
	// ads=false: answer each request with the requested resources that exist, so a missing
	// secret or route leaves only its own dependants warming, as with istiod.
	cache := cachev3.NewSnapshotCache(false, cachev3.IDHash{}, nil)
	if err := cache.SetSnapshot(context.Background(), nodeID, snap); err != nil {
		t.Fatalf("xds snapshot for %q: %v", nodeID, err)
	}
	x := &xdsServer{grpc: grpc.NewServer(), cache: cache, node: nodeID}
	srv := serverv3.NewServer(context.Background(), cache, x.callbacks())
	discoveryv3.RegisterAggregatedDiscoveryServiceServer(x.grpc, srv)
	secretv3.RegisterSecretDiscoveryServiceServer(x.grpc, srv)
	lis, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatalf("xds listen on %s: %v", sock, err)
	}
	go func() { _ = x.grpc.Serve(lis) }()
	t.Cleanup(x.grpc.Stop)
	return x
}

// update serves res as the next snapshot version.
func (x *xdsServer) update(t testing.TB, version string, res Resources) {
	t.Helper()
	snap, err := cachev3.NewSnapshot(version, res)
	if err != nil {
		t.Fatalf("xds snapshot %s: %v", version, err)
	}
	if err := x.cache.SetSnapshot(context.Background(), x.node, snap); err != nil {
		t.Fatalf("xds snapshot %s for %q: %v", version, x.node, err)
	}
}

// withoutClusters is res minus the named clusters.
func withoutClusters(res Resources, names []string) Resources {
	drop := map[string]bool{}
	for _, n := range names {
		drop[n] = true
	}
	out := Resources{}
	for typ, items := range res {
		for _, it := range items {
			if c, ok := it.(*clusterv3.Cluster); ok && drop[c.GetName()] {
				continue
			}
			out[typ] = append(out[typ], it)
		}
	}
	return out
}

func (x *xdsServer) callbacks() serverv3.Callbacks {
	return serverv3.CallbackFuncs{
		StreamRequestFunc: func(_ int64, r *discoveryv3.DiscoveryRequest) error {
			if r.GetErrorDetail() != nil {
				x.nack(Nack{TypeURL: r.GetTypeUrl(), Names: r.GetResourceNames(), Message: r.GetErrorDetail().GetMessage()})
			}
			return nil
		},
		StreamDeltaRequestFunc: func(_ int64, r *discoveryv3.DeltaDiscoveryRequest) error {
			if r.GetErrorDetail() != nil {
				x.nack(Nack{TypeURL: r.GetTypeUrl(), Message: r.GetErrorDetail().GetMessage()})
			}
			return nil
		},
	}
}

func (x *xdsServer) nack(n Nack) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.nacks = append(x.nacks, n)
}

// Nacks returns every rejection so far.
func (x *xdsServer) Nacks() []Nack {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]Nack(nil), x.nacks...)
}
