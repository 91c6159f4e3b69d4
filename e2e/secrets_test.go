package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/secrets"
	"github.com/kubectl-egress/kubectl-egress/secrets/secretstest"
)

// viewerRBAC lets user "viewer" read Istio config and pods but not Secrets, and not create
// SubjectAccessReviews.
const viewerRBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: egress-viewer}
rules:
- apiGroups: [networking.istio.io]
  resources: ["*"]
  verbs: [get, list]
- apiGroups: [""]
  resources: [pods, services, namespaces, configmaps]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: egress-viewer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: egress-viewer}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: viewer}
`

// TestCheckSecretsLive applies DestinationRules and generated Secrets to a real apiserver
// and runs `kubectl egress check-secrets -A -o json` through the real kubectl, as admin and
// as a user who may not read Secrets.
func TestCheckSecretsLive(t *testing.T) {
	c := testcluster.Start(t)
	ca := secretstest.NewCA(t, "example.com")
	client := ca.Issue(t, secretstest.Leaf{CN: "client.example.com", Client: true})
	dir := t.TempDir()
	docs := []string{secretstest.BaseMesh(), secretstest.OriginationDR(secretstest.GatewayNS, "MUTUAL", secretstest.CredName, secretstest.Host, ""),
		secretstest.Secret(t, secretstest.GatewayNS, secretstest.CredName, corev1.SecretTypeTLS,
			map[string][]byte{"tls.crt": client.CertPEM, "tls.key": client.KeyPEM, "ca.crt": ca.PEM}),
		secretstest.OriginationDR("default", "SIMPLE", "missing-ca", "api.example.com", "  workloadSelector: {matchLabels: {app: sleep}}\n"),
		// A credentialName istiod resolves to Secret default/sleep-ca (credentials.ToResourceName,
		// ParseResourceName): the live read must use the Secret's name, not the prefixed one.
		strings.Replace(secretstest.OriginationDR("default", "SIMPLE", "kubernetes://sleep-ca", "api.example.com", "  workloadSelector: {matchLabels: {app: sleep}}\n"),
			"originate-tls-for-nginx", "originate-with-prefix", 1),
		secretstest.Secret(t, "default", "sleep-ca", corev1.SecretTypeOpaque, map[string][]byte{"ca.crt": ca.PEM}),
		viewerRBAC}
	// Namespaces first, so the namespaced objects apply in one go.
	c.Apply(t, secretstest.WriteManifests(t, filepath.Join(dir), docs[0]))
	c.Apply(t, secretstest.WriteManifests(t, dir, docs...))
	testcluster.WaitAllowed(t, kubernetes.NewForConfigOrDie(c.RestConfig), "viewer", []string{"system:authenticated"},
		authorizationv1.ResourceAttributes{Verb: "list", Group: "networking.istio.io", Resource: "destinationrules"})
	path := testcluster.PathWith(testcluster.BuildPlugin(t))
	keyDER := secretstest.KeyDER(t, client.Key)

	t.Run("admin", func(t *testing.T) {
		rep, out := runLive(t, c, path, keyDER)
		cred := findCredential(t, rep, secretstest.GatewayNS, secretstest.CredName)
		if cred.Secret.Access != "ok" || cred.Secret.ChainVerified != "verified" || cred.Secret.Layout != "tls" {
			t.Errorf("secret state = %+v, want readable tls layout with a verified chain\n%s", cred.Secret, out)
		}
		if len(cred.Proxies) != 1 || cred.Proxies[0].ListSecrets != secrets.AccessDenied {
			t.Errorf("proxies = %+v, want the gateway pod with list secrets denied (no RBAC for its service account)", cred.Proxies)
		}
		if !hasCode(rep, secrets.CodeListDenied) || !hasCode(rep, secrets.CodeNoDump) {
			t.Errorf("findings = %v, want %s and %s", rep.Findings, secrets.CodeListDenied, secrets.CodeNoDump)
		}
		prefixed := findCredential(t, rep, "default", "sleep-ca")
		if prefixed.CredentialName != "kubernetes://sleep-ca" || prefixed.Secret.Access != "ok" || prefixed.Secret.Layout != "ca-only" {
			t.Errorf("kubernetes://sleep-ca = %+v, want Secret default/sleep-ca read, ca-only", prefixed)
		}
		missing := findCredential(t, rep, "default", "missing-ca")
		if missing.Secret.Access != "notfound" || !hasCode(rep, secrets.CodeSecretNotFound) {
			t.Errorf("missing-ca = %+v, want notfound with %s", missing, secrets.CodeSecretNotFound)
		}
	})
	t.Run("user without secrets access", func(t *testing.T) {
		rep, out := runLive(t, c, path, keyDER, "--as", "viewer")
		cred := findCredential(t, rep, secretstest.GatewayNS, secretstest.CredName)
		if cred.Secret.Access != "forbidden" || cred.Result != secrets.ResultSkipped {
			t.Errorf("credential = %+v, want access forbidden and result skipped\n%s", cred, out)
		}
		if len(cred.Proxies) != 1 || cred.Proxies[0].ListSecrets != secrets.AccessUnknown {
			t.Errorf("proxies = %+v, want list secrets unknown (the review is forbidden to viewer)", cred.Proxies)
		}
		if !hasCode(rep, secrets.CodeSecretForbidden) || !strings.Contains(out, "skipped: forbidden") {
			t.Errorf("want a %s finding saying skipped: forbidden\n%s", secrets.CodeSecretForbidden, out)
		}
	})
}

// runLive runs check-secrets through kubectl and parses its JSON (stderr warnings come first).
func runLive(t *testing.T, c *testcluster.Cluster, path string, keyDER []byte, extra ...string) (*secrets.Report, string) {
	t.Helper()
	out, err := c.Kubectl(t, []string{path}, append([]string{"egress", "check-secrets", "-A", "-o", "json"}, extra...)...)
	if err != nil && !strings.Contains(err.Error(), "exit status 79") {
		t.Fatalf("kubectl egress check-secrets: %v\n%s", err, out)
	}
	if strings.Contains(out, "PRIVATE KEY") || strings.Contains(out, string(keyDER[len(keyDER)-32:])) {
		t.Fatal("output contains private key material")
	}
	start := strings.Index(out, "{\n")
	if start < 0 {
		t.Fatalf("no JSON in output:\n%s", out)
	}
	var rep secrets.Report
	if err := json.Unmarshal([]byte(out[start:]), &rep); err != nil {
		t.Fatalf("parse JSON: %v\n%s", err, out)
	}
	return &rep, out
}

func findCredential(t *testing.T, rep *secrets.Report, ns, name string) secrets.Credential {
	t.Helper()
	for _, c := range rep.Credentials {
		if c.Namespace == ns && c.Name == name {
			return c
		}
	}
	t.Fatalf("credential %s/%s not in report: %+v", ns, name, rep.Credentials)
	return secrets.Credential{}
}

func hasCode(rep *secrets.Report, code string) bool {
	for _, f := range rep.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}
