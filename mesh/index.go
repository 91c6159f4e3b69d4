package mesh

import (
	"sort"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// indexes are maintained by Snapshot.store so every lookup is a map access plus a sort
// of the (small) result, never a scan over all objects.
type indexes struct {
	seByHost hostIndex[*networkingv1.ServiceEntry]
	vsByHost hostIndex[*networkingv1.VirtualService]
	drByHost hostIndex[*networkingv1.DestinationRule]
	// seByPort is port number → upper-case protocol → ServiceEntries declaring it.
	seByPort map[int]map[string][]keyed[*networkingv1.ServiceEntry]
	podsByNS map[string][]*corev1.Pod
	// podsByLabel is namespace → "key=value" → pods carrying that label; podsByLabelAll
	// is the same over every namespace.
	podsByLabel    map[string]map[string][]*corev1.Pod
	podsByLabelAll map[string][]*corev1.Pod
	npByNS         map[string][]*netv1.NetworkPolicy
}

func newIndexes() indexes {
	return indexes{
		seByHost:       hostIndex[*networkingv1.ServiceEntry]{},
		vsByHost:       hostIndex[*networkingv1.VirtualService]{},
		drByHost:       hostIndex[*networkingv1.DestinationRule]{},
		seByPort:       map[int]map[string][]keyed[*networkingv1.ServiceEntry]{},
		podsByNS:       map[string][]*corev1.Pod{},
		podsByLabel:    map[string]map[string][]*corev1.Pod{},
		podsByLabelAll: map[string][]*corev1.Pod{},
		npByNS:         map[string][]*netv1.NetworkPolicy{},
	}
}

func (ix *indexes) addServiceEntry(se *networkingv1.ServiceEntry) {
	k := Key(se.Namespace, se.Name)
	for _, h := range se.Spec.GetHosts() {
		ix.seByHost.add(FQDN(h, se.Namespace), k, se)
	}
	for _, p := range se.Spec.GetPorts() {
		n, proto := int(p.GetNumber()), strings.ToUpper(p.GetProtocol())
		if ix.seByPort[n] == nil {
			ix.seByPort[n] = map[string][]keyed[*networkingv1.ServiceEntry]{}
		}
		ix.seByPort[n][proto] = append(ix.seByPort[n][proto], keyed[*networkingv1.ServiceEntry]{key: k, obj: se})
	}
}

func (ix *indexes) addVirtualService(vs *networkingv1.VirtualService) {
	for _, h := range vs.Spec.GetHosts() {
		ix.vsByHost.add(FQDN(h, vs.Namespace), Key(vs.Namespace, vs.Name), vs)
	}
}

func (ix *indexes) addDestinationRule(dr *networkingv1.DestinationRule) {
	ix.drByHost.add(FQDN(dr.Spec.GetHost(), dr.Namespace), Key(dr.Namespace, dr.Name), dr)
}

func (ix *indexes) addPod(p *corev1.Pod) {
	ix.podsByNS[p.Namespace] = append(ix.podsByNS[p.Namespace], p)
	byLabel := ix.podsByLabel[p.Namespace]
	if byLabel == nil {
		byLabel = map[string][]*corev1.Pod{}
		ix.podsByLabel[p.Namespace] = byLabel
	}
	for k, v := range p.Labels {
		byLabel[k+"="+v] = append(byLabel[k+"="+v], p)
		ix.podsByLabelAll[k+"="+v] = append(ix.podsByLabelAll[k+"="+v], p)
	}
}

func (ix *indexes) addNetworkPolicy(np *netv1.NetworkPolicy) {
	ix.npByNS[np.Namespace] = append(ix.npByNS[np.Namespace], np)
}

// FQDN expands a short host name ("reviews") the way Istio does, relative to the
// namespace of the object that names it; names with a dot, wildcards and "*" are kept.
// The result is lower-case.
func FQDN(host, namespace string) string {
	host = strings.ToLower(host)
	if host == "" || host == "*" || strings.Contains(host, ".") {
		return host
	}
	return host + "." + namespace + ".svc.cluster.local"
}

// hostIndex maps a host (exact or "*.suffix" wildcard) to the objects declaring it.
type hostIndex[T any] map[string][]keyed[T]

type keyed[T any] struct {
	key string
	obj T
}

func (hi hostIndex[T]) add(host, key string, obj T) {
	hi[host] = append(hi[host], keyed[T]{key: key, obj: obj})
}

// lookup returns the objects whose host equals host or is a wildcard covering it,
// each once, ordered by namespace/name.
func (hi hostIndex[T]) lookup(host string) []T {
	host = strings.ToLower(host)
	seen := map[string]T{}
	for _, cand := range hostCandidates(host) {
		for _, e := range hi[cand] {
			seen[e.key] = e.obj
		}
	}
	return sortedValues(seen)
}

// hostCandidates lists host itself and every wildcard that would cover it:
// a.b.c → a.b.c, *.b.c, *.c, *; and *.b.c → *.b.c, *.c, *.
func hostCandidates(host string) []string {
	out := []string{host}
	rest := strings.TrimPrefix(host, "*.")
	for {
		i := strings.IndexByte(rest, '.')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		out = append(out, "*."+rest)
	}
	if host != "*" {
		out = append(out, "*")
	}
	return out
}

// ServiceEntriesForHost returns the ServiceEntries declaring host or a wildcard covering
// it, ordered by namespace/name. host should be a FQDN (see FQDN).
func (s *Snapshot) ServiceEntriesForHost(host string) []*networkingv1.ServiceEntry {
	return s.idx.seByHost.lookup(host)
}

// VirtualServicesForHost returns the VirtualServices whose hosts include host or a
// wildcard covering it, ordered by namespace/name.
func (s *Snapshot) VirtualServicesForHost(host string) []*networkingv1.VirtualService {
	return s.idx.vsByHost.lookup(host)
}

// DestinationRulesForHost returns the DestinationRules whose host is host or a wildcard
// covering it, ordered by namespace/name.
func (s *Snapshot) DestinationRulesForHost(host string) []*networkingv1.DestinationRule {
	return s.idx.drByHost.lookup(host)
}

// ServiceEntriesOnPort returns the ServiceEntries declaring port number port with one of
// protocols (compared case-insensitively; any protocol when none is given), each once,
// ordered by namespace/name.
func (s *Snapshot) ServiceEntriesOnPort(port int, protocols ...string) []*networkingv1.ServiceEntry {
	seen := map[string]*networkingv1.ServiceEntry{}
	for proto, entries := range s.idx.seByPort[port] {
		if len(protocols) > 0 && !containsFold(protocols, proto) {
			continue
		}
		for _, e := range entries {
			seen[e.key] = e.obj
		}
	}
	return sortedValues(seen)
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

// PodsMatchingAnyNamespace returns the pods of every namespace matched by sel, ordered
// by namespace/name (a Gateway's selector applies across namespaces). Like PodsMatching
// it starts from the smallest label-index bucket named by an equality requirement.
func (s *Snapshot) PodsMatchingAnyNamespace(sel labels.Selector) []*corev1.Pod {
	var candidates []*corev1.Pod
	narrowed := false
	reqs, _ := sel.Requirements()
	for _, r := range reqs {
		op := r.Operator()
		if (op == selection.Equals || op == selection.DoubleEquals || op == selection.In) && r.Values().Len() == 1 {
			bucket := s.idx.podsByLabelAll[r.Key()+"="+r.Values().List()[0]]
			if !narrowed || len(bucket) < len(candidates) {
				candidates, narrowed = bucket, true
			}
		}
	}
	if !narrowed {
		for _, pods := range s.idx.podsByNS {
			candidates = append(candidates, pods...)
		}
	}
	matched := map[string]*corev1.Pod{}
	for _, p := range candidates {
		if sel.Matches(labels.Set(p.Labels)) {
			matched[Key(p.Namespace, p.Name)] = p
		}
	}
	return sortedValues(matched)
}

// NetworkPoliciesIn returns the NetworkPolicies of a namespace ordered by name.
func (s *Snapshot) NetworkPoliciesIn(namespace string) []*netv1.NetworkPolicy {
	out := append([]*netv1.NetworkPolicy(nil), s.idx.npByNS[namespace]...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ServiceKeyForHost returns the namespace and name of the Kubernetes Service a host names
// (NAME.NS.svc.cluster.local, NAME.NS.svc or NAME.NS); ok is false for other hosts.
func ServiceKeyForHost(host string) (namespace, name string, ok bool) {
	name, rest, found := strings.Cut(host, ".")
	if !found {
		return "", "", false
	}
	namespace, _, _ = strings.Cut(rest, ".")
	if !strings.HasSuffix(host, ".svc.cluster.local") && rest != namespace+".svc" && rest != namespace {
		return "", "", false
	}
	return namespace, name, true
}
