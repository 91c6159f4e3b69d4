package testcluster

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-egress/kubectl-egress/internal/envoyadmin"
)

// AdminPort is the Envoy admin port the scenario proxies are served on.
const AdminPort = 15000

var nodeNameLine = regexp.MustCompile(`(?m)^(\s+)nodeName:.*$`)

// DeployScenario applies a scenario directory's manifests (testdata/scenarios/NAME), binds
// its pods to the fake kubelet's node with the status the manifests give them, and serves
// each dump of dumps/NS/POD.json as that pod's Envoy admin (package envoyadmin: Envoy's
// config_dump query parameters). replace gives other dump bytes for some "ns/pod" keys (a
// scaled dump, say). It returns the admins by "ns/pod".
func (c *Cluster) DeployScenario(t testing.TB, k *Kubelet, dir string, replace map[string][]byte) map[string]*envoyadmin.Admin {
	t.Helper()
	manifests := scenarioManifests(t, filepath.Join(dir, "manifests"))
	c.Apply(t, manifests)
	files, err := filepath.Glob(filepath.Join(dir, "dumps", "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dumps in %s: %v", dir, err)
	}
	admins := map[string]*envoyadmin.Admin{}
	for _, f := range files {
		ns, pod := filepath.Base(filepath.Dir(f)), strings.TrimSuffix(filepath.Base(f), ".json")
		key := ns + "/" + pod
		data, ok := replace[key]
		if !ok {
			if data, err = os.ReadFile(f); err != nil {
				t.Fatal(err)
			}
		}
		a, err := envoyadmin.New(data)
		if err != nil {
			t.Fatalf("serve %s: %v", key, err)
		}
		c.ServePod(t, k, ns, pod, AdminPort, a)
		admins[key] = a
	}
	c.setPodStatuses(t, manifests)
	return admins
}

// setPodStatuses gives the created pods the status their manifests hold.
func (c *Cluster) setPodStatuses(t testing.TB, manifests string) {
	t.Helper()
	kc := kubernetes.NewForConfigOrDie(c.RestConfig)
	ctx := context.Background()
	for _, want := range manifestPods(t, manifests) {
		p, err := kc.CoreV1().Pods(want.Namespace).Get(ctx, want.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p.Status = want.Status
		if _, err := kc.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("set status of pod %s/%s: %v", p.Namespace, p.Name, err)
		}
	}
}

// manifestPods reads the Pods of the YAML files in dir (package mesh's loader would be an
// import cycle for mesh's own tests).
func manifestPods(t testing.TB, dir string) []*corev1.Pod {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	var pods []*corev1.Pod
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
			var p corev1.Pod
			if err := yaml.Unmarshal([]byte(doc), &p); err != nil || p.Kind != "Pod" {
				continue
			}
			if p.Namespace == "" {
				p.Namespace = "default"
			}
			pods = append(pods, &p)
		}
	}
	return pods
}

// scenarioManifests copies the manifests to a temporary directory, binding any pod with a
// spec.nodeName to the fake kubelet's node, which alone can serve its port-forwards.
func scenarioManifests(t testing.TB, dir string) string {
	t.Helper()
	out := t.TempDir()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = nodeNameLine.ReplaceAll(b, []byte("${1}nodeName: "+NodeName))
		writeFile(t, filepath.Join(out, filepath.Base(f)), string(b))
	}
	return out
}
