package secrets

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	networking "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// Proxy kinds of a Use.
const (
	ProxyGateway = "gateway"
	ProxySidecar = "sidecar"
)

// egressGatewayLabel marks egress gateway pods installed by Istio's charts.
var egressGatewayLabel = map[string]string{"istio": "egressgateway"}

// discovery collects credentials keyed by "namespace/name" plus findings about uses.
type discovery struct {
	snap     *mesh.Snapshot
	creds    map[string]*Credential
	pods     map[string]map[string]*corev1.Pod // credential key -> pod key -> pod
	findings []Finding
	gw       gatewayIndex
}

// Plan lists the credentials in scope, which proxies use them and where they must live,
// without looking at Secrets or dumps: the loader uses it to know what to read.
func Plan(in Input) []Credential {
	d := discover(in)
	out := make([]Credential, 0, len(d.creds))
	for _, k := range mesh.SortedKeys(d.creds) {
		out = append(out, *d.creds[k])
	}
	return out
}

func discover(in Input) *discovery {
	d := &discovery{snap: in.Snapshot, creds: map[string]*Credential{}, pods: map[string]map[string]*corev1.Pod{},
		gw: gatewayIndex{snap: in.Snapshot}}
	for _, k := range mesh.SortedKeys(in.Snapshot.DestinationRules) {
		d.destinationRule(in.Snapshot.DestinationRules[k])
	}
	for _, k := range mesh.SortedKeys(in.Snapshot.Gateways) {
		d.gateway(in.Snapshot.Gateways[k])
	}
	d.scope(in)
	for k, c := range d.creds {
		for _, pk := range mesh.SortedKeys(d.pods[k]) {
			p := d.pods[k][pk]
			c.Proxies = append(c.Proxies, Proxy{Pod: pk, ServiceAccount: serviceAccount(p), ListSecrets: AccessUnknown})
		}
	}
	return d
}

// tlsSite is one ClientTLSSettings of a DestinationRule and where it sits.
type tlsSite struct {
	field string
	port  int
	tls   *networking.ClientTLSSettings
}

func drTLSSites(dr *networkingv1.DestinationRule) []tlsSite {
	var out []tlsSite
	add := func(prefix string, tp *networking.TrafficPolicy) {
		if tp.GetTls() != nil {
			out = append(out, tlsSite{field: prefix, tls: tp.GetTls()})
		}
		for _, pl := range tp.GetPortLevelSettings() {
			if pl.GetTls() != nil {
				n := int(pl.GetPort().GetNumber())
				out = append(out, tlsSite{field: fmt.Sprintf("%s.portLevelSettings[%d]", prefix, n), port: n, tls: pl.GetTls()})
			}
		}
	}
	add("trafficPolicy", dr.Spec.GetTrafficPolicy())
	for _, ss := range dr.Spec.GetSubsets() {
		add("subsets["+ss.GetName()+"].trafficPolicy", ss.GetTrafficPolicy())
	}
	return out
}

func (d *discovery) destinationRule(dr *networkingv1.DestinationRule) {
	obj := "DestinationRule " + mesh.Key(dr.Namespace, dr.Name)
	host := mesh.FQDN(dr.Spec.GetHost(), dr.Namespace)
	for _, site := range drTLSSites(dr) {
		mode := site.tls.GetMode()
		name := site.tls.GetCredentialName()
		if name == "" || (mode != networking.ClientTLSSettings_SIMPLE && mode != networking.ClientTLSSettings_MUTUAL) {
			continue
		}
		use := Use{Object: obj, Field: site.field, Mode: mode.String(), Side: "origination", Hosts: []string{host},
			Port: site.port, SNI: site.tls.GetSni(), SubjectAltNames: site.tls.GetSubjectAltNames()}
		d.placeDRUse(dr, name, use)
	}
}

