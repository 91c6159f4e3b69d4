package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	istioclient "istio.io/client-go/pkg/clientset/versioned"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/plugin"
)

// TestFoundation proves the harness: Istio objects from the egress docs stored and validated
// by a real apiserver, read back through istio.io/client-go, and the plugin found and run by
// the real kubectl's plugin discovery.
func TestFoundation(t *testing.T) {
	c := testcluster.Start(t)
	c.Apply(t, filepath.Join(testcluster.RepoRoot(), "testdata", "e2e", "foundation.yaml"))

	t.Run("istio client-go lists what was applied", func(t *testing.T) {
		ic, err := istioclient.NewForConfig(c.RestConfig)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		ses, err := ic.NetworkingV1().ServiceEntries("default").List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ses.Items) != 1 || ses.Items[0].Spec.GetHosts()[0] != "my-nginx.mesh-external.svc.cluster.local" {
			t.Fatalf("ServiceEntries in default = %v, want one for my-nginx.mesh-external.svc.cluster.local", ses.Items)
		}
		dr, err := ic.NetworkingV1().DestinationRules("istio-system").Get(ctx, "originate-mtls-for-nginx", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := dr.Spec.GetTrafficPolicy().GetPortLevelSettings()[0].GetTls().GetCredentialName()
		if got != "client-credential" {
			t.Errorf("credentialName = %q, want client-credential", got)
		}
		kc, err := kubernetes.NewForConfig(c.RestConfig)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kc.CoreV1().Secrets("istio-system").Get(ctx, "client-credential", metav1.GetOptions{}); err != nil {
			t.Errorf("get secret istio-system/client-credential: %v", err)
		}
	})

	t.Run("CRD schema rejects a ServiceEntry without hosts", func(t *testing.T) {
		out, err := c.Kubectl(t, nil, "apply", "-f", filepath.Join(testcluster.RepoRoot(), "testdata", "e2e", "invalid-serviceentry.yaml"))
		if err == nil || !strings.Contains(out, "hosts") {
			t.Fatalf("kubectl apply of a hostless ServiceEntry: err=%v out=%s; want a rejection naming hosts", err, out)
		}
	})

	t.Run("kubectl egress version through kubectl plugin discovery", func(t *testing.T) {
		path := testcluster.PathWith(testcluster.BuildPlugin(t))
		out, err := c.Kubectl(t, []string{path}, "egress", "version", "-o", "json")
		if err != nil {
			t.Fatalf("kubectl egress version: %v\n%s", err, out)
		}
		var v plugin.VersionInfo
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("kubectl egress version -o json printed %q: %v", out, err)
		}
		if v.Version != testcluster.PluginVersion || v.Commit != "e2e" {
			t.Errorf("version = %+v, want version %s commit e2e", v, testcluster.PluginVersion)
		}
		out, err = c.Kubectl(t, []string{path}, "plugin", "list")
		if err != nil || !strings.Contains(out, "kubectl-egress") {
			t.Errorf("kubectl plugin list: err=%v, want kubectl-egress listed:\n%s", err, out)
		}
	})
}
