package testcluster

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

// AdminToken is the bearer token of the harness's cluster-admin user (system:masters).
const AdminToken = "kubectl-egress-test-admin"

// Cluster is a running etcd + kube-apiserver pair.
type Cluster struct {
	// RestConfig talks to the apiserver as cluster-admin.
	RestConfig *rest.Config
	// Kubeconfig is the path of a kubeconfig file for the same user.
	Kubeconfig string
	// URL is the apiserver's https address on loopback.
	URL string
	dir string
}

// Start runs a fresh etcd and kube-apiserver for t, installs Istio's CRDs and stops both
// when t ends. Under -short the test is skipped, loudly; otherwise missing binaries fail it.
func Start(t testing.TB) *Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("SKIPPED real-apiserver test under -short: run `make test` to include it")
	}
	etcdBin, err := Binary("etcd")
	if err != nil {
		t.Fatal(err)
	}
	apiBin, err := Binary("kube-apiserver")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "kubectl-egress-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{dir: dir}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	etcdURL := startEtcd(t, etcdBin, dir)
	c.startAPIServer(t, apiBin, etcdURL)
	c.writeKubeconfig(t)
	c.installCRDs(t)
	t.Logf("real kube-apiserver running at %s with Istio CRDs (kubeconfig %s)", c.URL, c.Kubeconfig)
	return c
}

func startEtcd(t testing.TB, bin, dir string) string {
	client, peer := freePort(t), freePort(t)
	url := "http://127.0.0.1:" + strconv.Itoa(client)
	startProcess(t, dir, "etcd", bin,
		"--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", url, "--advertise-client-urls", url,
		"--listen-peer-urls", "http://127.0.0.1:"+strconv.Itoa(peer),
		"--initial-advertise-peer-urls", "http://127.0.0.1:"+strconv.Itoa(peer),
		"--initial-cluster", "default=http://127.0.0.1:"+strconv.Itoa(peer),
		"--unsafe-no-fsync", "--log-level", "warn")
	waitFor(t, dir, "etcd", 30*time.Second, func() error {
		resp, err := http.Get(url + "/health")
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		return nil
	})
	return url
}

func (c *Cluster) startAPIServer(t testing.TB, bin, etcdURL string) {
	port := freePort(t)
	saKey := writeServiceAccountKey(t, c.dir)
	tokens := filepath.Join(c.dir, "tokens.csv")
	writeFile(t, tokens, AdminToken+",admin,admin,system:masters\n")
	c.URL = "https://127.0.0.1:" + strconv.Itoa(port)
	startProcess(t, c.dir, "kube-apiserver", bin,
		"--etcd-servers", etcdURL,
		"--bind-address", "127.0.0.1", "--secure-port", strconv.Itoa(port),
		"--cert-dir", filepath.Join(c.dir, "certs"),
		"--token-auth-file", tokens,
		"--authorization-mode", "RBAC",
		"--service-cluster-ip-range", "10.96.0.0/12",
		"--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file", saKey,
		"--service-account-signing-key-file", saKey,
		"--disable-admission-plugins", "ServiceAccount",
		"--v", "1")
	c.RestConfig = &rest.Config{
		Host:            c.URL,
		BearerToken:     AdminToken,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true},
		QPS:             1000,
		Burst:           1000,
	}
	waitFor(t, c.dir, "kube-apiserver", 90*time.Second, c.ready)
}

// ready asks /readyz as the admin user.
func (c *Cluster) ready() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL+"/readyz", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+AdminToken)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("readyz: %s", resp.Status)
	}
	return nil
}

func writeServiceAccountKey(t testing.TB, dir string) string {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der := x509.MarshalPKCS1PrivateKey(key)
	p := filepath.Join(dir, "sa.key")
	writeFile(t, p, string(pem.EncodeToMemory(&pem.Block{Type: "RSA " + "PRIVATE KEY", Bytes: der})))
	return p
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func writeFile(t testing.TB, path, content string) {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