// placeDRUse decides which proxies use a DR's credential, and so its namespace.
func (d *discovery) placeDRUse(dr *networkingv1.DestinationRule, name string, use Use) {
	if sel := dr.Spec.GetWorkloadSelector().GetMatchLabels(); len(sel) > 0 {
		use.Proxy = ProxySidecar
		pods := d.snap.PodsMatching(dr.Namespace, labels.SelectorFromSet(sel))
		d.addUse(dr.Namespace, name, use, pods)
		if len(pods) == 0 {
			d.note(CodeSelectorNoPods, use.Object, mesh.Key(dr.Namespace, name), "",
				fmt.Sprintf("workloadSelector %s matches no pod in namespace %q, so no proxy loads credentialName %q", labels.Set(sel), dr.Namespace, name),
				"check the labels of the client pods, or drop the DestinationRule")
		}
		return
	}
	use.Proxy = ProxyGateway
	byNS := map[string][]*corev1.Pod{}
	for _, p := range d.gw.podsFor(dr, use.Hosts[0]) {
		byNS[p.Namespace] = append(byNS[p.Namespace], p)
	}
	for _, ns := range mesh.SortedKeys(byNS) {
		d.addUse(ns, name, use, byNS[ns])
	}
	if len(byNS) > 0 {
		return
	}
	use.Proxy = ProxySidecar
	use.Ignored = "sidecar DestinationRule without workloadSelector"
	d.addUse(dr.Namespace, name, use, nil)
	d.note(CodeIgnoredOnSidecar, use.Object, mesh.Key(dr.Namespace, name), "",
		fmt.Sprintf("%s sets credentialName %q at %s but has no workloadSelector and no egress gateway uses it: sidecars ignore credentialName, so no TLS client certificate/CA from the Secret is used (%s origination silently falls back)", use.Object, name, use.Field, use.Mode),
		"add spec.workloadSelector.matchLabels selecting the client pods (the Secret must then live in namespace "+dr.Namespace+"), or originate TLS at the egress gateway")
}

// hostMatches reports whether pattern (exact or "*.suffix") covers host, or the reverse.
func hostMatches(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	if a == b || a == "*" || b == "*" {
		return true
	}
	if s, ok := strings.CutPrefix(a, "*"); ok && strings.HasSuffix(b, s) {
		return true
	}
	if s, ok := strings.CutPrefix(b, "*"); ok && strings.HasSuffix(a, s) {
		return true
	}
	return false
}

func (d *discovery) gateway(gw *networkingv1.Gateway) {
	obj := "Gateway " + mesh.Key(gw.Namespace, gw.Name)
	pods := d.gw.podsOf(mesh.Key(gw.Namespace, gw.Name))
	for i, srv := range gw.Spec.GetServers() {
		tls := srv.GetTls()
		mode := tls.GetMode()
		if mode != networking.ServerTLSSettings_SIMPLE && mode != networking.ServerTLSSettings_MUTUAL && mode != networking.ServerTLSSettings_OPTIONAL_MUTUAL {
			continue
		}
		names := tls.GetCredentialNames()
		if tls.GetCredentialName() != "" {
			names = append([]string{tls.GetCredentialName()}, names...)
		}
		field := fmt.Sprintf("servers[%d]", i)
		if srv.GetName() != "" {
			field = "servers[" + srv.GetName() + "]"
		}
		for _, name := range names {
			use := Use{Object: obj, Field: field, Mode: mode.String(), Side: "termination", Hosts: serverHosts(srv.GetHosts()),
				Port: int(srv.GetPort().GetNumber()), Proxy: ProxyGateway}
			d.placeGatewayUse(gw, name, use, pods)
		}
	}
}

func (d *discovery) placeGatewayUse(gw *networkingv1.Gateway, name string, use Use, pods []*corev1.Pod) {
	byNS := map[string][]*corev1.Pod{}
	for _, p := range pods {
		byNS[p.Namespace] = append(byNS[p.Namespace], p)
	}
	for _, ns := range mesh.SortedKeys(byNS) {
		d.addUse(ns, name, use, byNS[ns])
	}
	if len(byNS) == 0 {
		d.addUse(gw.Namespace, name, use, nil)
		d.note(CodeSelectorNoPods, use.Object, mesh.Key(gw.Namespace, name), "",
			fmt.Sprintf("selector %s matches no pod, so no gateway loads credentialName %q (assumed to live in namespace %q)", labels.Set(gw.Spec.GetSelector()), name, gw.Namespace),
			"check the Gateway's selector against the gateway pods' labels")
	}
}

