package envoy_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
)

// TestFetchThroughAPIServer fetches config dumps over the real pods/portforward path: the
// real kube-apiserver proxies to a test kubelet built on the kubelet's streaming code.
func TestFetchThroughAPIServer(t *testing.T) {
	c := testcluster.Start(t)
	kc := kubernetes.NewForConfigOrDie(c.RestConfig)
	k := c.StartKubelet(t)
	dump, err := os.ReadFile(filepath.Join(testcluster.RepoRoot(), "testdata", "envoy", "public", "istio1.6-productpage.json"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	admin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.RequestURI())
		mu.Unlock()
		switch r.URL.Path {
		case "/config_dump":
			_, _ = w.Write(dump)
		case "/hang":
			<-r.Context().Done()
		default:
			http.Error(w, "invalid path: "+r.URL.Path, http.StatusNotFound)
		}
	})
	for _, name := range []string{"sleep-1", "sleep-2", "unserved"} {
		createPod(t, kc, "default", name, true)
		if name != "unserved" {
			c.ServePod(t, k, "default", name, envoy.DefaultAdminPort, admin)
		}
	}
	createPod(t, kc, "default", "no-sidecar", false)
	ctx := context.Background()
	f := &envoy.Fetcher{Config: c.RestConfig, Pods: kc.CoreV1(), Timeout: 2 * time.Second}
	defer f.Close()

	t.Run("dump arrives intact and parses", func(t *testing.T) {
		got, err := f.ConfigDump(ctx, "default", "sleep-1", envoy.DumpQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, dump) {
			t.Fatalf("fetched %d bytes, want the %d bytes served", len(got), len(dump))
		}
		if _, err := envoy.Parse(got); err != nil {
			t.Fatalf("Parse(fetched dump): %v", err)
		}
	})
	t.Run("narrow query reaches the admin and the forward is reused", func(t *testing.T) {
		q := envoy.DumpQuery{Resource: "dynamic_active_clusters", Mask: "cluster.name", NameRegex: ".*cnn.*"}
		before := k.Forwards.Load()
		if _, err := f.ConfigDump(ctx, "default", "sleep-1", q); err != nil {
			t.Fatal(err)
		}
		if n := k.Forwards.Load() - before; n != 0 {
			t.Errorf("second request to sleep-1 opened %d new port-forward(s), want the first one reused", n)
		}
		mu.Lock()
		last := seen[len(seen)-1]
		mu.Unlock()
		if want := "/config_dump?mask=cluster.name&name_regex=.%2Acnn.%2A&resource=dynamic_active_clusters"; last != want {
			t.Errorf("admin saw %q, want %q", last, want)
		}
	})
	t.Run("bytes fetched are counted", func(t *testing.T) {
		if f.BytesFetched() < int64(len(dump)) {
			t.Errorf("BytesFetched = %d, want at least %d", f.BytesFetched(), len(dump))
		}
	})
	errorCases := []struct {
		name, pod, path string
		want            string
	}{
		{"pod without sidecar", "no-sidecar", "/config_dump", "pod default/no-sidecar has no istio-proxy container"},
		{"missing pod", "ghost", "/config_dump", "pod default/ghost not found"},
		{"admin hangs", "sleep-2", "/hang", "no answer from the proxy admin within 2s"},
		{"admin error status", "sleep-2", "/nope", "proxy admin answered 404 Not Found: invalid path: /nope"},
		{"pod whose node does not serve it", "unserved", "/config_dump", "port-forward to pod default/unserved port 15000"},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Get(ctx, "default", tc.pod, tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Get(%s, %s) error = %v, want it to contain %q", tc.pod, tc.path, err, tc.want)
			}
			t.Logf("%s: %v", tc.name, err)
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans several lines: %q", err)
			}
		})
	}
	t.Run("forbidden port-forward names the permission", func(t *testing.T) {
		cfg := viewerConfig(t, kc, c.RestConfig)
		limited := &envoy.Fetcher{Config: cfg, Pods: kubernetes.NewForConfigOrDie(cfg).CoreV1()}
		defer limited.Close()
		_, err := limited.Get(ctx, "default", "sleep-1", "/config_dump")
		if err == nil || !strings.Contains(err.Error(), "create on pods/portforward") {
			t.Fatalf("error = %v, want it to name create on pods/portforward", err)
		}
	})
	t.Run("FetchAll reports each pod", func(t *testing.T) {
		pods := []envoy.PodRef{{Namespace: "default", Name: "sleep-1"}, {Namespace: "default", Name: "unserved"}, {Namespace: "default", Name: "sleep-2"}}
		res := f.FetchAll(ctx, pods, envoy.DumpQuery{}, nil)
		for i, r := range res {
			wantErr := pods[i].Name == "unserved"
			if r.Pod != pods[i] || (r.Err != nil) != wantErr {
				t.Errorf("result %d = {%v, err %v}, want pod %v with error=%v", i, r.Pod, r.Err, pods[i], wantErr)
			}
		}
	})
}

func createPod(t *testing.T, kc kubernetes.Interface, ns, name string, sidecar bool) {
	t.Helper()
	containers := []corev1.Container{{Name: "app", Image: "curlimages/curl"}}
	if sidecar {
		containers = append(containers, corev1.Container{Name: "istio-proxy", Image: "istio/proxyv2"})
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       corev1.PodSpec{Containers: containers},
	}
	if _, err := kc.CoreV1().Pods(ns).Create(context.Background(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod %s/%s: %v", ns, name, err)
	}
}

// viewerConfig impersonates a service account that may get pods but not port-forward.
func viewerConfig(t *testing.T, kc kubernetes.Interface, admin *rest.Config) *rest.Config {
	t.Helper()
	ctx := context.Background()
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "pod-viewer", Namespace: "default"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}}},
	}
	if _, err := kc.RbacV1().Roles("default").Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "pod-viewer", Namespace: "default"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "pod-viewer"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "viewer", Namespace: "default"}},
	}
	if _, err := kc.RbacV1().RoleBindings("default").Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	user, groups := testcluster.ServiceAccountUser("default", "viewer")
	testcluster.WaitAllowed(t, kc, user, groups, authorizationv1.ResourceAttributes{Verb: "get", Resource: "pods", Namespace: "default"})
	cfg := rest.CopyConfig(admin)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	return cfg
}
