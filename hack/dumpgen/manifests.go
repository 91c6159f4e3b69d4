package main

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
)

// Fixed identities of the two proxies every scenario uses.
const (
	istioVersion = "1.31-dev"
	proxyImage   = "docker.io/istio/proxyv2:1.31-dev"

	sleepPod       = "sleep-7b4c9d8f6-abcde"
	sleepNS        = "default"
	sleepIP        = "10.244.0.10"
	sleepSA        = "sleep"
	sleepClusterIP = "10.96.10.10"

	gwPod       = "istio-egressgateway-6d8c4b7f9-xk2lp"
	gwNS        = "istio-system"
	gwIP        = "10.244.0.20"
	gwSA        = "istio-egressgateway-service-account"
	gwClusterIP = "10.96.20.20"

	nginxClusterIP = "10.96.30.30"
	hostIP         = "172.18.0.2"
	nodeName       = "egress-test-node"

	// secretKeyPlaceholder is what the Secret manifests carry instead of the private key.
	secretKeyPlaceholder = "[redacted] private key generated in memory by hack/dumpgen at generation time; never stored"
)

// envVar is one environment variable of the istio-proxy container. When FieldRef is set, the
// manifest uses the downward API and Value is what the kubelet would resolve it to.
type envVar struct {
	Name     string
	Value    string
	FieldRef string
}

type proxyIdentity struct {
	Pod, Namespace, IP, SA, Workload string
	Labels                           map[string]string // pod labels as istiod sees them (no pod-template-hash)
	Router                           bool
	Ports                            string // ISTIO_META_POD_PORTS
	AppContainers                    string
}

func (p proxyIdentity) NodeID() string {
	t := "sidecar"
	if p.Router {
		t = "router"
	}
	return fmt.Sprintf("%s~%s~%s.%s~%s.svc.cluster.local", t, p.IP, p.Pod, p.Namespace, p.Namespace)
}

func (p proxyIdentity) env() []envVar {
	labelsJSON := jsonMap(p.Labels)
	env := []envVar{
		{Name: "PILOT_CERT_PROVIDER", Value: "istiod"},
		{Name: "CA_ADDR", Value: "istiod.istio-system.svc:15012"},
		{Name: "POD_NAME", Value: p.Pod, FieldRef: "metadata.name"},
		{Name: "POD_NAMESPACE", Value: p.Namespace, FieldRef: "metadata.namespace"},
		{Name: "INSTANCE_IP", Value: p.IP, FieldRef: "status.podIP"},
		{Name: "SERVICE_ACCOUNT", Value: p.SA, FieldRef: "spec.serviceAccountName"},
		{Name: "HOST_IP", Value: hostIP, FieldRef: "status.hostIP"},
		{Name: "ISTIO_CPU_LIMIT", Value: "0"},
		{Name: "PROXY_CONFIG", Value: "{}\n"},
		{Name: "ISTIO_META_POD_PORTS", Value: p.Ports},
		{Name: "ISTIO_META_APP_CONTAINERS", Value: p.AppContainers},
		{Name: "GOMEMLIMIT", Value: "1073741824"},
		{Name: "GOMAXPROCS", Value: "2"},
		{Name: "ISTIO_META_CLUSTER_ID", Value: "Kubernetes"},
		{Name: "ISTIO_META_NODE_NAME", Value: nodeName, FieldRef: "spec.nodeName"},
		{Name: "ISTIO_META_INTERCEPTION_MODE", Value: "REDIRECT"},
		{Name: "ISTIO_META_WORKLOAD_NAME", Value: p.Workload},
		{Name: "ISTIO_META_OWNER", Value: fmt.Sprintf("kubernetes://apis/apps/v1/namespaces/%s/deployments/%s", p.Namespace, p.Workload)},
		{Name: "ISTIO_META_MESH_ID", Value: "cluster.local"},
		{Name: "TRUST_DOMAIN", Value: "cluster.local"},
		{Name: "ISTIO_META_ISTIO_VERSION", Value: istioVersion},
		{Name: "ISTIO_METAJSON_LABELS", Value: labelsJSON},
	}
	if p.Router {
		env = append(env, envVar{Name: "ISTIO_META_ROUTER_MODE", Value: "standard"})
	}
	return env
}

func jsonMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%q:%q", k, m[k]))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

var sleepProxy = proxyIdentity{
	Pod: sleepPod, Namespace: sleepNS, IP: sleepIP, SA: sleepSA, Workload: "sleep",
	Labels: map[string]string{
		"app":                                 "sleep",
		"security.istio.io/tlsMode":           "istio",
		"service.istio.io/canonical-name":     "sleep",
		"service.istio.io/canonical-revision": "latest",
	},
	Ports:         "[]",
	AppContainers: "sleep",
}

var gatewayProxy = proxyIdentity{
	Pod: gwPod, Namespace: gwNS, IP: gwIP, SA: gwSA, Workload: "istio-egressgateway", Router: true,
	Labels: map[string]string{
		"app":                                 "istio-egressgateway",
		"istio":                               "egressgateway",
		"service.istio.io/canonical-name":     "istio-egressgateway",
		"service.istio.io/canonical-revision": "latest",
	},
	Ports: `[{"containerPort":8080,"protocol":"TCP"},{"containerPort":8443,"protocol":"TCP"},{"containerPort":15090,"name":"http-envoy-prom","protocol":"TCP"}]`,
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n")
}

func envYAML(env []envVar) string {
	var b strings.Builder
	for _, e := range env {
		fmt.Fprintf(&b, "- name: %s\n", e.Name)
		if e.FieldRef != "" {
			fmt.Fprintf(&b, "  valueFrom:\n    fieldRef:\n      apiVersion: v1\n      fieldPath: %s\n", e.FieldRef)
			continue
		}
		fmt.Fprintf(&b, "  value: %s\n", yamlQuote(e.Value))
	}
	return b.String()
}

func yamlQuote(s string) string {
	return fmt.Sprintf("%q", s)
}

func labelsYAML(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %q\n", k, m[k])
	}
	return b.String()
}

const injectionStatus = `{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["workload-socket","credential-socket","workload-certs","istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"],"imagePullSecrets":null,"revision":"default"}`

func namespacesYAML(extra []string) string {
	s := `apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels:
    istio-injection: enabled
---
apiVersion: v1
kind: Namespace
metadata:
  name: istio-system
`
	for _, ns := range extra {
		s += fmt.Sprintf("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n", ns)
	}
	return s
}

func meshConfigData(mode string) string {
	return fmt.Sprintf(`accessLogFile: /dev/stdout
defaultConfig:
  discoveryAddress: istiod.istio-system.svc:15012
outboundTrafficPolicy:
  mode: %s
rootNamespace: istio-system
trustDomain: cluster.local
`, mode)
}

