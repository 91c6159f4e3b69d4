package envoy

import (
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/anypb"

	// Messages the model reads, or that Istio dumps carry so often that
	// listing them as unknown would be noise.
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/file/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/compressor/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/fault/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/grpc_stats/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/http_inspector/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/original_dst/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/tls_inspector/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/direct_response/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/matching/common_inputs/network/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/network/dns_resolver/cares/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/request_id/uuid/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/resource_monitors/downstream_connections/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/retry/host/previous_hosts/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/internal_upstream/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/raw_buffer/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
)

const typePrefix = "type.googleapis.com/"

// legacyTypes maps Envoy v2 message names that Istio 1.5/1.6 still wrote inside
// v3 admin dumps to their v3 successors, which keep the same field numbers.
var legacyTypes = map[string]string{
	"envoy.api.v2.Cluster":                                                         "envoy.config.cluster.v3.Cluster",
	"envoy.api.v2.Listener":                                                        "envoy.config.listener.v3.Listener",
	"envoy.api.v2.RouteConfiguration":                                              "envoy.config.route.v3.RouteConfiguration",
	"envoy.api.v2.ClusterLoadAssignment":                                           "envoy.config.endpoint.v3.ClusterLoadAssignment",
	"envoy.api.v2.auth.UpstreamTlsContext":                                         "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
	"envoy.api.v2.auth.DownstreamTlsContext":                                       "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
	"envoy.api.v2.auth.Secret":                                                     "envoy.extensions.transport_sockets.tls.v3.Secret",
	"envoy.config.filter.network.tcp_proxy.v2.TcpProxy":                            "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
	"envoy.config.filter.network.http_connection_manager.v2.HttpConnectionManager": "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
	"envoy.config.filter.http.router.v2.Router":                                    "envoy.extensions.filters.http.router.v3.Router",
}

// placeholder is an empty message that stands in for unknown Any payloads;
// with DiscardUnknown set, protojson skips their fields.
var placeholder = func() protoreflect.MessageType {
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name:        proto.String("kubectl_egress/envoy/unknown.proto"),
		Package:     proto.String("kubectlegress.envoy"),
		Syntax:      proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{{Name: proto.String("Unknown")}},
	}, nil)
	if err != nil {
		panic(err) // static descriptor: cannot fail
	}
	return dynamicpb.NewMessageType(fd.Messages().Get(0))
}()

// resolver resolves Any type URLs for protojson; it never fails, and counts
// the URLs it had to replace with the placeholder or map from Envoy v2.
type resolver struct {
	unknown map[string]int
	legacy  map[string]int
}

func newResolver() *resolver {
	return &resolver{unknown: map[string]int{}, legacy: map[string]int{}}
}

func (r *resolver) FindMessageByName(name protoreflect.FullName) (protoreflect.MessageType, error) {
	return protoregistry.GlobalTypes.FindMessageByName(name)
}

func (r *resolver) FindMessageByURL(url string) (protoreflect.MessageType, error) {
	name := typeName(url)
	if v3, ok := legacyTypes[name]; ok {
		r.legacy[url]++
		name = v3
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(name))
	if err != nil {
		r.unknown[url]++
		return placeholder, nil
	}
	return mt, nil
}

func (r *resolver) FindExtensionByName(field protoreflect.FullName) (protoreflect.ExtensionType, error) {
	return protoregistry.GlobalTypes.FindExtensionByName(field)
}

func (r *resolver) FindExtensionByNumber(message protoreflect.FullName, field protoreflect.FieldNumber) (protoreflect.ExtensionType, error) {
	return protoregistry.GlobalTypes.FindExtensionByNumber(message, field)
}

// typeName strips the host part of a type URL.
func typeName(url string) string {
	if i := strings.LastIndexByte(url, '/'); i >= 0 {
		return url[i+1:]
	}
	return url
}

// unpack decodes a into m when a holds m's type (or its Envoy v2 predecessor).
func unpack(a *anypb.Any, m proto.Message) bool {
	if a == nil {
		return false
	}
	name := typeName(a.GetTypeUrl())
	if v3, ok := legacyTypes[name]; ok {
		name = v3
	}
	if protoreflect.FullName(name) != m.ProtoReflect().Descriptor().FullName() {
		return false
	}
	return proto.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(a.GetValue(), m) == nil
}

// TypeCount is a type URL and how many times it occurred in a dump.
type TypeCount struct {
	TypeURL string `json:"typeURL"`
	Count   int    `json:"count"`
}

func sortedCounts(m map[string]int) []TypeCount {
	out := make([]TypeCount, 0, len(m))
	for url, n := range m {
		out = append(out, TypeCount{TypeURL: url, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TypeURL < out[j].TypeURL })
	return out
}
