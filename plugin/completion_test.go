package plugin

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
)

const completionObjects = `apiVersion: v1
kind: Namespace
metadata: {name: apps}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: default}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec: {containers: [{name: sleep, image: curl}]}
---
apiVersion: v1
kind: Pod
metadata: {name: sleep-7d9f, namespace: default, labels: {app: sleep}}
spec: {containers: [{name: sleep, image: curl}]}
---
apiVersion: v1
kind: Pod
metadata: {name: job-done, namespace: default}
spec: {restartPolicy: Never, containers: [{name: job, image: curl}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: apps}
spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, namespace: default}
spec:
  hosts: [api.example.com, "*.cdn.example.net"]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: apps}
spec:
  hosts: [db.example.org, api.example.com]
  ports: [{number: 5432, name: tcp, protocol: TCP}]
  resolution: DNS
`

// TestCompletion runs shell completion against a real apiserver: through the real command
// tree's hidden __complete (what kubectl_complete-egress calls), and completeFrom /
// completeServiceEntryHosts directly for their narrowing rules.
func TestCompletion(t *testing.T) {
	c := testcluster.Start(t)
	objects := filepath.Join(t.TempDir(), "objects.yaml")
	if err := os.WriteFile(objects, []byte(completionObjects), 0o600); err != nil {
		t.Fatal(err)
	}
	c.Apply(t, objects)
	markSucceeded(t, c, "default", "job-done")

	t.Run("__complete trace --from", func(t *testing.T) {
		got := completeTree(t, "__complete", "trace", "--kubeconfig", c.Kubeconfig, "--from", "")
		for _, want := range []string{"deploy/sleep", "pod/sleep-7d9f"} {
			if !slices.Contains(got, want) {
				t.Errorf("__complete trace --from '' = %q, want %s among them", got, want)
			}
		}
		got = completeTree(t, "__complete", "trace", "--kubeconfig", c.Kubeconfig, "-n", "apps", "--from", "")
		if !slices.Contains(got, "pod/web-1") || slices.Contains(got, "pod/sleep-7d9f") {
			t.Errorf("__complete trace -n apps --from '' = %q, want pod/web-1 and nothing from default", got)
		}
	})
	t.Run("__complete trace HOST", func(t *testing.T) {
		got := completeTree(t, "__complete", "trace", "--kubeconfig", c.Kubeconfig, "")
		for _, want := range []string{"api.example.com", "db.example.org"} {
			if !slices.Contains(got, want) {
				t.Errorf("__complete trace '' = %q, want %s among them", got, want)
			}
		}
	})

	tests := []struct {
		name, namespace, toComplete string
		complete                    func(Factory) cobra.CompletionFunc
		want                        []string
	}{
		{"from: deployments and running pods", "default", "", completeFrom, []string{"deploy/sleep", "pod/sleep-7d9f"}},
		{"from: pods only", "default", "pod/", completeFrom, []string{"pod/sleep-7d9f"}},
		{"from: deployments only", "default", "deploy/", completeFrom, []string{"deploy/sleep"}},
		{"from: prefix", "default", "pod/x", completeFrom, []string{}},
		{"from: -n apps", "apps", "", completeFrom, []string{"pod/web-1"}},
		{"hosts: all namespaces, unique", "default", "", completeServiceEntryHosts, []string{"*.cdn.example.net", "api.example.com", "db.example.org"}},
		{"hosts: prefix", "default", "db.", completeServiceEntryHosts, []string{"db.example.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags := genericclioptions.NewConfigFlags(true)
			flags.KubeConfig, flags.Namespace = &c.Kubeconfig, &tt.namespace
			cmd := &cobra.Command{}
			cmd.SetContext(context.Background())
			got, dir := tt.complete(NewFactory(flags))(cmd, nil, tt.toComplete)
			if !slices.Equal(got, tt.want) || dir != cobra.ShellCompDirectiveNoFileComp {
				t.Errorf("completion(-n %s, %q) = %q, %v; want %q, NoFileComp", tt.namespace, tt.toComplete, got, dir, tt.want)
			}
		})
	}
}

// completeTree runs the real command tree with args and returns the offered candidates.
func completeTree(t *testing.T, args ...string) []string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := NewCmdRoot(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	cmd.SetArgs(args)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, errOut.String())
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.HasPrefix(line, ":") {
			got = append(got, strings.SplitN(line, "\t", 2)[0])
		}
	}
	return got
}

func markSucceeded(t *testing.T, c *testcluster.Cluster, namespace, name string) {
	t.Helper()
	kc := kubernetes.NewForConfigOrDie(c.RestConfig)
	ctx := context.Background()
	pod, err := kc.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod.Status.Phase = corev1.PodSucceeded
	if _, err := kc.CoreV1().Pods(namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("mark pod %s/%s succeeded: %v", namespace, name, err)
	}
}