func meshConfigYAML(mode string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
  labels:
    app: istiod
    istio.io/rev: default
data:
  mesh: |-
%s
  meshNetworks: 'networks: {}'
`, indent(meshConfigData(mode), 4))
}

func proxyContainerYAML(p proxyIdentity, args, extraPorts string) string {
	return fmt.Sprintf(`- name: istio-proxy
  image: %s
  args:
%s
  env:
%s
  ports:
%s  - containerPort: 15090
    name: http-envoy-prom
    protocol: TCP
  readinessProbe:
    httpGet:
      path: /healthz/ready
      port: 15021
  securityContext:
    runAsUser: 1337
    runAsGroup: 1337
    runAsNonRoot: true
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
`, proxyImage, indent(args, 2), indent(envYAML(p.env()), 2), extraPorts)
}

func podStatusYAML(ip string) string {
	return fmt.Sprintf(`status:
  phase: Running
  hostIP: %s
  podIP: %s
  podIPs:
  - ip: %s
  conditions:
  - type: Initialized
    status: "True"
  - type: Ready
    status: "True"
  - type: ContainersReady
    status: "True"
  - type: PodScheduled
    status: "True"
`, hostIP, ip, ip)
}

// Service ports carry targetPort as the apiserver stores it (it defaults targetPort to port):
// istiod's fake discovery server applies no defaulting, and without it istiod builds the
// sidecar's inbound chains for port 0 (inbound|0||), which real Envoy rejects as overlapping
// virtualInbound filter chains (found by internal/realenvoy).
func sleepYAML() string {
	p := sleepProxy
	podLabels := map[string]string{"pod-template-hash": "7b4c9d8f6"}
	for k, v := range p.Labels {
		podLabels[k] = v
	}
	sidecarArgs := `- proxy
- sidecar
- --domain
- $(POD_NAMESPACE).svc.cluster.local
- --proxyLogLevel=warning
- --proxyComponentLogLevel=misc:error
- --log_output_level=default:info`
	return fmt.Sprintf(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: sleep
  namespace: default
---
apiVersion: v1
kind: Service
metadata:
  name: sleep
  namespace: default
  labels:
    app: sleep
    service: sleep
spec:
  clusterIP: %s
  ports:
  - port: 80
    name: http
    targetPort: 80
  selector:
    app: sleep
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels:
      app: sleep
  template:
    metadata:
      labels:
        app: sleep
    spec:
      terminationGracePeriodSeconds: 0
      serviceAccountName: sleep
      containers:
      - name: sleep
        image: curlimages/curl
        command: ["/bin/sleep", "infinity"]
        imagePullPolicy: IfNotPresent
---
# The pod as sidecar injection leaves it (istio-init + istio-proxy, sidecar.istio.io/status).
# Its name and IP are the ones used in dumps/default/%s.json.
apiVersion: v1
kind: Pod
metadata:
  name: %s
  namespace: default
  labels:
%s
  annotations:
    kubectl.kubernetes.io/default-container: sleep
    kubectl.kubernetes.io/default-logs-container: sleep
    prometheus.io/path: /stats/prometheus
    prometheus.io/port: "15020"
    prometheus.io/scrape: "true"
    sidecar.istio.io/status: '%s'
spec:
  serviceAccountName: sleep
  terminationGracePeriodSeconds: 0
  initContainers:
  - name: istio-init
    image: %s
    args: ["istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020", "--log_output_level=default:info"]
    securityContext:
      capabilities:
        add: ["NET_ADMIN", "NET_RAW"]
        drop: ["ALL"]
      runAsUser: 0
      runAsGroup: 0
      runAsNonRoot: false
  containers:
  - name: sleep
    image: curlimages/curl
    command: ["/bin/sleep", "infinity"]
    imagePullPolicy: IfNotPresent
%s
%s`, sleepClusterIP, p.Pod, p.Pod, indent(labelsYAML(podLabels), 4), injectionStatus, proxyImage,
		indent(proxyContainerYAML(p, sidecarArgs, ""), 2), podStatusYAML(p.IP))
}

