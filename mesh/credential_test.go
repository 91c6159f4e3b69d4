package mesh

import "testing"

// TestResolveCredential follows istiod's credentials.ToResourceName and ParseResourceName
// (pilot/pkg/model/credentials/resource.go) for a proxy in namespace "istio-system".
func TestResolveCredential(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want CredentialRef
	}{
		{"client-credential", CredentialRef{Kind: CredentialSecret, Type: CredentialTypeKubernetes, Namespace: "istio-system", Name: "client-credential", SDSName: "kubernetes://client-credential"}},
		{"kubernetes://client-credential", CredentialRef{Kind: CredentialSecret, Type: CredentialTypeKubernetes, Namespace: "istio-system", Name: "client-credential", SDSName: "kubernetes://client-credential"}},
		{"kubernetes://other/cred", CredentialRef{Kind: CredentialSecret, Type: CredentialTypeKubernetes, Namespace: "other", Name: "cred", SDSName: "kubernetes://other/cred"}},
		{"other/cred", CredentialRef{Kind: CredentialSecret, Type: CredentialTypeKubernetes, Namespace: "other", Name: "cred", SDSName: "kubernetes://other/cred"}},
		{"kubernetes-gateway://gw-ns/cred", CredentialRef{Kind: CredentialSecret, Type: CredentialTypeGateway, Namespace: "gw-ns", Name: "cred", SDSName: "kubernetes-gateway://gw-ns/cred"}},
		{"kubernetes-gateway://cred", CredentialRef{Kind: CredentialInvalid, Type: CredentialTypeGateway, SDSName: "kubernetes-gateway://cred", Err: "kubernetes-gateway:// needs NAMESPACE/NAME"}},
		{"kubernetes://", CredentialRef{Kind: CredentialInvalid, Type: CredentialTypeKubernetes, Namespace: "istio-system", SDSName: "kubernetes://", Err: "no Secret name after kubernetes://[NAMESPACE/]"}},
		{"configmap://ns/root-ca", CredentialRef{Kind: CredentialConfigMap, Namespace: "ns", Name: "root-ca", SDSName: "configmap://ns/root-ca"}},
		{"builtin://", CredentialRef{Kind: CredentialBuiltin, SDSName: "default"}},
		{"sds://vault", CredentialRef{Kind: CredentialExternal, Name: "vault", SDSName: "sds://vault"}},
	} {
		if got := ResolveCredential(tt.in, "istio-system"); got != tt.want {
			t.Errorf("ResolveCredential(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
