package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/secrets"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

const rbacScenario = "gateway-mtls-origination"

// TestRBACServiceAccountLive runs kubectl egress through real kubectl as ServiceAccounts
// holding exactly the roles of deploy/rbac.yaml — once complete, once without the secrets
// rule and once without pods/portforward — against a real apiserver serving the
// gateway mutual-TLS scenario, with the proxies' dumps behind real port-forwards.
func TestRBACServiceAccountLive(t *testing.T) {
	bin := testcluster.PathWith(testcluster.BuildPlugin(t))
	dir := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", rbacScenario)
	target := demoTarget(t, rbacScenario)
	c := testcluster.Start(t)
	k := c.StartKubelet(t)
	proxies := deployScenario(t, c, k, dir)
	kc := kubernetes.NewForConfigOrDie(c.RestConfig)
	offline := traceOffline(t, "trace", target, "--from", "deploy/sleep", "-n", "default", "-f", dir, "-o", "json")

	reader, credentials := documentedRoles(t)
	noPortForward := reader.DeepCopy()
	noPortForward.Name += "-no-portforward"
	noPortForward.Rules = slices.DeleteFunc(noPortForward.Rules, func(r rbacv1.PolicyRule) bool { return slices.Contains(r.Resources, "pods/portforward") })
	noSecrets := credentials.DeepCopy()
	noSecrets.Name += "-no-secrets"
	noSecrets.Rules = slices.DeleteFunc(noSecrets.Rules, func(r rbacv1.PolicyRule) bool { return slices.Contains(r.Resources, "secrets") })
	if len(noPortForward.Rules) != len(reader.Rules)-1 || len(noSecrets.Rules) != len(credentials.Rules)-1 {
		t.Fatalf("deploy/rbac.yaml changed shape: cannot drop exactly one rule (pods/portforward from %s, secrets from %s)", reader.Name, credentials.Name)
	}
	noUnmodelled := reader.DeepCopy()
	noUnmodelled.Name += "-no-unmodelled"
	noUnmodelled.Rules = slices.DeleteFunc(noUnmodelled.Rules, grantsOtherKinds)
	if len(noUnmodelled.Rules) == len(reader.Rules) {
		t.Fatalf("deploy/rbac.yaml grants none of mesh.OtherKinds")
	}
	ctx := context.Background()
	for _, cr := range []*rbacv1.ClusterRole{reader, noPortForward, noUnmodelled} {
		if _, err := kc.RbacV1().ClusterRoles().Create(ctx, cr, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create ClusterRole %s: %v", cr.Name, err)
		}
	}
	for _, r := range []*rbacv1.Role{credentials, noSecrets} {
		if _, err := kc.RbacV1().Roles(r.Namespace).Create(ctx, r, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create Role %s/%s: %v", r.Namespace, r.Name, err)
		}
	}

	t.Run("documented permissions", func(t *testing.T) {
		kubeconfig := serviceAccountKubeconfig(t, c, kc, "egress-reader", reader.Name, credentials)
		r, stderr := rbacTrace(t, bin, kubeconfig, target)
		if !reflect.DeepEqual(r.Verdict, offline.Verdict) || !reflect.DeepEqual(r.Hops, offline.Hops) {
			t.Errorf("verdict %+v (%d hops), want the offline trace's %+v (%d hops)\n%s", r.Verdict, len(r.Hops), offline.Verdict, len(offline.Hops), stderr)
		}
		if len(r.Inputs.MissingDumps) != 0 || strings.Contains(stderr, "forbidden") {
			t.Errorf("missingDumps = %v, want none and nothing forbidden\n%s", r.Inputs.MissingDumps, stderr)
		}
		for _, code := range []string{"EGR0108", "EGR0409", "EGR0604", "EGR0713"} {
			if hasTraceCode(r, code) {
				t.Errorf("finding %s with the documented permissions: %+v", code, r.Findings)
			}
		}
		rep, out := rbacCheckSecrets(t, bin, kubeconfig)
		cred := findCredential(t, rep, "istio-system", "client-credential")
		if cred.Secret.Access != "ok" || cred.Result == secrets.ResultSkipped {
			t.Errorf("credential = %+v, want the Secret read and checked\n%s", cred, out)
		}
		if len(cred.Proxies) != 1 || cred.Proxies[0].ListSecrets != secrets.AccessUnknown || !cred.Proxies[0].Dump {
			t.Errorf("proxies = %+v, want the gateway pod with its dump read and list-secrets unknown (the documented role may not create SubjectAccessReviews)", cred.Proxies)
		}
	})

	t.Run("without get on secrets", func(t *testing.T) {
		kubeconfig := serviceAccountKubeconfig(t, c, kc, "egress-no-secrets", reader.Name, noSecrets)
		r, stderr := rbacTrace(t, bin, kubeconfig, target)
		if !reflect.DeepEqual(r.Verdict, offline.Verdict) {
			t.Errorf("verdict = %+v, want %+v: not reading the secret must not change it\n%s", r.Verdict, offline.Verdict, stderr)
		}
		f := traceFinding(r, "EGR0409")
		if f == nil || !strings.Contains(f.Message, "skipped: forbidden") || f.Object != "Secret istio-system/client-credential" {
			t.Errorf("EGR0409 = %+v, want skipped: forbidden on Secret istio-system/client-credential; findings %+v", f, r.Findings)
		}
		t.Logf("EGR0409: %s", f.Message)
		if hasTraceCode(r, "EGR0401") {
			t.Errorf("EGR0401 (secret missing) reported for a Secret that is only unreadable: %+v", r.Findings)
		}
		rep, out := rbacCheckSecrets(t, bin, kubeconfig)
		cred := findCredential(t, rep, "istio-system", "client-credential")
		if cred.Secret.Access != "forbidden" || cred.Result != secrets.ResultSkipped || !hasCode(rep, secrets.CodeSecretForbidden) || !strings.Contains(out, "skipped: forbidden") {
			t.Errorf("credential = %+v, want skipped: forbidden (%s)\n%s", cred, secrets.CodeSecretForbidden, out)
		}
		if len(cred.Proxies) != 1 || !cred.Proxies[0].Dump {
			t.Errorf("proxies = %+v, want the gateway's dump still read", cred.Proxies)
		}
	})

	t.Run("without the kinds the trace does not model", func(t *testing.T) {
		kubeconfig := serviceAccountKubeconfig(t, c, kc, "egress-no-unmodelled", noUnmodelled.Name, credentials)
		r, stderr := rbacTrace(t, bin, kubeconfig, target)
		f := traceFinding(r, "EGR0713")
		if f == nil || f.Level != trace.LevelWarning || !strings.Contains(f.Message, "EnvoyFilter.networking.istio.io") || !strings.Contains(f.Message, "forbidden") {
			t.Errorf("EGR0713 = %+v, want a Warning that EnvoyFilters (and the rest) could not be listed\n%s", f, stderr)
		}
		if !reflect.DeepEqual(r.Verdict, offline.Verdict) || !reflect.DeepEqual(r.Hops, offline.Hops) {
			t.Errorf("verdict %+v, want the offline trace's %+v: not listing them must change nothing else", r.Verdict, offline.Verdict)
		}
		t.Logf("EGR0713: %s", f.Message)
	})

	t.Run("without pods/portforward", func(t *testing.T) {
		kubeconfig := serviceAccountKubeconfig(t, c, kc, "egress-no-portforward", noPortForward.Name, credentials)
		r, stderr := rbacTrace(t, bin, kubeconfig, target)
		if !reflect.DeepEqual(r.Inputs.MissingDumps, proxies) {
			t.Errorf("missingDumps = %v, want every proxy %v", r.Inputs.MissingDumps, proxies)
		}
		for _, p := range proxies {
			line := lineWith(stderr, "fetching config from "+p+"... failed: ")
			if !strings.Contains(line, "forbidden") || !strings.Contains(line, "pods/portforward") || !strings.Contains(line, "tracing it from Istio config only") {
				t.Errorf("stderr line for %s = %q, want it to name pods/portforward as forbidden and say intent-only", p, line)
			}
		}
		if n := countTraceCode(r, "EGR0604"); n != len(proxies) {
			t.Errorf("%d EGR0604 findings, want one per proxy (%d): %+v", n, len(proxies), r.Findings)
		}
		if r.Verdict.Kind != offline.Verdict.Kind {
			t.Errorf("intent-only verdict %s, want %s as from the dumps", r.Verdict.Kind, offline.Verdict.Kind)
		}
		t.Logf("stderr: %s", lineWith(stderr, "fetching config from "+proxies[0]))
	})
}

