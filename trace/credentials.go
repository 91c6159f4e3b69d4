package trace

import (
	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

// credUse is a DestinationRule credentialName used for TLS origination on the path.
type credUse struct {
	dr     *networkingv1.DestinationRule
	name   string
	ns     string // where istiod looks the secret up: the proxy's namespace
	proxy  string
	hop    int
	port   int
	onSide bool // used by the client's sidecar
}

// ignored reports whether istiod ignores the credentialName: a sidecar DestinationRule
// without a workloadSelector (EGR0402).
func (u credUse) ignored() bool {
	return u.onSide && len(u.dr.Spec.GetWorkloadSelector().GetMatchLabels()) == 0
}

// credentialSecrets pairs each credentialName istiod honours on the path with what the
// loader knows of its Secret (nil when it was not read).
func (a *analysis) credentialSecrets() []credSecret {
	var out []credSecret
	for _, u := range a.credentialUses() {
		if !u.ignored() {
			// The Secret istiod reads: kubernetes://NAME and kubernetes-gateway://NS/NAME
			// resolved (mesh.ResolveCredential); builtin://, configmap://, sds:// name none.
			ref := mesh.ResolveCredential(u.name, u.ns)
			if ref.Kind != mesh.CredentialSecret {
				continue
			}
			out = append(out, credSecret{credUse: u, secretNS: ref.Namespace, secretName: ref.Name, secret: a.snap.Secrets[mesh.Key(ref.Namespace, ref.Name)]})
		}
	}
	return out
}

type credSecret struct {
	credUse
	// secretNS and secretName name the Secret istiod reads for credentialName u.name.
	secretNS, secretName string
	secret               *mesh.SecretInfo
}

// credentialUses lists the credentialNames of the DestinationRules that originate TLS
// for the upstream host on the path: at the gateway when there is one, else at the sidecar.
func (a *analysis) credentialUses() []credUse {
	lg := a.finalLeg()
	n, ok := envoy.ParseClusterName(lg.clusterName)
	if !ok {
		return nil
	}
	proxy, ns, labels := a.in.Client, a.clientNS, map[string]string(nil)
	if a.client != nil {
		labels = a.client.Labels
	}
	if lg != &a.side {
		proxy, ns, labels = lg.proxy, namespaceOf(lg.proxy), a.podLabels(lg.proxy)
		if g := a.intent.Gateway; proxy == "" && g != nil {
			ns = g.Service.Namespace
		}
	}
	dr := a.drFor(ns, labels, n.Host, a.hostNamespace(n.Host))
	if dr == nil {
		return nil
	}
	t := drTLS(dr, n.Subset, n.Port)
	if t.GetCredentialName() == "" {
		return nil
	}
	return []credUse{{dr: dr, name: t.GetCredentialName(), ns: ns, proxy: proxy, hop: lg.clusterHop, port: n.Port, onSide: lg == &a.side}}
}