// serverHosts drops the "namespace/" prefix of Gateway server hosts.
func serverHosts(hosts []string) []string {
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		if _, after, ok := strings.Cut(h, "/"); ok {
			h = after
		}
		out = append(out, strings.ToLower(h))
	}
	return out
}

// addUse records that proxies in namespace ns use credentialName name. The credential is
// the Secret istiod reads for them (mesh.ResolveCredential): kubernetes://NAME and
// kubernetes-gateway://NS/NAME resolve to the Secret, not to a name with a prefix.
func (d *discovery) addUse(ns, name string, use Use, pods []*corev1.Pod) {
	ref := mesh.ResolveCredential(name, ns)
	secretNS, secretName := ns, name
	if ref.Kind == mesh.CredentialSecret {
		secretNS, secretName = ref.Namespace, ref.Name
	}
	k := mesh.Key(secretNS, secretName)
	c, ok := d.creds[k]
	if !ok {
		c = &Credential{Name: secretName, Namespace: secretNS}
		if name != secretName {
			c.CredentialName = name
		}
		if ref.SDSName != "kubernetes://"+secretName {
			c.SDSName = ref.SDSName
		}
		c.NotSecret = notSecret(ref)
		d.creds[k] = c
		d.pods[k] = map[string]*corev1.Pod{}
	}
	if use.Ignored == "" {
		d.judgeReference(ref, name, ns, k, use)
	}
	c.UsedBy = append(c.UsedBy, use)
	for _, p := range pods {
		d.pods[k][mesh.Key(p.Namespace, p.Name)] = p
	}
}

func (d *discovery) note(code, object, cred, proxy, msg, fix string) {
	d.findings = append(d.findings, newFinding(code, object, cred, proxy, msg, fix))
}

// scope drops credentials outside the namespaces and host asked for.
func (d *discovery) scope(in Input) {
	for k, c := range d.creds {
		if !inScope(c, in) {
			delete(d.creds, k)
		}
	}
	d.findings = slices.DeleteFunc(d.findings, func(f Finding) bool { return d.creds[f.Credential] == nil })
}

func inScope(c *Credential, in Input) bool {
	if in.Host != "" && !slices.ContainsFunc(c.UsedBy, func(u Use) bool {
		return (in.Port == 0 || u.Side != "origination" || u.Port == 0 || u.Port == in.Port) &&
			slices.ContainsFunc(u.Hosts, func(h string) bool { return hostMatches(h, in.Host) })
	}) {
		return false
	}
	if len(in.Namespaces) == 0 || slices.Contains(in.Namespaces, c.Namespace) {
		return true
	}
	return slices.ContainsFunc(c.UsedBy, func(u Use) bool {
		ns, _, _ := strings.Cut(u.Object[strings.IndexByte(u.Object, ' ')+1:], "/")
		return slices.Contains(in.Namespaces, ns)
	})
}

func serviceAccount(p *corev1.Pod) string {
	if p.Spec.ServiceAccountName != "" {
		return p.Spec.ServiceAccountName
	}
	return "default"
}

// newFinding builds a finding with its level from the catalogue.
func newFinding(code, object, cred, proxy, msg, fix string) Finding {
	r, ok := LookupRule(code)
	if !ok {
		panic("secrets: finding code not in the catalogue: " + code)
	}
	return Finding{Code: code, Level: r.Level, Object: object, Credential: cred, Proxy: proxy, Message: msg, Fix: fix}
}

// sortFindings orders by level (Error first), then code, credential, object, proxy, message.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Level.Rank() != b.Level.Rank() {
			return a.Level.Rank() > b.Level.Rank()
		}
		return strings.Join([]string{a.Code, a.Credential, a.Object, a.Proxy, a.Message}, "\x00") <
			strings.Join([]string{b.Code, b.Credential, b.Object, b.Proxy, b.Message}, "\x00")
	})
}