// grantsOtherKinds reports whether a rule grants one of the kinds the trace reads without
// modelling (mesh.OtherKinds).
func grantsOtherKinds(r rbacv1.PolicyRule) bool {
	return slices.ContainsFunc(mesh.OtherKinds, func(k mesh.OtherKind) bool {
		return slices.Contains(r.APIGroups, k.Group) && slices.Contains(r.Resources, k.Resource)
	})
}

// documentedRoles reads the ClusterRole and the Role of deploy/rbac.yaml.
func documentedRoles(t *testing.T) (*rbacv1.ClusterRole, *rbacv1.Role) {
	t.Helper()
	f, err := os.Open(filepath.Join(testcluster.RepoRoot(), "deploy", "rbac.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cr *rbacv1.ClusterRole
	var role *rbacv1.Role
	dec := yaml.NewYAMLOrJSONDecoder(f, 4096)
	for {
		var raw map[string]any
		if err := dec.Decode(&raw); err != nil {
			break
		}
		b, _ := json.Marshal(raw)
		switch raw["kind"] {
		case "ClusterRole":
			cr = &rbacv1.ClusterRole{}
			err = json.Unmarshal(b, cr)
		case "Role":
			role = &rbacv1.Role{}
			err = json.Unmarshal(b, role)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if cr == nil || role == nil {
		t.Fatal("deploy/rbac.yaml lacks its ClusterRole or Role")
	}
	return cr, role
}

// serviceAccountKubeconfig creates ServiceAccount name in namespace egress-ops bound to
// clusterRole and role, and returns a kubeconfig holding a token the apiserver issued it.
func serviceAccountKubeconfig(t *testing.T, c *testcluster.Cluster, kc kubernetes.Interface, name, clusterRole string, role *rbacv1.Role) string {
	t.Helper()
	ctx := context.Background()
	const ns = "egress-ops"
	if _, err := kc.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err != nil {
		if _, err := kc.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := kc.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	subject := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}}
	crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: subject,
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole}}
	if _, err := kc.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: role.Namespace}, Subjects: subject,
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name}}
	if _, err := kc.RbacV1().RoleBindings(role.Namespace).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	user, groups := testcluster.ServiceAccountUser(ns, name)
	testcluster.WaitAllowed(t, kc, user, groups, authorizationv1.ResourceAttributes{Verb: "list", Group: "networking.istio.io", Resource: "serviceentries"})
	testcluster.WaitAllowed(t, kc, user, groups, authorizationv1.ResourceAttributes{Verb: "get", Resource: "configmaps", Namespace: role.Namespace, Name: "istio"})
	expiry := int64(3600)
	tok, err := kc.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &expiry}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("TokenRequest for ServiceAccount %s/%s: %v", ns, name, err)
	}
	return writeKubeconfig(t, c.RestConfig.Host, tok.Status.Token)
}

