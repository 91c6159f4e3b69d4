package secretstest

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// Names used by the base mesh.
const (
	GatewayNS  = "istio-system"
	GatewayPod = "istio-egressgateway-1"
	GatewaySA  = "istio-egressgateway-service-account"
	Host       = "my-nginx.mesh-external.svc.cluster.local"
	CredName   = "client-credential"
)

// BaseMesh is an egress gateway pod, a Gateway and VirtualService routing Host through it,
// and a DestinationRule originating MUTUAL TLS at the gateway with CredName.
func BaseMesh() string {
	return fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: v1
kind: Namespace
metadata: {name: default}
---
apiVersion: v1
kind: Pod
metadata:
  name: %[1]s
  namespace: istio-system
  labels: {app: istio-egressgateway, istio: egressgateway}
spec:
  serviceAccountName: %[2]s
  containers:
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.31-dev
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: istio-egressgateway, namespace: default}
spec:
  selector: {istio: egressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [%[3]s]
    tls: {mode: ISTIO_MUTUAL}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: nginx-through-egress-gateway, namespace: default}
spec:
  hosts: [%[3]s]
  gateways: [istio-egressgateway]
  http:
  - route:
    - destination:
        host: %[3]s
        port: {number: 443}
`, GatewayPod, GatewaySA, Host)
}

// OriginationDR is a DestinationRule in ns for Host with one port-level TLS setting.
func OriginationDR(ns, mode, cred, sni, extra string) string {
	return fmt.Sprintf(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: originate-tls-for-nginx, namespace: %s}
spec:
  host: %s
%s  trafficPolicy:
    portLevelSettings:
    - port: {number: 443}
      tls:
        mode: %s
        credentialName: %s
        sni: %q
`, ns, Host, extra, mode, cred, sni)
}

// Secret returns a Secret manifest (YAML) with data.
func Secret(t testing.TB, ns, name string, typ corev1.SecretType, data map[string][]byte) string {
	t.Helper()
	s := corev1.Secret{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Type: typ, Data: data}
	b, err := yaml.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// WriteManifests writes the documents into dir/manifests.yaml and returns the path.
func WriteManifests(t testing.TB, dir string, docs ...string) string {
	t.Helper()
	p := filepath.Join(dir, "manifests.yaml")
	if err := os.WriteFile(p, []byte(strings.Join(docs, "\n---\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// DumpSecret is one SDS secret of a generated config dump.
type DumpSecret struct {
	Name    string
	Warming bool
	// CertPEM is the certificate chain (tls_certificate) or CA (validation_context, for -cacert names).
	CertPEM []byte
}

// DumpCluster is one cluster of a generated config dump using SDS secrets.
type DumpCluster struct {
	Name, CertSDS, CASDS string
	Warming              bool
}

// DumpJSON returns a minimal Envoy v3 /config_dump with the clusters and secrets.
// The private key is shown redacted, as Envoy's admin does.
func DumpJSON(clusters []DumpCluster, secrets []DumpSecret) []byte {
	var active, warming []string
	for _, c := range clusters {
		js := fmt.Sprintf(`{"version_info":"1","cluster":{"@type":"type.googleapis.com/envoy.config.cluster.v3.Cluster","name":%q,"type":"STRICT_DNS",`+
			`"transport_socket":{"name":"envoy.transport_sockets.tls","typed_config":{"@type":"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",`+
			`"common_tls_context":{"tls_certificate_sds_secret_configs":[{"name":%q}],"combined_validation_context":{"default_validation_context":{},"validation_context_sds_secret_config":{"name":%q}}}}}}}`,
			c.Name, c.CertSDS, c.CASDS)
		if c.Warming {
			warming = append(warming, js)
		} else {
			active = append(active, js)
		}
	}
	var sActive, sWarming []string
	for _, s := range secrets {
		body := fmt.Sprintf(`"tls_certificate":{"certificate_chain":{"inline_bytes":%q},"private_key":{"inline_string":"[redacted]"}}`, base64.StdEncoding.EncodeToString(s.CertPEM))
		if strings.HasSuffix(s.Name, "-cacert") {
			body = fmt.Sprintf(`"validation_context":{"trusted_ca":{"inline_bytes":%q}}`, base64.StdEncoding.EncodeToString(s.CertPEM))
		}
		js := fmt.Sprintf(`{"name":%q,"version_info":"1","secret":{"@type":"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret","name":%q,%s}}`, s.Name, s.Name, body)
		if s.Warming {
			sWarming = append(sWarming, fmt.Sprintf(`{"name":%q,"version_info":"uninitialized"}`, s.Name))
		} else {
			sActive = append(sActive, js)
		}
	}
	return []byte(fmt.Sprintf(`{"configs":[`+
		`{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump","dynamic_active_clusters":[%s],"dynamic_warming_clusters":[%s]},`+
		`{"@type":"type.googleapis.com/envoy.admin.v3.SecretsConfigDump","dynamic_active_secrets":[%s],"dynamic_warming_secrets":[%s]}]}`,
		strings.Join(active, ","), strings.Join(warming, ","), strings.Join(sActive, ","), strings.Join(sWarming, ",")))
}
