package secrets

import (
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

// checkRBAC: istiod serves a credential only if the proxy's service account may list
// secrets in its namespace (it asks with a SubjectAccessReview).
func checkRBAC(x *checkCtx) {
	for i := range x.cred.Proxies {
		p := &x.cred.Proxies[i]
		podNS, _, _ := strings.Cut(p.Pod, "/")
		if v, ok := x.in.ListSecrets[AccessKey(x.cred.Namespace, podNS, p.ServiceAccount)]; ok {
			p.ListSecrets = v
		}
		if p.ListSecrets == AccessDenied {
			user := ServiceAccountUser(podNS, p.ServiceAccount)
			x.add(CodeListDenied, x.secretObject(), p.Pod, "bind a Role with list on secrets in namespace "+x.cred.Namespace+" to "+user+" (Istio's charts create one for the gateway)",
				"service account %s of proxy %s may not list secrets in namespace %q: istiod refuses to serve credential %q to it, so the SDS secret stays warming", user, p.Pod, x.cred.Namespace, x.cred.Name)
		}
	}
}

// sdsNames are the SDS secrets a credential's uses make a proxy request.
func (x *checkCtx) sdsNames() []string {
	var out []string
	add := func(n string) {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, u := range x.activeUses() {
		if u.Mode != "SIMPLE" || u.Side == "termination" {
			add(x.cred.SDSResource())
		}
		if u.Mode != "SIMPLE" || u.Side == "origination" {
			add(x.cred.SDSResource() + "-cacert")
		}
	}
	return out
}

// checkProxies reads each proxy's dump: SDS secrets active, the same certificate as the
// Secret, and the clusters using them active.
func checkProxies(x *checkCtx) {
	for i := range x.cred.Proxies {
		p := &x.cred.Proxies[i]
		d := x.in.Dumps[p.Pod]
		if d == nil {
			x.add(CodeNoDump, "Pod "+p.Pod, p.Pod, "pass --dump "+p.Pod+"=FILE, or run against the cluster with get on pods and create on pods/portforward",
				"no config dump of proxy %s: whether it loaded credential %q was not checked", p.Pod, x.cred.Name)
			continue
		}
		p.Dump = true
		for _, name := range x.sdsNames() {
			s := x.sdsState(p.Pod, d, name)
			p.SDS = append(p.SDS, s)
		}
	}
}

func (x *checkCtx) sdsState(pod string, d *envoy.Dump, name string) SDSSecret {
	out := SDSSecret{Name: name, State: "absent", Clusters: clustersUsing(d, name)}
	sec := findSecret(d, name)
	if sec != nil {
		out.State = string(sec.State)
		if len(sec.Certificates) > 0 {
			out.Serial, out.NotAfter = sec.Certificates[0].Serial, sec.Certificates[0].NotAfter
		}
	}
	switch {
	case sec == nil && len(out.Clusters) == 0:
		x.add(CodeSDSAbsent, "Pod "+pod, pod, "check that the setting reaches this proxy (exportTo, workloadSelector, the gateway's routes) with kubectl egress trace",
			"proxy %s has no SDS secret %s and no cluster using it: %s does not reach this proxy", pod, name, x.uses())
	case sec == nil || out.State != string(envoy.StateActive):
		x.add(CodeSDSWarming, "Pod "+pod, pod, "fix the Secret (name, namespace, keys) and the gateway's RBAC; istiod pushes it as soon as it can read it",
			"proxy %s: SDS secret %s is %s, not active: istiod has not served Secret %s, so TLS with it fails (503)", pod, name, stateWord(out.State), x.key())
	default:
		x.checkDrift(pod, name, sec)
	}
	for _, c := range out.Clusters {
		if c.State != string(envoy.StateActive) {
			x.add(CodeClusterNotActive, "Pod "+pod, pod, "fix the SDS secret it waits for; the cluster activates when it arrives",
				"proxy %s: cluster %s, which uses %s, is %s: requests to it fail with 503 NC/UH until the secret arrives", pod, c.Name, name, c.State)
		}
	}
	return out
}

func stateWord(s string) string {
	if s == "absent" {
		return "absent (requested by a cluster but never received)"
	}
	return s
}

func findSecret(d *envoy.Dump, name string) *envoy.Secret {
	var best *envoy.Secret
	for i := range d.Secrets {
		s := &d.Secrets[i]
		if s.Name == name && (best == nil || (best.State != envoy.StateActive && s.State == envoy.StateActive)) {
			best = s
		}
	}
	return best
}

func clustersUsing(d *envoy.Dump, name string) []ClusterUse {
	var out []ClusterUse
	for _, c := range d.Clusters {
		tlss := []*envoy.UpstreamTLS{c.TLS}
		for _, m := range c.TransportSocketMatches {
			tlss = append(tlss, m.TLS)
		}
		if slices.ContainsFunc(tlss, func(t *envoy.UpstreamTLS) bool {
			return t != nil && (slices.Contains(t.CertificateSDS, name) || t.ValidationSDS == name)
		}) {
			out = append(out, ClusterUse{Name: c.Name, State: string(c.State)})
		}
	}
	return out
}

// checkDrift compares the certificate the proxy loaded with the Secret's.
func (x *checkCtx) checkDrift(pod, name string, sec *envoy.Secret) {
	want := x.state.Chain
	if strings.HasSuffix(name, "-cacert") {
		want = x.state.CA
	}
	if !x.readable || len(want) == 0 || len(sec.Certificates) == 0 {
		return
	}
	got := sec.Certificates[0]
	if sameSerial(got.Serial, want[0].SerialHex) && got.NotAfter.Equal(want[0].NotAfter) {
		return
	}
	x.add(CodeSDSDrift, "Pod "+pod, pod, "check istiod's logs for errors reading the Secret and the proxy's service account RBAC; restarting the pod forces a fresh fetch",
		"proxy %s serves %s with serial %s expiring %s, but Secret %s holds serial %s expiring %s: the rotation has not reached the proxy",
		pod, name, got.Serial, got.NotAfter.Format(time.RFC3339), x.key(), want[0].SerialHex, want[0].NotAfter.Format(time.RFC3339))
}

// sameSerial compares hex serials that may differ in leading zeros or case.
func sameSerial(a, b string) bool {
	x, okA := new(big.Int).SetString(a, 16)
	y, okB := new(big.Int).SetString(b, 16)
	if !okA || !okB {
		return strings.EqualFold(a, b)
	}
	return x.Cmp(y) == 0
}
