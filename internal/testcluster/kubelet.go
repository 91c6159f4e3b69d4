package testcluster

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/cri-streaming/pkg/streaming/portforward"
)

// NodeName is the node the fake kubelet serves.
const NodeName = "kubectl-egress-test-node"

// Kubelet is a minimal kubelet: it serves only /portForward/{ns}/{pod} with the kubelet's
// own streaming code, so `pods/portforward` through the real apiserver reaches per-pod
// HTTP handlers (a proxy's Envoy admin serving a config dump, say).
type Kubelet struct {
	mu       sync.Mutex
	handlers map[string]map[int32]http.Handler // "ns/pod" -> port -> handler
	// Forwards counts port-forward sessions opened (one per pods/portforward request).
	Forwards atomic.Int64
	// Streams counts forwarded connections (one per TCP connection through a session).
	Streams atomic.Int64
}

// StartKubelet registers a Node pointing at a loopback TLS server and returns the kubelet.
// Pods are bound to the node with ServePod.
func (c *Cluster) StartKubelet(t testing.TB) *Kubelet {
	t.Helper()
	k := &Kubelet{handlers: map[string]map[int32]http.Handler{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(k.serveHTTP))
	srv.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	kc := kubernetes.NewForConfigOrDie(c.RestConfig)
	ctx := context.Background()
	node, err := kc.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: NodeName}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create node: %v", err)
	}
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}}
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(port)
	node.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastHeartbeatTime: metav1.Now()}}
	if _, err := kc.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("set node status: %v", err)
	}
	return k
}

// ServePod binds an existing, unscheduled pod to the fake node and serves h on its port.
func (c *Cluster) ServePod(t testing.TB, k *Kubelet, namespace, pod string, port int32, h http.Handler) {
	t.Helper()
	kc := kubernetes.NewForConfigOrDie(c.RestConfig)
	ctx := context.Background()
	p, err := kc.CoreV1().Pods(namespace).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get pod %s/%s: %v", namespace, pod, err)
	}
	if p.Spec.NodeName == "" {
		b := &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: pod, Namespace: namespace}, Target: corev1.ObjectReference{Kind: "Node", Name: NodeName}}
		if err := kc.CoreV1().Pods(namespace).Bind(ctx, b, metav1.CreateOptions{}); err != nil {
			t.Fatalf("bind pod %s/%s to %s: %v", namespace, pod, NodeName, err)
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	key := namespace + "/" + pod
	if k.handlers[key] == nil {
		k.handlers[key] = map[int32]http.Handler{}
	}
	k.handlers[key][port] = h
}

func (k *Kubelet) serveHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 3 || parts[0] != "portForward" {
		http.NotFound(w, r)
		return
	}
	key := parts[1] + "/" + parts[2]
	k.mu.Lock()
	_, ok := k.handlers[key]
	k.mu.Unlock()
	if !ok {
		http.Error(w, fmt.Sprintf("pod %s not served by the test kubelet", key), http.StatusNotFound)
		return
	}
	k.Forwards.Add(1)
	opts, err := portforward.NewV4Options(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	portforward.ServePortForward(w, r, k, key, "", opts, time.Minute, 30*time.Second, portforward.SupportedProtocols)
}

// PortForward serves one forwarded connection with the pod's handler for that port.
func (k *Kubelet) PortForward(ctx context.Context, key string, _ string, port int32, stream io.ReadWriteCloser) error {
	k.Streams.Add(1)
	k.mu.Lock()
	h := k.handlers[key][port]
	k.mu.Unlock()
	if h == nil {
		return fmt.Errorf("pod %s: nothing listens on port %d", key, port)
	}
	l := newOneConnListener(stream)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-l.closed; _ = srv.Close() }()
	_ = srv.Serve(l)
	return nil
}
