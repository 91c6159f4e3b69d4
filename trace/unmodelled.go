package trace

// Support says whether the trace models something that can change an egress answer.
type Support string

// Supports.
const (
	Modelled    Support = "modelled"
	NotModelled Support = "not modelled"
	// NoEgressEffect is for installed kinds that cannot change an egress answer.
	NoEgressEffect Support = "no egress effect"
)

// ModelEntry is one object kind, label, annotation or pod field that can change an egress
// answer, and whether the trace models it. A not-modelled entry names where it will be
// modelled and what it can change; the EGR07xx checks warn when one sits on the path.
type ModelEntry struct {
	// Type is kind, label, annotation or pod field.
	Type string `json:"type"`
	// Name is the kind ("EnvoyFilter"), label, annotation or field name.
	Name  string `json:"name"`
	Group string `json:"group,omitempty"`
	// Support; Where names the code that models it, or the issue that will.
	Support Support `json:"support"`
	Where   string  `json:"where"`
	Changes string  `json:"changes"`
}

// Registry entry types.
const (
	entryKind       = "kind"
	entryLabel      = "label"
	entryAnnotation = "annotation"
	entryPodField   = "pod field"
	entryField      = "field"
)

const (
	issueGatewayAPI = "issue 19 (Gateway API)"
	issueAmbient    = "ambient mode (future)"
	notPlanned      = "not planned yet"
	gwAPI           = "gateway.networking.k8s.io"
	gwAPIX          = "gateway.networking.x-k8s.io"
	netIstio        = "networking.istio.io"
	secIstio        = "security.istio.io"
	extIstio        = "extensions.istio.io"
)

func kindEntry(group, name string, s Support, where, changes string) ModelEntry {
	return ModelEntry{Type: entryKind, Group: group, Name: name, Support: s, Where: where, Changes: changes}
}

