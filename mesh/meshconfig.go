package mesh

import (
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// Outbound traffic policy modes of the mesh config.
const (
	AllowAny     = "ALLOW_ANY"
	RegistryOnly = "REGISTRY_ONLY"
)

// Access states of an optional read (mesh config, secrets).
const (
	AccessOK        = "ok"
	AccessForbidden = "forbidden"
	AccessNotFound  = "notfound"
)

// MeshConfig is the part of Istio's mesh config (ConfigMap `istio`, key `mesh`) that
// egress depends on, with Istio's defaults filled in when absent.
type MeshConfig struct {
	// Found is true when the ConfigMap was read; Access says why not otherwise.
	Found  bool   `json:"found"`
	Access string `json:"access"`
	Source string `json:"source,omitempty"`
	// OutboundTrafficPolicyMode is ALLOW_ANY (Istio's default) or REGISTRY_ONLY.
	OutboundTrafficPolicyMode string `json:"outboundTrafficPolicyMode"`
	// RootNamespace defaults to the Istio namespace.
	RootNamespace string        `json:"rootNamespace"`
	TrustDomain   string        `json:"trustDomain,omitempty"`
	DefaultConfig ProxyDefaults `json:"defaultConfig"`
	// ParseError is set when the `mesh` key could not be parsed; defaults are used then.
	ParseError string `json:"parseError,omitempty"`
}

// ProxyDefaults is the subset of meshConfig.defaultConfig that affects egress.
type ProxyDefaults struct {
	// ProxyMetadata holds e.g. ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE.
	ProxyMetadata                   map[string]string `json:"proxyMetadata,omitempty"`
	HoldApplicationUntilProxyStarts *bool             `json:"holdApplicationUntilProxyStarts,omitempty"`
}

// rawMeshConfig is the YAML shape of the fields we read; other fields are ignored.
type rawMeshConfig struct {
	OutboundTrafficPolicy *struct {
		Mode string `json:"mode"`
	} `json:"outboundTrafficPolicy"`
	RootNamespace string        `json:"rootNamespace"`
	TrustDomain   string        `json:"trustDomain"`
	DefaultConfig ProxyDefaults `json:"defaultConfig"`
}

// defaultMeshConfig is what Istio uses when the ConfigMap is absent.
func defaultMeshConfig(istioNamespace string) MeshConfig {
	return MeshConfig{
		Access:                    AccessNotFound,
		OutboundTrafficPolicyMode: AllowAny,
		RootNamespace:             istioNamespace,
	}
}

// ParseMeshConfig parses mesh config YAML (the `mesh` key), filling Istio's defaults.
func ParseMeshConfig(data, istioNamespace string) (MeshConfig, error) {
	mc := defaultMeshConfig(istioNamespace)
	mc.Found, mc.Access = true, AccessOK
	var raw rawMeshConfig
	if err := yaml.Unmarshal([]byte(data), &raw); err != nil {
		return mc, err
	}
	if raw.OutboundTrafficPolicy != nil && raw.OutboundTrafficPolicy.Mode != "" {
		mc.OutboundTrafficPolicyMode = raw.OutboundTrafficPolicy.Mode
	}
	if raw.RootNamespace != "" {
		mc.RootNamespace = raw.RootNamespace
	}
	mc.TrustDomain = raw.TrustDomain
	mc.DefaultConfig = raw.DefaultConfig
	return mc, nil
}

// parseMeshConfigMap reads the mesh config from the `istio` ConfigMap; a parse error is
// recorded in the result rather than failing the load.
func parseMeshConfigMap(cm *corev1.ConfigMap, istioNamespace, origin string) MeshConfig {
	mc, err := ParseMeshConfig(cm.Data[meshConfigKey], istioNamespace)
	if err != nil {
		mc.ParseError = err.Error()
	}
	mc.Source = origin
	return mc
}
