package mesh

import "strings"

// Kinds of CredentialRef: what a credentialName points at.
const (
	CredentialSecret    = "secret"    // a Kubernetes Secret (kubernetes:// or kubernetes-gateway://)
	CredentialBuiltin   = "builtin"   // builtin://: the workload's own Istio certificate
	CredentialConfigMap = "configmap" // configmap://NS/NAME: a CA bundle in a ConfigMap
	CredentialExternal  = "sds"       // sds://NAME: an external SDS server (CredentialNameSocketPath)
	CredentialInvalid   = "invalid"   // invalid:// or a name istiod cannot parse: never served
)

// Secret credential types, as istiod names them (credentials.KubernetesSecretType and
// KubernetesGatewaySecretType).
const (
	CredentialTypeKubernetes = "kubernetes"
	CredentialTypeGateway    = "kubernetes-gateway"
)

// CredentialRef is a credentialName resolved as istiod resolves it for a proxy.
type CredentialRef struct {
	Kind string
	// Type is kubernetes or kubernetes-gateway for a Secret.
	Type string
	// Namespace and Name locate the Secret (or ConfigMap) istiod reads.
	Namespace, Name string
	// SDSName is the SDS resource the proxy requests for the certificate; the CA is
	// SDSName+"-cacert".
	SDSName string
	// Err says why istiod cannot parse the name (Kind invalid).
	Err string
}

// ResolveCredential resolves credentialName for a proxy in proxyNamespace, as istiod does:
//   - the SDS name is credentials.ToResourceName (pilot/pkg/model/credentials/resource.go),
//     called by ConstructSdsSecretConfigForCredential (pilot/pkg/security/model):
//     builtin:// becomes the workload certificate ("default"), sds:// goes to the external SDS
//     server, kubernetes://, kubernetes-gateway:// and configmap:// are kept, anything else
//     gets kubernetes:// prepended;
//   - the Secret is credentials.ParseResourceName of that SDS name: kubernetes://NAME is NAME
//     in the proxy's namespace, kubernetes://NS/NAME is NAME in NS (so is a bare "NS/NAME"),
//     kubernetes-gateway://NS/NAME needs both parts.
//
// Whether istiod then serves it (same namespace, verified Gateway reference) is for the
// caller to judge: see pilot/pkg/xds/sds.go filterAuthorizedResources.
func ResolveCredential(credentialName, proxyNamespace string) CredentialRef {
	switch {
	case strings.HasPrefix(credentialName, "builtin://"):
		return CredentialRef{Kind: CredentialBuiltin, SDSName: "default"}
	case strings.HasPrefix(credentialName, "sds://"):
		return CredentialRef{Kind: CredentialExternal, Name: strings.TrimPrefix(credentialName, "sds://"), SDSName: credentialName}
	case strings.HasPrefix(credentialName, "invalid://"):
		return CredentialRef{Kind: CredentialInvalid, SDSName: "invalid://", Err: "invalid:// is the name istiod gives a reference it refused"}
	}
	rn := credentialName
	if !strings.HasPrefix(rn, "kubernetes://") && !strings.HasPrefix(rn, "kubernetes-gateway://") && !strings.HasPrefix(rn, "configmap://") {
		rn = "kubernetes://" + rn
	}
	ref := CredentialRef{SDSName: rn}
	if rest, ok := strings.CutPrefix(rn, "kubernetes://"); ok {
		ref.Kind, ref.Type = CredentialSecret, CredentialTypeKubernetes
		parts := strings.Split(rest, "/")
		ref.Namespace, ref.Name = proxyNamespace, parts[0]
		if len(parts) > 1 {
			ref.Namespace, ref.Name = parts[0], parts[1]
		}
		if ref.Name == "" || ref.Namespace == "" {
			ref.Kind, ref.Err = CredentialInvalid, "no Secret name after kubernetes://[NAMESPACE/]"
		}
		return ref
	}
	kind, typ, prefix := CredentialSecret, CredentialTypeGateway, "kubernetes-gateway://"
	if strings.HasPrefix(rn, "configmap://") {
		kind, typ, prefix = CredentialConfigMap, "", "configmap://"
	}
	parts := strings.Split(strings.TrimPrefix(rn, prefix), "/")
	ref.Kind, ref.Type = kind, typ
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		ref.Kind, ref.Err = CredentialInvalid, prefix+" needs NAMESPACE/NAME"
		return ref
	}
	ref.Namespace, ref.Name = parts[0], parts[1]
	return ref
}
