package plugin

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/render"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// loaded is what a load (files or cluster) produced for one trace.
type loaded struct {
	Input trace.Input
	// missingDumps are proxies the trace needs whose dump could not be had.
	missingDumps []string
	// choice is how the client was picked among several pods, or nil.
	choice *trace.ClientChoice
}

// complete records in the report what the load could not get, whatever the trace saw.
func (l *loaded) complete(r *trace.Report) {
	r.Inputs.ClientChoice = l.choice
	r.Inputs.MissingDumps = sortedUnique(append(r.Inputs.MissingDumps, l.missingDumps...))
	if len(r.Inputs.MissingDumps) == 0 {
		r.Inputs.MissingDumps = nil
	}
}

// newInput starts the trace input for the chosen client pod.
func (o *TraceOptions) newInput(snap *mesh.Snapshot, client *corev1.Pod, source string) trace.Input {
	return trace.Input{
		Snapshot:  snap,
		Dumps:     map[string]*envoy.Dump{},
		Host:      o.Target.Host,
		Port:      o.Target.Port,
		Protocol:  o.Target.Protocol,
		Path:      o.Target.Path,
		Now:       o.now,
		Client:    mesh.Key(client.Namespace, client.Name),
		ClientRef: o.From,
		Source:    source,
	}
}

// pickClient chooses the fittest pod --from matched (mesh.BestClient: not terminating,
// Running, Ready, with a sidecar; offline, with a dump first). With several candidates it
// says on stderr which was chosen and why, and returns that for the report.
func (o *TraceOptions) pickClient(pods []*corev1.Pod, err error, hasDump func(*corev1.Pod) bool) (*corev1.Pod, *trace.ClientChoice, error) {
	if err != nil {
		hint := ""
		if errors.Is(err, mesh.ErrNoClient) && !errors.Is(err, mesh.ErrNoNamespace) {
			hint = "; if the client runs in another namespace, pass -n NAMESPACE"
		}
		return nil, nil, fmt.Errorf("resolve --from %s in namespace %s: %w%s", o.From, o.Namespace, err, hint)
	}
	best, fit := mesh.BestClient(pods, hasDump)
	if len(pods) == 1 {
		return best, nil, nil
	}
	choice := &trace.ClientChoice{Candidates: len(pods), Pod: mesh.Key(best.Namespace, best.Name), Reason: fit.String()}
	o.progressf("%d pods match %s; chose %s (%s); pass --from pod/NAME to pick another\n",
		choice.Candidates, o.From, choice.Pod, choice.Reason)
	return best, choice, nil
}

// proxiesNeeded is trace.ProxiesNeeded less the pods known to run no istio-proxy (a
// client without sidecar): they have no dump to fetch, and none is missing.
func proxiesNeeded(snap *mesh.Snapshot, host string, port int, client string) []string {
	var out []string
	for _, key := range trace.ProxiesNeeded(snap, host, port, client) {
		if p := snap.Pods[key]; p == nil || mesh.HasSidecar(p) {
			out = append(out, key)
		}
	}
	return out
}

// dumpFilter keeps what a trace of the target reads from a dump (envoy.ForHost): on a
// mesh-scale dump that is a small part, and only that part is decoded.
func (o *TraceOptions) dumpFilter() envoy.Filter {
	return envoy.ForHost(strings.ToLower(o.Target.Host), o.Target.Port)
}

// parseDumpBytes parses what filter keeps of one proxy's dump; unreadable bytes are an
// InputError naming both.
func parseDumpBytes(key, from string, data []byte, filter envoy.Filter) (*envoy.Dump, error) {
	d, err := envoy.ParseFiltered(data, filter)
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("read dump %s from %s: %w", key, from, err)}
	}
	return d, nil
}

// credentialSecrets are the namespace/name keys of the Secrets named by credentialName in
// the DestinationRules for host and in the Gateways, where istiod would look for them:
// the DestinationRule's namespace (sidecar origination) and the gateways' namespace.
func credentialSecrets(snap *mesh.Snapshot, host string, gatewayNamespaces []string) []string {
	var keys []string
	// secret is the Secret istiod reads for a proxy in ns (kubernetes://NAME and
	// kubernetes-gateway://NS/NAME resolved; builtin://, configmap://, sds:// name none).
	secret := func(ns, name string) {
		if ref := mesh.ResolveCredential(name, ns); ref.Kind == mesh.CredentialSecret {
			keys = append(keys, mesh.Key(ref.Namespace, ref.Name))
		}
	}
	for _, dr := range snap.DestinationRulesForHost(host) {
		for _, name := range drCredentialNames(dr) {
			secret(dr.Namespace, name)
			for _, ns := range gatewayNamespaces {
				secret(ns, name)
			}
		}
	}
	for _, k := range mesh.SortedKeys(snap.Gateways) {
		for _, srv := range snap.Gateways[k].Spec.GetServers() {
			if name := srv.GetTls().GetCredentialName(); name != "" {
				for _, ns := range gatewayNamespaces {
					secret(ns, name)
				}
			}
		}
	}
	return sortedUnique(keys)
}

// drCredentialNames lists every credentialName a DestinationRule sets, at any level.
func drCredentialNames(dr *networkingv1.DestinationRule) []string {
	tp := dr.Spec.GetTrafficPolicy()
	names := []string{tp.GetTls().GetCredentialName()}
	for _, pl := range tp.GetPortLevelSettings() {
		names = append(names, pl.GetTls().GetCredentialName())
	}
	for _, ss := range dr.Spec.GetSubsets() {
		stp := ss.GetTrafficPolicy()
		names = append(names, stp.GetTls().GetCredentialName())
		for _, pl := range stp.GetPortLevelSettings() {
			names = append(names, pl.GetTls().GetCredentialName())
		}
	}
	return sortedUnique(names)
}

// sortedUnique sorts and deduplicates, dropping empty strings.
func sortedUnique(in []string) []string {
	set := map[string]bool{}
	for _, s := range in {
		if s != "" {
			set[s] = true
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// dumpKey checks a NAMESPACE/POD key.
func dumpKey(key string) bool {
	ns, pod, ok := strings.Cut(key, "/")
	return ok && ns != "" && pod != "" && !strings.Contains(pod, "/")
}

// warnSkipped warns of manifests of a kind kubectl-egress models (a ServiceEntry, a Pod, ...)
// that were skipped for an apiVersion it does not read: left out silently, they could change
// the answer. Kinds it does not model (ConfigMaps, CRDs of other projects) are not listed.
func warnSkipped(w io.Writer, skips []mesh.Skip) {
	for _, sk := range skips {
		if !strings.HasPrefix(sk.Reason, mesh.ReasonUnsupportedAPIVersion) {
			continue
		}
		name := sk.Name
		if sk.Namespace != "" {
			name = sk.Namespace + "/" + sk.Name
		}
		from := ""
		if sk.Source != "" {
			from = " in " + sk.Source
		}
		fmt.Fprint(w, render.Escapef("warning: skipped %s %s%s: %s; the answer does not take it into account\n", sk.Kind, name, from, sk.Reason))
	}
}

// progressf writes a progress or warning line to stderr, its arguments terminal-escaped.
func (o *TraceOptions) progressf(format string, a ...any) {
	fmt.Fprint(o.ErrOut, render.Escapef(format, a...))
}
