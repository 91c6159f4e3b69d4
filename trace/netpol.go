package trace

import (
	"net/netip"
	"slices"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// peer is a destination an egress NetworkPolicy is judged against.
type peer struct {
	ns     string
	labels map[string]string
	addr   netip.Addr // set for addresses outside the cluster's pods
	// external marks an address only DNS knows; it matches ipBlocks covering everything.
	external bool
}

// egressPolicies returns the NetworkPolicies that restrict the pod's egress.
func egressPolicies(s *mesh.Snapshot, pod *corev1.Pod) []*netv1.NetworkPolicy {
	var out []*netv1.NetworkPolicy
	for _, np := range s.NetworkPoliciesIn(pod.Namespace) {
		sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		if err != nil || !sel.Matches(labels.Set(pod.Labels)) {
			continue
		}
		if slices.Contains(np.Spec.PolicyTypes, netv1.PolicyTypeEgress) || (len(np.Spec.PolicyTypes) == 0 && len(np.Spec.Egress) > 0) {
			out = append(out, np)
		}
	}
	return out
}

// egressAllows reports whether one of the policies allows egress to p on proto/port.
func egressAllows(s *mesh.Snapshot, pols []*netv1.NetworkPolicy, p peer, proto corev1.Protocol, port int) bool {
	for _, np := range pols {
		for _, r := range np.Spec.Egress {
			if portsAllow(r.Ports, proto, port) && peersAllow(s, np.Namespace, r.To, p) {
				return true
			}
		}
	}
	return false
}

func portsAllow(ports []netv1.NetworkPolicyPort, proto corev1.Protocol, port int) bool {
	if len(ports) == 0 {
		return true
	}
	for _, pp := range ports {
		pr := corev1.ProtocolTCP
		if pp.Protocol != nil {
			pr = *pp.Protocol
		}
		if pr != proto {
			continue
		}
		if pp.Port == nil {
			return true
		}
		lo, hi := pp.Port.IntValue(), pp.Port.IntValue()
		if pp.EndPort != nil {
			hi = int(*pp.EndPort)
		}
		if lo > 0 && port >= lo && port <= hi {
			return true
		}
	}
	return false
}

func peersAllow(s *mesh.Snapshot, policyNS string, to []netv1.NetworkPolicyPeer, p peer) bool {
	if len(to) == 0 {
		return true
	}
	return slices.ContainsFunc(to, func(np netv1.NetworkPolicyPeer) bool { return peerMatches(s, policyNS, np, p) })
}

func peerMatches(s *mesh.Snapshot, policyNS string, np netv1.NetworkPolicyPeer, p peer) bool {
	if b := np.IPBlock; b != nil {
		return ipBlockMatches(b, p)
	}
	if p.external || p.addr.IsValid() {
		return false
	}
	if np.NamespaceSelector == nil {
		if p.ns != policyNS {
			return false
		}
	} else if !selects(np.NamespaceSelector, namespaceLabels(s, p.ns)) {
		return false
	}
	return np.PodSelector == nil || selects(np.PodSelector, p.labels)
}

func ipBlockMatches(b *netv1.IPBlock, p peer) bool {
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil {
		return false
	}
	if p.external {
		return cidr.Bits() == 0
	}
	if !p.addr.IsValid() || !cidr.Contains(p.addr) {
		return false
	}
	for _, e := range b.Except {
		if ex, err := netip.ParsePrefix(e); err == nil && ex.Contains(p.addr) {
			return false
		}
	}
	return true
}

func selects(ls *metav1.LabelSelector, set map[string]string) bool {
	sel, err := metav1.LabelSelectorAsSelector(ls)
	return err == nil && sel.Matches(labels.Set(set))
}

// namespaceLabels returns a namespace's labels plus kubernetes.io/metadata.name.
func namespaceLabels(s *mesh.Snapshot, ns string) map[string]string {
	out := map[string]string{"kubernetes.io/metadata.name": ns}
	if n := s.Namespaces[ns]; n != nil {
		for k, v := range n.Labels {
			out[k] = v
		}
	}
	return out
}
