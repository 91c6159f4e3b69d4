package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	apiv1alpha3 "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/internal/envoyadmin"
	"github.com/kubectl-egress/kubectl-egress/internal/scale"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// adminGet answers an AdminGet from h in-process, with the Fetcher's error for a non-200.
func adminGet(h http.Handler) envoy.AdminGet {
	return func(_ context.Context, path string) ([]byte, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			line, _, _ := strings.Cut(rec.Body.String(), "\n")
			return nil, &envoy.AdminError{Code: rec.Code, Status: http.StatusText(rec.Code), Body: line}
		}
		return rec.Body.Bytes(), nil
	}
}

// TestNarrowFetchTraceEquivalence: in every scenario, for every traced host, the live
// path's narrow fetch (envoy.FetchForHost against each dump served with Envoy's admin
// semantics, then ParseFiltered as the live load parses) gives the trace exactly the
// report the whole dump files give it offline, with and without envoy.WithClient.
func TestNarrowFetchTraceEquivalence(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range traceCases {
		covered[tc.scenario] = true
		t.Run(tc.scenario+"/"+tc.host, func(t *testing.T) {
			snap, raw := readScenario(t, tc.scenario)
			checkNarrowFetch(t, snap, raw, tc.host, tc.port)
		})
	}
	dirs, _ := filepath.Glob(filepath.Join(root(t), "testdata", "scenarios", "*"))
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() && !covered[filepath.Base(d)] {
			t.Errorf("scenario %s has no trace case", filepath.Base(d))
		}
	}
}

// TestNarrowFetchVIPs: the same on the scenario with its sidecar's dump scaled (a VIP
// listener on 443 per replica, 10.100.x.y_443, and 0.0.0.0_80 with route "80" holding a
// virtual host per replica), for hosts whose client goes through a VIP listener and hosts
// whose client does not: the egress gateway Service (cluster IP 10.96.20.20, whose
// 10.96.20.20_443 the sidecar has), a TCP ServiceEntry whose addresses (a CIDR, which the
// trace skips, then a replica's VIP) pick a replica's listener, and a TCP ServiceEntry
// without addresses while the sidecar has a listener on an auto-allocated VIP
// (240.240.0.7_443, as Istio's DNS proxy allocates one) that the trace does not read.
func TestNarrowFetchVIPs(t *testing.T) {
	tpl, err := os.ReadFile(filepath.Join(root(t), scale.TemplateDump))
	if err != nil {
		t.Fatal(err)
	}
	scaled, _, err := scale.ScaleDump(tpl, 2<<20)
	if err != nil {
		t.Fatal(err)
	}
	scaled = bytes.ReplaceAll(scaled, []byte(`"10.100.0.7`), []byte(`"240.240.0.7`))
	if !bytes.Contains(scaled, []byte(`"240.240.0.7_443"`)) || !bytes.Contains(scaled, []byte(`"10.100.0.5_443"`)) {
		t.Fatal("the scaled dump lacks the VIP listeners 240.240.0.7_443 and 10.100.0.5_443")
	}
	for _, tc := range []struct {
		host string
		port int
	}{
		{"edition.cnn.com", 80}, {"edition.cnn.com", 443}, {"istio-egressgateway.istio-system.svc.cluster.local", 443},
		{"istio-egressgateway.istio-system.svc.cluster.local", 80}, {"vip.example.com", 443}, {"auto.example.com", 443},
	} {
		t.Run(tc.host+":"+strconv.Itoa(tc.port), func(t *testing.T) {
			snap, raw := readScenario(t, scenario)
			raw[client] = scaled
			addServiceEntry(t, snap, "vip", "vip.example.com", "10.100.0.0/24", "10.100.0.5")
			addServiceEntry(t, snap, "auto", "auto.example.com")
			checkNarrowFetch(t, snap, raw, tc.host, tc.port)
		})
	}
}

// checkNarrowFetch traces host:port over the narrow fetch of every dump in raw, without
// and with WithClient, and compares the reports with the trace over the dump files.
func checkNarrowFetch(t *testing.T, snap *mesh.Snapshot, raw map[string][]byte, host string, port int) {
	t.Helper()
	want := reportJSON(t, input(snap, parseAll(t, raw, envoy.Parse), host, port))
	for _, withClient := range []bool{false, true} {
		narrow := map[string][]byte{}
		for key, b := range raw {
			a, err := envoyadmin.New(b)
			if err != nil {
				t.Fatal(err)
			}
			var opts []envoy.HostOption
			if withClient {
				opts = append(trace.FetchOptions(input(snap, nil, host, port)), envoy.OnPod(podRef(key)))
			}
			hf, err := envoy.FetchForHost(context.Background(), adminGet(a), host, port, opts...)
			if err != nil || hf.Full {
				t.Fatalf("FetchForHost(%s:%d) from %s: full %v (%s), %v", host, port, key, hf.Full, hf.Note, err)
			}
			narrow[key] = hf.Data
		}
		parse := func(b []byte) (*envoy.Dump, error) { return envoy.ParseFiltered(b, envoy.ForHost(host, port)) }
		if got := reportJSON(t, input(snap, parseAll(t, narrow, parse), host, port)); got != want {
			t.Errorf("WithClient %v: trace over the narrow fetch differs from the trace over the dump files:\n got %s\nwant %s", withClient, got, want)
		}
	}
	var rep trace.Report
	if err := json.Unmarshal([]byte(want), &rep); err != nil {
		t.Fatal(err)
	}
	for _, h := range rep.Hops {
		if h.Proxy == client && strings.HasPrefix(string(h.Kind), "gateway-") {
			t.Fatalf("the trace walks the client %s as an egress gateway, which WithClient rules out", client)
		}
	}
}

func podRef(key string) envoy.PodRef {
	ns, name, _ := strings.Cut(key, "/")
	return envoy.PodRef{Namespace: ns, Name: name}
}

// addServiceEntry adds a MESH_EXTERNAL TCP ServiceEntry for host on 443 with addrs.
func addServiceEntry(t *testing.T, snap *mesh.Snapshot, name, host string, addrs ...string) {
	t.Helper()
	se := &networkingv1.ServiceEntry{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "ServiceEntry"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: apiv1alpha3.ServiceEntry{
			Hosts: []string{host}, Addresses: addrs,
			Ports:      []*apiv1alpha3.ServicePort{{Number: 443, Name: "tcp", Protocol: "TCP"}},
			Resolution: apiv1alpha3.ServiceEntry_DNS, Location: apiv1alpha3.ServiceEntry_MESH_EXTERNAL,
		},
	}
	if err := snap.Add(se, "test"); err != nil {
		t.Fatal(err)
	}
}
