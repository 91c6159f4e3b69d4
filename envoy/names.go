package envoy

import (
	"strconv"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
)

// ClusterName is an Istio cluster name "direction|port|subset|host",
// e.g. "outbound|443|cnn|istio-egressgateway.istio-system.svc.cluster.local".
type ClusterName struct {
	Direction string `json:"direction"` // outbound, inbound, outbound_.443_._.host (legacy forms kept whole)
	Port      int    `json:"port"`
	Subset    string `json:"subset,omitempty"`
	Host      string `json:"host,omitempty"`
}

// String renders the name back in Istio's grammar.
func (c ClusterName) String() string {
	return c.Direction + "|" + strconv.Itoa(c.Port) + "|" + c.Subset + "|" + c.Host
}

// ParseClusterName parses an Istio "direction|port|subset|host" cluster name.
// It reports false for other names (PassthroughCluster, BlackHoleCluster, ...).
func ParseClusterName(name string) (ClusterName, bool) {
	parts := strings.Split(name, "|")
	if len(parts) != 4 {
		return ClusterName{}, false
	}
	switch parts[0] {
	case "outbound", "inbound", "inbound-vip":
	default:
		return ClusterName{}, false
	}
	port, err := strconv.Atoi(parts[1])
	if err != nil || port < 0 || port > 65535 {
		return ClusterName{}, false
	}
	if parts[0] == "outbound" && parts[3] == "" {
		return ClusterName{}, false
	}
	return ClusterName{Direction: parts[0], Port: port, Subset: parts[2], Host: parts[3]}, true
}

// ConfigRef is the Istio object behind a route or cluster, from the
// metadata.filter_metadata.istio.config back-link that istiod writes:
// "/apis/networking.istio.io/v1/namespaces/NS/destination-rule/NAME".
type ConfigRef struct {
	Group     string `json:"group,omitempty"`
	Version   string `json:"version,omitempty"`
	Kind      string `json:"kind"` // as in the link: destination-rule, virtual-service, service-entry, ...
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Link      string `json:"link"`
}

// ParseConfigRef parses an istio.config back-link.
func ParseConfigRef(link string) (ConfigRef, bool) {
	p := strings.Split(strings.Trim(link, "/"), "/")
	switch {
	case len(p) == 7 && p[0] == "apis" && p[3] == "namespaces":
		return ConfigRef{Group: p[1], Version: p[2], Namespace: p[4], Kind: p[5], Name: p[6], Link: link}, true
	case len(p) == 5 && p[0] == "apis":
		return ConfigRef{Group: p[1], Version: p[2], Kind: p[3], Name: p[4], Link: link}, true
	}
	return ConfigRef{}, false
}

func configRefFrom(md *corev3.Metadata) *ConfigRef {
	v := md.GetFilterMetadata()["istio"].GetFields()["config"].GetStringValue()
	if v == "" {
		return nil
	}
	ref, ok := ParseConfigRef(v)
	if !ok {
		return &ConfigRef{Link: v}
	}
	return &ref
}
