package trace

// The Report is the JSON/YAML API of `kubectl egress trace`: add fields, never rename.

// Report is the result of tracing one host from one workload.
type Report struct {
	Target   Target    `json:"target"`
	From     Workload  `json:"from"`
	Verdict  Verdict   `json:"verdict"`
	Hops     []Hop     `json:"hops"`
	Findings []Finding `json:"findings"`
	Inputs   Inputs    `json:"inputs"`
}

// Target is the traced destination.
type Target struct {
	Host string `json:"host"`
	Port int    `json:"port"`
	// Protocol is http, https, tls or tcp: what the client sends on Port.
	Protocol string `json:"protocol"`
	// PortSource says where Port/Protocol came from: "argument", "serviceentry", "default".
	PortSource string `json:"portSource,omitempty"`
	// Path is the URL path traced when one was given ("/" otherwise).
	Path string `json:"path,omitempty"`
}

// Workload is the client the trace starts from.
type Workload struct {
	Namespace string `json:"namespace"`
	Pod       string `json:"pod,omitempty"`
	Ref       string `json:"ref,omitempty"` // as given: deploy/sleep, app=sleep, pod/NAME
	Sidecar   bool   `json:"sidecar"`
}

// VerdictKind is the one-word answer.
type VerdictKind string

// Verdicts.
const (
	ViaGateway VerdictKind = "via-gateway" // reaches the host through the egress gateway
	Direct     VerdictKind = "direct"      // reaches the host from the sidecar, no gateway
	Bypass     VerdictKind = "bypass"      // reaches the host but skips the sidecar or gateway policy (Passthrough, capture excluded)
	Blocked    VerdictKind = "blocked"     // the request fails at a hop
	Unknown    VerdictKind = "unknown"     // inputs were missing to decide
)

// Verdict is the trace's answer and what the client would see.
type Verdict struct {
	Kind    VerdictKind `json:"kind"`
	Summary string      `json:"summary"`
	// Response is what the client would observe, e.g. "HTTP 502 (route block_all)",
	// "503 NC cluster_not_found", "connection reset", "400 plain HTTP request was sent to HTTPS port".
	Response string `json:"response,omitempty"`
	// AtHop is the index in Hops where the request stops or is decided (-1 if none).
	AtHop int `json:"atHop"`
	// Missing lists what was needed and absent when Kind is unknown.
	Missing []string `json:"missing,omitempty"`
	// Uncertain lists the objects the trace does not model that sit on the path (the
	// EGR07xx findings): from the first one's hop on, the hops may not be what the proxies
	// do, and no Error is reported on them.
	Uncertain []Uncertainty `json:"uncertain,omitempty"`
}

// Uncertainty is one object on the path that the trace does not model.
type Uncertainty struct {
	// Hop is the index in Hops from which the object can change the answer.
	Hop    int    `json:"hop"`
	Object string `json:"object"`
	// Code is the finding that names it.
	Code string `json:"code"`
}

// HopKind names the step of the path.
type HopKind string

// Hop kinds, in path order.
const (
	HopClient          HopKind = "client"           // capture: does the sidecar intercept it?
	HopListener        HopKind = "listener"         // sidecar listener + filter chain
	HopRoute           HopKind = "route"            // route config / virtual host / route, or tcp_proxy
	HopCluster         HopKind = "cluster"          // sidecar upstream cluster
	HopGatewayListener HopKind = "gateway-listener" // egress gateway listener + filter chain
	HopGatewayRoute    HopKind = "gateway-route"
	HopGatewayCluster  HopKind = "gateway-cluster"
	HopExternal        HopKind = "external" // the external service
)

// Status of one hop.
type Status string

// Hop statuses.
const (
	StatusOK      Status = "ok"
	StatusWarning Status = "warning"
	StatusFail    Status = "fail"
	StatusUnknown Status = "unknown"
)

// Hop is one step of the path, as the proxy's dump shows it (actual), with the Istio object
// that produced it (intent) where known.
type Hop struct {
	Kind HopKind `json:"kind"`
	// Proxy is "namespace/pod" of the proxy holding this config ("" for client and external).
	Proxy string `json:"proxy,omitempty"`
	// Name is Istio's/Envoy's own name: 0.0.0.0_443, "80", http.8080, outbound|443||edition.cnn.com.
	Name string `json:"name"`
	// Detail is the matching part: filter chain SNI, virtual host and route, cluster type and endpoints.
	Detail string   `json:"detail,omitempty"`
	TLS    *TLS     `json:"tls,omitempty"`
	Object string   `json:"object,omitempty"` // "DestinationRule istio-system/originate-mtls"
	State  string   `json:"state,omitempty"`  // active, warming, rejected (from the dump)
	Status Status   `json:"status"`
	Notes  []string `json:"notes,omitempty"`
}

// TLS is how a hop's connection is secured.
type TLS struct {
	// Mode: none, passthrough (client TLS carried through), istio-mutual, simple, mutual, auto-mtls.
	Mode string `json:"mode"`
	SNI  string `json:"sni,omitempty"`
	// Credential is the SDS secret presented: kubernetes://client-credential, default, file-cert:...
	Credential string `json:"credential,omitempty"`
	// Validation is the SDS/trust used to verify the peer: ROOTCA, file-root:system, kubernetes://x-cacert.
	Validation      string   `json:"validation,omitempty"`
	SubjectAltNames []string `json:"subjectAltNames,omitempty"`
}

// Level of a finding, ordered: Info < Warning < Error.
type Level string

// Finding levels.
const (
	LevelInfo    Level = "Info"
	LevelWarning Level = "Warning"
	LevelError   Level = "Error"
)

// Finding is one coded problem, modelled on Istio's analyzer messages.
type Finding struct {
	Code  string `json:"code"` // permanent, e.g. EGR0101
	Level Level  `json:"level"`
	// Object is the Istio/Kubernetes object it concerns: "ServiceEntry default/cnn".
	Object string `json:"object,omitempty"`
	// Proxy is the namespace/pod whose config shows it, if any.
	Proxy string `json:"proxy,omitempty"`
	// Hop is the index in Report.Hops it concerns, or -1.
	Hop int `json:"hop"`
	// Message states the observed value and the rule; Fix says what to change.
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

// Inputs records what the trace read, so a reader can judge how far to trust it.
type Inputs struct {
	Source  string   `json:"source"` // "cluster" or "files"
	Proxies []string `json:"proxies,omitempty"`
	// MissingDumps lists proxies whose dumps were needed but not available (intent-only there).
	MissingDumps []string `json:"missingDumps,omitempty"`
	// OutboundTrafficPolicy is the mesh-wide mode (ALLOW_ANY or REGISTRY_ONLY).
	OutboundTrafficPolicy string `json:"outboundTrafficPolicy"`
	// ClientChoice says which pod was traced from, and why, when --from matched several.
	ClientChoice *ClientChoice `json:"clientChoice,omitempty"`
}

// ClientChoice is how the client pod was picked among the pods --from matched.
type ClientChoice struct {
	// Candidates is how many pods --from matched.
	Candidates int `json:"candidates"`
	// Pod is the chosen pod, namespace/name.
	Pod string `json:"pod"`
	// Reason is what was seen of it: "Running, Ready, istio-proxy".
	Reason string `json:"reason"`
}
