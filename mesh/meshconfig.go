package mesh

import (
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// Outbound traffic policy modes of the mesh config. ModeUnknown is ours: the mesh config
// was there but could not be parsed, so the mode istiod applies is not known.
const (
	AllowAny     = "ALLOW_ANY"
	RegistryOnly = "REGISTRY_ONLY"
	ModeUnknown  = "unknown"
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
	// OutboundTrafficPolicyMode is ALLOW_ANY (Istio's default) or REGISTRY_ONLY, or
	// ModeUnknown when the `mesh` key could not be parsed (ParseError) or read (forbidden).
	OutboundTrafficPolicyMode string `json:"outboundTrafficPolicyMode"`
	// RootNamespace defaults to the Istio namespace.
	RootNamespace string        `json:"rootNamespace"`
	TrustDomain   string        `json:"trustDomain,omitempty"`
	DefaultConfig ProxyDefaults `json:"defaultConfig"`
	// ParseError is set when the `mesh` key could not be parsed: the mode is ModeUnknown
	// and the other fields keep Istio's defaults.
	ParseError string `json:"parseError,omitempty"`
	// Key names where the mesh config was read: "ConfigMap istio-system/istio key mesh".
	Key string `json:"key,omitempty"`
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

// ForbiddenMeshConfig is what a 403 on ConfigMap `istio` leaves: Istio's defaults but for
// the mode, which is ModeUnknown (the cluster has a mesh config we may not read, and Istio's
// default would be a guess).
func ForbiddenMeshConfig(istioNamespace string) MeshConfig {
	mc := defaultMeshConfig(istioNamespace)
	mc.Access, mc.OutboundTrafficPolicyMode = AccessForbidden, ModeUnknown
	mc.Key = "ConfigMap " + Key(istioNamespace, meshConfigMapName) + " key " + meshConfigKey
	return mc
}

// ParseMeshConfig parses mesh config YAML (the `mesh` key), filling Istio's defaults. On
// an error the mode is ModeUnknown: a config istiod cannot read either says nothing about
// the mode it applies, and Istio's default would be a guess.
func ParseMeshConfig(data, istioNamespace string) (MeshConfig, error) {
	mc := defaultMeshConfig(istioNamespace)
	mc.Found, mc.Access = true, AccessOK
	var raw rawMeshConfig
	err := yaml.Unmarshal([]byte(data), &raw)
	if err != nil {
		err = errors.New(strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))
	}
	if err == nil && raw.OutboundTrafficPolicy != nil && raw.OutboundTrafficPolicy.Mode != "" {
		mc.OutboundTrafficPolicyMode = raw.OutboundTrafficPolicy.Mode
		if m := raw.OutboundTrafficPolicy.Mode; m != AllowAny && m != RegistryOnly {
			err = fmt.Errorf("outboundTrafficPolicy.mode: %q is not ALLOW_ANY or REGISTRY_ONLY", m)
		}
	}
	if err != nil {
		mc.OutboundTrafficPolicyMode = ModeUnknown
		return mc, err
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
	mc.Key = "ConfigMap " + Key(cm.Namespace, cm.Name) + " key " + meshConfigKey
	return mc
}