// rbacTrace runs kubectl egress trace through real kubectl with kubeconfig.
func rbacTrace(t *testing.T, pathEnv, kubeconfig, target string) (trace.Report, string) {
	t.Helper()
	stdout, stderr := runKubectl(t, pathEnv, "egress", "trace", target, "--from", "deploy/sleep", "-n", "default", "-o", "json", "--kubeconfig", kubeconfig)
	var r trace.Report
	if err := json.Unmarshal(stdout, &r); err != nil {
		t.Fatalf("kubectl egress trace -o json printed invalid JSON: %v\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	return r, stderr
}

// rbacCheckSecrets runs kubectl egress check-secrets -A through real kubectl with kubeconfig.
func rbacCheckSecrets(t *testing.T, pathEnv, kubeconfig string) (*secrets.Report, string) {
	t.Helper()
	stdout, stderr := runKubectl(t, pathEnv, "egress", "check-secrets", "-A", "-o", "json", "--kubeconfig", kubeconfig)
	if strings.Contains(string(stdout)+stderr, "PRIVATE KEY") {
		t.Fatal("check-secrets output contains private key material")
	}
	var rep secrets.Report
	if err := json.Unmarshal(stdout, &rep); err != nil {
		t.Fatalf("kubectl egress check-secrets -o json printed invalid JSON: %v\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	return &rep, string(stdout) + stderr
}

// runKubectl runs real kubectl with the plugin on PATH; exit 0 and 79 (findings) are fine.
func runKubectl(t *testing.T, pathEnv string, args ...string) ([]byte, string) {
	t.Helper()
	kubectl, err := testcluster.Kubectl()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runCommand(pathEnv, kubectl, args...)
	if code := exitCode(err); code != plugin.ExitOK && code != plugin.ExitFindings {
		t.Fatalf("kubectl %s: exit %d\nstderr:\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout, stderr
}

func traceFinding(r trace.Report, code string) *trace.Finding {
	for i := range r.Findings {
		if r.Findings[i].Code == code {
			return &r.Findings[i]
		}
	}
	return nil
}

func hasTraceCode(r trace.Report, code string) bool { return traceFinding(r, code) != nil }

func countTraceCode(r trace.Report, code string) int {
	n := 0
	for _, f := range r.Findings {
		if f.Code == code {
			n++
		}
	}
	return n
}

func lineWith(s, sub string) string {
	for l := range strings.Lines(s) {
		if strings.Contains(l, sub) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}