func egressGatewayYAML() string {
	p := gatewayProxy
	podLabels := map[string]string{"pod-template-hash": "6d8c4b7f9", "sidecar.istio.io/inject": "false"}
	for k, v := range p.Labels {
		podLabels[k] = v
	}
	routerArgs := `- proxy
- router
- --domain
- $(POD_NAMESPACE).svc.cluster.local
- --proxyLogLevel=warning
- --proxyComponentLogLevel=misc:error
- --log_output_level=default:info`
	return fmt.Sprintf(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: %s
  namespace: istio-system
---
apiVersion: v1
kind: Service
metadata:
  name: istio-egressgateway
  namespace: istio-system
  labels:
    app: istio-egressgateway
    istio: egressgateway
spec:
  type: ClusterIP
  clusterIP: %s
  ports:
  - name: http2
    port: 80
    protocol: TCP
    targetPort: 8080
  - name: https
    port: 443
    protocol: TCP
    targetPort: 8443
  selector:
    app: istio-egressgateway
    istio: egressgateway
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-egressgateway
  namespace: istio-system
  labels:
    app: istio-egressgateway
    istio: egressgateway
spec:
  replicas: 1
  selector:
    matchLabels:
      app: istio-egressgateway
      istio: egressgateway
  template:
    metadata:
      labels:
        app: istio-egressgateway
        istio: egressgateway
        sidecar.istio.io/inject: "false"
        service.istio.io/canonical-name: istio-egressgateway
        service.istio.io/canonical-revision: latest
    spec:
      serviceAccountName: %s
      containers:
      - name: istio-proxy
        image: %s
        args: ["proxy", "router", "--domain", "$(POD_NAMESPACE).svc.cluster.local"]
        ports:
        - containerPort: 8080
          protocol: TCP
        - containerPort: 8443
          protocol: TCP
        - containerPort: 15090
          name: http-envoy-prom
          protocol: TCP
---
# The egress gateway pod; its name and IP are the ones used in dumps/istio-system/%s.json.
apiVersion: v1
kind: Pod
metadata:
  name: %s
  namespace: istio-system
  labels:
%s
  annotations:
    prometheus.io/path: /stats/prometheus
    prometheus.io/port: "15020"
    prometheus.io/scrape: "true"
spec:
  serviceAccountName: %s
  containers:
%s
%s`, gwSA, gwClusterIP, gwSA, proxyImage, p.Pod, p.Pod, indent(labelsYAML(podLabels), 4), gwSA,
		indent(proxyContainerYAML(p, routerArgs, "  - containerPort: 8080\n    protocol: TCP\n  - containerPort: 8443\n    protocol: TCP\n"), 2), podStatusYAML(p.IP))
}

func meshExternalNginxYAML(hidden bool) string {
	anno := ""
	head := "# From the Istio docs (egress-tls-origination / egress-gateway-tls-origination): an nginx\n" +
		"# \"external\" service simulated inside the cluster.\n"
	if hidden {
		anno = "  annotations:\n    \"networking.istio.io/exportTo\": \".\" # simulate an external service by not exporting outside this namespace\n"
	} else {
		head += "# The docs' networking.istio.io/exportTo: \".\" annotation is left out here: it hides the Service\n" +
			"# from the egress gateway's namespace (istio-system), which then has no cluster for it.\n"
	}
	return head + fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: my-nginx
  namespace: mesh-external
  labels:
    run: my-nginx
%sspec:
  clusterIP: %s
  ports:
  - port: 443
    protocol: TCP
    targetPort: 443
  selector:
    run: my-nginx
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
  namespace: mesh-external
spec:
  selector:
    matchLabels:
      run: my-nginx
  replicas: 1
  template:
    metadata:
      labels:
        run: my-nginx
    spec:
      containers:
      - name: my-nginx
        image: nginx
        ports:
        - containerPort: 443
        volumeMounts:
        - name: nginx-config
          mountPath: /etc/nginx
          readOnly: true
        - name: nginx-server-certs
          mountPath: /etc/nginx-server-certs
          readOnly: true
        - name: nginx-ca-certs
          mountPath: /etc/nginx-ca-certs
          readOnly: true
      volumes:
      - name: nginx-config
        configMap:
          name: nginx-configmap
      - name: nginx-server-certs
        secret:
          secretName: nginx-server-certs
      - name: nginx-ca-certs
        secret:
          secretName: nginx-ca-certs
`, anno, nginxClusterIP)
}

// clientCredentialSecretYAML renders the Secret as `kubectl create secret generic client-credential
// --from-file=tls.key=... --from-file=tls.crt=... --from-file=ca.crt=...` would. keyPEM is the real
// key for istiod (in memory) or the placeholder for the manifest.
func clientCredentialSecretYAML(ns string, b *certBundle, key []byte, comment string) string {
	enc := base64.StdEncoding.EncodeToString
	return fmt.Sprintf(`%sapiVersion: v1
kind: Secret
metadata:
  name: client-credential
  namespace: %s
type: Opaque
data:
  ca.crt: %s
  tls.crt: %s
  tls.key: %s
`, comment, ns, enc(b.CACertPEM), enc(b.ClientCertPEM), enc(key))
}
