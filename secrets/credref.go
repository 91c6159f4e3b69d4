package secrets

import (
	"fmt"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// notSecret says why a credentialName names no Kubernetes Secret ("" when it does).
func notSecret(ref mesh.CredentialRef) string {
	switch ref.Kind {
	case mesh.CredentialBuiltin:
		return "builtin:// uses the workload's own Istio certificate (SDS secret \"default\")"
	case mesh.CredentialConfigMap:
		return fmt.Sprintf("configmap:// reads a CA bundle from ConfigMap %s", mesh.Key(ref.Namespace, ref.Name))
	case mesh.CredentialExternal:
		return "sds:// is served by an external SDS server, not by istiod from a Secret"
	case mesh.CredentialInvalid:
		return "istiod cannot resolve it: " + ref.Err
	}
	return ""
}

// judgeReference reports what istiod will refuse to serve for a use by proxies in namespace
// proxyNS, as filterAuthorizedResources (pilot/pkg/xds/sds.go) decides:
//   - kubernetes:// only from the proxy's own namespace;
//   - kubernetes-gateway:// only when the proxy's merged Gateway verified the reference
//     (VerifiedCertificateReferences, filled by MergeGateways in pilot/pkg/model/gateway.go
//     from Gateway servers only, and only for a proxy in the Gateway's namespace: with the
//     Secret there too, or allowed by a ReferenceGrant), so never for a DestinationRule.
func (d *discovery) judgeReference(ref mesh.CredentialRef, name, proxyNS, key string, use Use) {
	switch {
	case ref.Kind == mesh.CredentialInvalid:
		d.note(CodeCredentialNameInvalid, use.Object, key, "",
			fmt.Sprintf("%s %s sets credentialName %q, which %s: no proxy gets a certificate from it", use.Object, use.Field, name, strings.TrimPrefix(notSecret(ref), "istiod cannot resolve it: ")),
			"set credentialName to the Secret's name (or kubernetes://NAME, kubernetes-gateway://NAMESPACE/NAME on a Gateway)")
	case ref.Kind != mesh.CredentialSecret:
		d.note(CodeCredentialNotSecret, use.Object, key, "",
			fmt.Sprintf("%s %s sets credentialName %q: %s; check-secrets checks Secrets only", use.Object, use.Field, name, notSecret(ref)), "")
	case ref.Type == mesh.CredentialTypeKubernetes && ref.Namespace != proxyNS:
		d.note(CodeCredentialCrossNamespace, use.Object, key, "",
			fmt.Sprintf("credentialName %q (%s %s) names Secret %s, but the proxy that uses it runs in namespace %q: istiod serves a kubernetes:// Secret only from the proxy's own namespace, so the SDS secret %s stays warming", name, use.Object, use.Field, key, proxyNS, ref.SDSName),
			fmt.Sprintf("create the Secret in namespace %q and set credentialName to %q", proxyNS, ref.Name))
	case ref.Type == mesh.CredentialTypeGateway && use.Side == "origination":
		d.note(CodeCredentialCrossNamespace, use.Object, key, "",
			fmt.Sprintf("credentialName %q (%s %s) is a kubernetes-gateway:// reference: istiod serves those only when a Gateway server of the proxy verified the same reference, never for a DestinationRule alone", name, use.Object, use.Field),
			fmt.Sprintf("set credentialName to %q with the Secret in namespace %q", ref.Name, proxyNS))
	case ref.Type == mesh.CredentialTypeGateway && objectNamespace(use.Object) != proxyNS:
		d.note(CodeCredentialCrossNamespace, use.Object, key, "",
			fmt.Sprintf("credentialName %q (%s %s) is a kubernetes-gateway:// reference, but the Gateway is in namespace %q and its proxy in %q: istiod verifies a Gateway's references only for proxies in the Gateway's own namespace, so it never serves this one", name, use.Object, use.Field, objectNamespace(use.Object), proxyNS),
			fmt.Sprintf("move the Gateway to namespace %q, or set credentialName to %q with the Secret in namespace %q", proxyNS, ref.Name, proxyNS))
	case ref.Type == mesh.CredentialTypeGateway && ref.Namespace != proxyNS:
		d.note(CodeCredentialNeedsGrant, use.Object, key, "",
			fmt.Sprintf("credentialName %q (%s %s) names Secret %s for proxies in namespace %q: istiod serves it only if a ReferenceGrant allows the Gateway's namespace to use it (not checked)", name, use.Object, use.Field, key, proxyNS),
			"keep Gateway, gateway pods and Secret in one namespace, or add a ReferenceGrant in namespace "+ref.Namespace)
	}
}

// objectNamespace is NS of "Kind NS/NAME".
func objectNamespace(object string) string {
	ns, _, _ := strings.Cut(object[strings.IndexByte(object, ' ')+1:], "/")
	return ns
}

// SDSResource is the SDS secret a proxy requests for the credential's certificate; the CA
// is SDSResource()+"-cacert" (ConstructSdsSecretConfigForCredential with credentials.ToResourceName).
func (c *Credential) SDSResource() string {
	if c.SDSName != "" {
		return c.SDSName
	}
	return "kubernetes://" + c.Name
}