// modelRegistry is the one list of what can change an egress answer. A kind moves to
// Modelled in the same commit as its support; TestRegistryMatchesCode holds it to the code.
var modelRegistry = []ModelEntry{
	kindEntry(netIstio, "ServiceEntry", Modelled, "trace/intent.go", "whether and how the host is in the registry"),
	kindEntry(netIstio, "VirtualService", Modelled, "trace/intent_routes.go", "routes to the egress gateway and out"),
	kindEntry(netIstio, "DestinationRule", Modelled, "trace/walk_gateway.go", "subsets and TLS origination"),
	kindEntry(netIstio, "Gateway", Modelled, "trace/walk_gateway.go", "the egress gateway's servers"),
	kindEntry(netIstio, "Sidecar", Modelled, "trace/check_sidecar_import.go", "egress scope (hosts) and outboundTrafficPolicy of the client"),
	kindEntry("", "Namespace", Modelled, "trace/netpol.go", "labels NetworkPolicies and injection select on"),
	kindEntry("", "Pod", Modelled, "mesh/pod.go", "the client, its sidecar and capture, the gateway pods"),
	kindEntry("", "Service", Modelled, "trace/istio.go", "the egress gateway Service and cluster-local hosts"),
	kindEntry("", "Secret", Modelled, "trace/credentials.go", "credentialName certificates (reduced, never kept)"),
	kindEntry("", "ConfigMap", Modelled, "mesh/meshconfig.go", "the mesh config (outboundTrafficPolicy, root namespace)"),
	kindEntry("apps", "Deployment", Modelled, "mesh/workload.go", "resolving --from deploy/NAME"),
	kindEntry("apps", "ReplicaSet", Modelled, "mesh/workload.go", "resolving --from deploy/NAME"),
	kindEntry("networking.k8s.io", "NetworkPolicy", Modelled, "trace/netpol.go", "whether the client may reach the host without the gateway"),
	kindEntry(netIstio, "EnvoyFilter", NotModelled, notPlanned, "patches listeners, routes and clusters of the proxies it selects"),
	kindEntry(netIstio, "WorkloadEntry", NotModelled, notPlanned, "endpoints of a ServiceEntry with a workloadSelector"),
	kindEntry(netIstio, "WorkloadGroup", NotModelled, notPlanned, "endpoints (auto-registered VMs) of a ServiceEntry"),
	kindEntry(netIstio, "ProxyConfig", NotModelled, notPlanned, "proxy settings and environment (e.g. DNS capture) of the proxies it selects"),
	kindEntry(secIstio, "AuthorizationPolicy", NotModelled, notPlanned, "can deny the request at the egress gateway (or at a waypoint)"),
	kindEntry(secIstio, "PeerAuthentication", NotModelled, notPlanned, "the mTLS the egress gateway accepts and the sidecar's auto mTLS to it"),
	kindEntry(secIstio, "RequestAuthentication", NoEgressEffect, "-", "validates JWTs of inbound requests; denies only with an AuthorizationPolicy (listed above)"),
	kindEntry(extIstio, "WasmPlugin", NotModelled, notPlanned, "adds HTTP filters that can change or deny requests on the proxies it selects"),
	kindEntry(extIstio, "TrafficExtension", NotModelled, notPlanned, "adds filters that can change or deny requests on the proxies it selects"),
	kindEntry("telemetry.istio.io", "Telemetry", NoEgressEffect, "-", "access logs, metrics and tracing only"),
	kindEntry(gwAPI, "Gateway", NotModelled, issueGatewayAPI, "an egress gateway deployed by istiod (class istio), or a waypoint (class istio-waypoint)"),
	kindEntry(gwAPI, "ListenerSet", NotModelled, issueGatewayAPI, "listeners added to a Gateway API Gateway"),
	kindEntry(gwAPI, "HTTPRoute", NotModelled, issueGatewayAPI, "mesh routes (parentRef ServiceEntry) and gateway routes for the host"),
	kindEntry(gwAPI, "GRPCRoute", NotModelled, issueGatewayAPI, "mesh and gateway routes for the host"),
	kindEntry(gwAPI, "TLSRoute", NotModelled, issueGatewayAPI, "SNI routes for the host"),
	kindEntry(gwAPI, "TCPRoute", NotModelled, issueGatewayAPI, "TCP routes for the host's port"),
	kindEntry(gwAPI, "UDPRoute", NotModelled, issueGatewayAPI, "UDP routes for the host's port"),
	kindEntry(gwAPI, "BackendTLSPolicy", NotModelled, issueGatewayAPI, "TLS origination to the host (a generated DestinationRule)"),
	kindEntry(gwAPI, "ReferenceGrant", NotModelled, issueGatewayAPI, "whether cross-namespace routes to the host's Service or ServiceEntry are allowed"),
	kindEntry(gwAPI, "GatewayClass", NoEgressEffect, "-", "the controller of a class; the Gateway's gatewayClassName is read from the Gateway"),
	kindEntry(gwAPIX, "XBackend", NotModelled, issueGatewayAPI, "a generated ServiceEntry for an external hostname"),
	kindEntry(gwAPIX, "XBackendTrafficPolicy", NotModelled, issueGatewayAPI, "retries and session persistence to a backend"),
	kindEntry(gwAPIX, "XMesh", NoEgressEffect, "-", "describes the mesh implementation only"),
	kindEntry(gwAPIX, "XTelemetryPolicy", NoEgressEffect, "-", "tracing only"),
	{Type: entryLabel, Name: "istio.io/dataplane-mode", Support: NotModelled, Where: issueAmbient, Changes: "ambient: ztunnel captures a pod without a sidecar (pod or namespace label)"},
	{Type: entryLabel, Name: "istio.io/use-waypoint", Support: NotModelled, Where: issueAmbient, Changes: "ambient: sends the ambient client's traffic through a waypoint (sidecar clients do not use waypoints)"},
	{Type: entryField, Group: gwAPI, Name: "Gateway spec.gatewayClassName: istio-waypoint", Support: NotModelled, Where: issueAmbient, Changes: "a waypoint that acts as the egress gateway for ambient clients"},
	{Type: entryAnnotation, Name: "traffic.sidecar.istio.io/excludeOutboundIPRanges", Support: Modelled, Where: "mesh/pod.go", Changes: "capture by the sidecar"},
	{Type: entryAnnotation, Name: "traffic.sidecar.istio.io/includeOutboundIPRanges", Support: Modelled, Where: "mesh/pod.go", Changes: "capture by the sidecar"},
	{Type: entryAnnotation, Name: "traffic.sidecar.istio.io/excludeOutboundPorts", Support: Modelled, Where: "mesh/pod.go", Changes: "capture by the sidecar"},
	{Type: entryAnnotation, Name: "traffic.sidecar.istio.io/includeOutboundPorts", Support: Modelled, Where: "mesh/pod.go", Changes: "capture by the sidecar"},
	{Type: entryAnnotation, Name: "sidecar.istio.io/interceptionMode", Support: NotModelled, Where: notPlanned, Changes: "NONE turns the iptables capture off; TPROXY keeps it"},
	{Type: entryAnnotation, Name: "proxy.istio.io/config", Support: NotModelled, Where: notPlanned, Changes: "the client proxy's settings (e.g. proxyMetadata such as DNS capture)"},
	{Type: entryPodField, Name: "spec.containers istio-proxy", Support: Modelled, Where: "mesh/pod.go", Changes: "whether the pod has a sidecar at all"},
	{Type: entryPodField, Name: "spec.hostNetwork", Support: NotModelled, Where: notPlanned, Changes: "the pod uses the node's network: no sidecar capture, NetworkPolicies do not apply"},
	{Type: entryPodField, Name: "spec.hostAliases", Support: Modelled, Where: "trace/dns*.go", Changes: "the address the host resolves to"},
	{Type: entryPodField, Name: "spec.dnsConfig", Support: Modelled, Where: "trace/dns*.go", Changes: "the resolver and search path the host is resolved with"},
}

// Models returns the registry, in its fixed order.
func Models() []ModelEntry {
	return append([]ModelEntry(nil), modelRegistry...)
}
