package testcluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func (c *Cluster) writeKubeconfig(t testing.TB) {
	c.Kubeconfig = filepath.Join(c.dir, "kubeconfig")
	writeFile(t, c.Kubeconfig, kubeconfigFor(c.URL))
}

// Kubectl runs the real kubectl (args, then --kubeconfig) against the cluster with extra environment (e.g. a PATH
// holding kubectl-egress) and returns its combined output.
func (c *Cluster) Kubectl(t testing.TB, env []string, args ...string) (string, error) {
	t.Helper()
	bin, err := Kubectl()
	if err != nil {
		t.Fatal(err)
	}
	// --kubeconfig goes last: kubectl refuses flags before a plugin's name.
	cmd := exec.Command(bin, append(args, "--kubeconfig", c.Kubeconfig)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Apply runs `kubectl apply -f` on each path, failing the test on error.
func (c *Cluster) Apply(t testing.TB, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if out, err := c.Kubectl(t, nil, "apply", "-f", p); err != nil {
			t.Fatalf("kubectl apply -f %s: %v\n%s", p, err, out)
		}
	}
}

func (c *Cluster) installCRDs(t testing.TB) {
	t.Helper()
	c.applyCRDs(t, "Istio", "istio-crds.gen.yaml")
}

// applyCRDs applies testdata/crds/FILE server-side, waits until every CRD is established
// and lists each once (warmCRDs), so the apiserver serves them before a test uses them.
func (c *Cluster) applyCRDs(t testing.TB, what, file string) {
	t.Helper()
	crds := filepath.Join(RepoRoot(), "testdata", "crds", file)
	if out, err := c.Kubectl(t, nil, "apply", "--server-side", "-f", crds); err != nil {
		t.Fatalf("install %s CRDs: %v\n%s", what, err, out)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := c.Kubectl(t, nil, "wait", "--for=condition=Established", "crd", "--all", "--timeout=30s")
		if err == nil {
			c.warmCRDs(t)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s CRDs not established: %v\n%s", what, err, strings.TrimSpace(out))
		}
		time.Sleep(time.Second)
	}
}

// warmCRDs lists every installed custom resource once. An established CRD's first LISTs
// can answer 429 while its storage initialises (client-go retries them), which would make
// request counts of the code under test vary from run to run.
func (c *Cluster) warmCRDs(t testing.TB) {
	t.Helper()
	out, err := c.Kubectl(t, nil, "get", "crd", "-o", `jsonpath={range .items[*]}{.spec.names.plural}.{.spec.group},{end}`)
	if err != nil {
		t.Fatalf("list CRDs: %v\n%s", err, out)
	}
	if out, err := c.Kubectl(t, nil, "get", strings.TrimSuffix(strings.TrimSpace(out), ","), "-A"); err != nil {
		t.Fatalf("warm up CRDs: %v\n%s", err, out)
	}
}
