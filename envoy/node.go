package envoy

import (
	"sort"
	"strconv"
	"strings"

	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"google.golang.org/protobuf/types/known/structpb"
)

// ProxyType is the Istio proxy role from the node id.
type ProxyType string

// Istio proxy roles.
const (
	ProxySidecar ProxyType = "sidecar"
	ProxyRouter  ProxyType = "router" // gateways
)

// Node identifies the proxy, parsed from the bootstrap node.
type Node struct {
	ID           string    `json:"id,omitempty"`
	Type         ProxyType `json:"type,omitempty"`
	IP           string    `json:"ip,omitempty"`
	PodName      string    `json:"podName,omitempty"`
	Namespace    string    `json:"namespace,omitempty"`
	DNSDomain    string    `json:"dnsDomain,omitempty"`
	Cluster      string    `json:"cluster,omitempty"` // node.cluster, e.g. "sleep.default"
	ClusterID    string    `json:"clusterID,omitempty"`
	IstioVersion string    `json:"istioVersion,omitempty"`
	// DNSCapture is true when the Istio DNS proxy captures the pod's DNS.
	DNSCapture bool              `json:"dnsCapture,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
	// Metadata holds the node metadata values that are strings or numbers.
	Metadata map[string]string `json:"metadata,omitempty"`
}

// ParseNodeID splits an Istio node id "TYPE~IP~POD.NAMESPACE~DOMAIN".
func ParseNodeID(id string) (Node, bool) {
	parts := strings.Split(id, "~")
	if len(parts) != 4 {
		return Node{ID: id}, false
	}
	n := Node{ID: id, Type: ProxyType(parts[0]), IP: parts[1], DNSDomain: parts[3]}
	n.PodName, n.Namespace, _ = strings.Cut(parts[2], ".")
	return n, true
}

func bootstrapFrom(m *adminv3.BootstrapConfigDump) (Node, *Bootstrap) {
	bs := m.GetBootstrap()
	node := nodeFrom(bs.GetNode())
	out := &Bootstrap{}
	for _, c := range bs.GetStaticResources().GetClusters() {
		out.StaticClusters = append(out.StaticClusters, c.GetName())
	}
	for _, l := range bs.GetStaticResources().GetListeners() {
		out.StaticListeners = append(out.StaticListeners, l.GetName())
	}
	sort.Strings(out.StaticClusters)
	sort.Strings(out.StaticListeners)
	return node, out
}

func nodeFrom(pn *corev3.Node) Node {
	n, _ := ParseNodeID(pn.GetId())
	n.Cluster = pn.GetCluster()
	md := pn.GetMetadata().GetFields()
	n.Metadata = flatten(md)
	n.IstioVersion = n.Metadata["ISTIO_VERSION"]
	n.ClusterID = n.Metadata["CLUSTER_ID"]
	for _, k := range []string{"DNS_CAPTURE", "ISTIO_META_DNS_CAPTURE"} {
		if b, err := strconv.ParseBool(n.Metadata[k]); err == nil && b {
			n.DNSCapture = true
		}
	}
	if labels := flatten(md["LABELS"].GetStructValue().GetFields()); len(labels) > 0 {
		n.Labels = labels
	}
	if n.Namespace == "" {
		n.Namespace = n.Metadata["NAMESPACE"]
	}
	if n.PodName == "" {
		n.PodName = n.Metadata["NAME"]
	}
	return n
}

// flatten keeps the string, number and bool values of a Struct.
func flatten(fields map[string]*structpb.Value) map[string]string {
	if len(fields) == 0 {
		return nil
	}
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		switch x := v.GetKind().(type) {
		case *structpb.Value_StringValue:
			out[k] = x.StringValue
		case *structpb.Value_BoolValue:
			out[k] = strconv.FormatBool(x.BoolValue)
		case *structpb.Value_NumberValue:
			out[k] = strconv.FormatFloat(x.NumberValue, 'f', -1, 64)
		}
	}
	return out
}
