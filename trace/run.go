package trace

import (
	"strings"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	corev1 "k8s.io/api/core/v1"
)

// analysis is one trace in progress: the inputs, the intent, the legs walked through the
// dumps and the report being filled.
type analysis struct {
	in       Input
	snap     *mesh.Snapshot
	target   Target
	client   *corev1.Pod
	clientNS string
	intent   intent
	cap      capture
	side     leg  // the client's sidecar
	gw       *leg // the egress gateway, when the sidecar sends there
	rep      *Report
	// end is where and how the request stops, set by the walk.
	end outcome
	// gwPod, when set, is the gateway pod to follow (replica comparison).
	gwPod string
	// dns is how the client resolves the host: hostAliases and resolv.conf (dns.go).
	dns clientDNS
	// uncertain lists the objects the trace does not model that sit on the path.
	uncertain []Uncertainty
}

// outcome is the walk's conclusion before checks add their causes.
type outcome struct {
	kind     VerdictKind
	summary  string
	response string
	hop      int
	missing  []string
}

// Run traces in.Host from in.Client through the sidecar and egress gateway. It is pure:
// it reads only in and returns a Report; problems in the mesh are Findings.
func Run(in Input) *Report {
	a := newAnalysis(in)
	a.walk()
	a.runChecks()
	a.decide()
	a.finish()
	return a.rep
}

func newAnalysis(in Input) *analysis {
	if in.Snapshot == nil {
		in.Snapshot = mesh.NewSnapshot("")
	}
	a := &analysis{in: in, snap: in.Snapshot, end: outcome{hop: -1}}
	a.clientNS, _, _ = strings.Cut(in.Client, "/")
	a.client = a.snap.Pods[in.Client]
	a.target = a.resolveTarget()
	a.dns = a.resolveClientDNS()
	a.buildIntent()
	a.rep = &Report{
		Target: a.target,
		From:   Workload{Namespace: a.clientNS, Ref: in.ClientRef},
		Inputs: Inputs{Source: in.Source, OutboundTrafficPolicy: a.intent.Mode},
	}
	if a.client != nil {
		a.rep.From.Pod = a.client.Name
		a.rep.From.Sidecar = mesh.HasSidecar(a.client)
	} else if _, pod, ok := strings.Cut(in.Client, "/"); ok {
		a.rep.From.Pod = pod
		a.rep.From.Sidecar = a.dump(in.Client) != nil
	}
	return a
}

// dump returns the parsed dump of proxy "ns/pod", or nil.
func (a *analysis) dump(proxy string) *envoy.Dump {
	if proxy == "" {
		return nil
	}
	return a.in.Dumps[proxy]
}

// addHop appends a hop and returns its index.
func (a *analysis) addHop(h Hop) int {
	if h.Status == "" {
		h.Status = StatusOK
	}
	a.rep.Hops = append(a.rep.Hops, h)
	return len(a.rep.Hops) - 1
}

// stop records that the request ends at hop with response.
func (a *analysis) stop(hop int, summary, response string) {
	if a.end.kind != "" {
		return
	}
	a.end = outcome{kind: Blocked, summary: summary, response: response, hop: hop}
	if hop >= 0 {
		a.rep.Hops[hop].Status = StatusFail
	}
}

// needDump records a proxy whose dump was needed but absent.
func (a *analysis) needDump(proxy string) {
	for _, p := range a.rep.Inputs.MissingDumps {
		if p == proxy {
			return
		}
	}
	a.rep.Inputs.MissingDumps = append(a.rep.Inputs.MissingDumps, proxy)
}

// useDump records a proxy whose dump was read.
func (a *analysis) useDump(proxy string) {
	for _, p := range a.rep.Inputs.Proxies {
		if p == proxy {
			return
		}
	}
	a.rep.Inputs.Proxies = append(a.rep.Inputs.Proxies, proxy)
}
