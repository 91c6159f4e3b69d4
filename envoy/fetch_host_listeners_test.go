package envoy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/internal/envoyadmin"
)

// edgeListenerNames are listener names the plans must sort like their predicates.
var edgeListenerNames = []string{
	"10.96.20.20_443", "10.96.20.2_443", "10.96.20.20_4430", "240.240.0.1_443", "fd00::1_443", "[fd00::1]_443",
	"0.0.0.0_443", "0.0.0.0_4430", "0.0.0.0_8443", "[::]_443", "[::]_80", "virtualOutbound", "virtualInbound",
	"x_443_", "_443", "443", "", "0.0.0.0_443\n", "10.96.20.20_443\n",
}

func TestVipListenerNames(t *testing.T) {
	got := vipListenerNames([]string{"10.0.0.1", "fd00:0::1", "10.0.0.1", "10.0.0.0/24", " 10.0.0.2", "name.example.com", ""}, 443)
	want := []string{"10.0.0.1_443", "fd00::1_443"}
	if !slices.Equal(got, want) {
		t.Errorf("vipListenerNames = %q, want %q", got, want)
	}
}

// plans are the listener plans of every part a proxy can have in a trace of port 443.
func plans(t *testing.T) map[string]listenerPlan {
	t.Helper()
	sidecar := []byte(`{"configs":[{"bootstrap":{"node":{"id":"sidecar~10.244.0.10~sleep-1.default~default.svc.cluster.local"}}}]}`)
	router := []byte(`{"configs":[{"bootstrap":{"node":{"id":"router~10.244.0.20~gw-1.istio-system~istio-system.svc.cluster.local"}}}]}`)
	client, other := PodRef{Namespace: "default", Name: "sleep-1"}, PodRef{Namespace: "istio-system", Name: "gw-1"}
	plan := func(bootstrap []byte, opts ...HostOption) listenerPlan {
		return newHostFetch(context.Background(), nil, "edition.cnn.com", 443, opts).planListeners(bootstrap)
	}
	return map[string]listenerPlan{
		"no client":           plan(sidecar),
		"client sidecar":      plan(sidecar, WithClient(client, "10.96.20.20", "240.240.0.1")),
		"client sidecar, one": plan(sidecar, WithClient(client, "10.96.20.20"), OnPod(client)),
		"client router":       plan(router, WithClient(client, "10.96.20.20"), OnPod(client)),
		"client, no node id":  plan([]byte(`{"configs":[{"bootstrap":{}}]}`), WithClient(client)),
		"gateway":             plan(router, WithClient(client, "10.96.20.20"), OnPod(other)),
	}
}

// TestListenerPlans: each plan's regexes match exactly the names its predicate keeps, and
// the predicates keep what the trace can look up for the proxy's part.
func TestListenerPlans(t *testing.T) {
	listeners, _ := dumpNames(t)
	listeners = append(listeners, edgeListenerNames...)
	ps := plans(t)
	for name, p := range ps {
		keep := p.keep()
		var res []*regexp.Regexp
		for _, r := range p.regexes() {
			res = append(res, fullMatch(r))
		}
		for _, n := range listeners {
			matched := slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(n) })
			if matched != keep(n) {
				t.Errorf("%s: regexes %q match %q = %v, the plan keeps it = %v", name, p.regexes(), n, matched, keep(n))
			}
		}
	}
	for _, tt := range []struct {
		plan       string
		keep, drop []string
	}{
		{"no client", []string{"10.96.20.20_443", "240.240.0.1_443", "0.0.0.0_80", "virtualInbound"}, []string{"10.96.20.20_80"}},
		{"client sidecar", []string{"10.96.20.20_443", "240.240.0.1_443", "0.0.0.0_443", "[::]_443", "virtualOutbound"}, []string{"10.96.20.2_443", "0.0.0.0_80", "0.0.0.0_8443", "[::]_80"}},
		{"client sidecar, one", []string{"10.96.20.20_443", "0.0.0.0_443"}, []string{"240.240.0.1_443", "0.0.0.0_80"}},
		{"client router", []string{"10.96.20.20_443", "0.0.0.0_8443", "[::]_80", "virtualOutbound"}, []string{"240.240.0.1_443"}},
		{"client, no node id", []string{"0.0.0.0_8443", "virtualOutbound"}, []string{"10.96.20.20_443"}},
		{"gateway", []string{"0.0.0.0_8443", "0.0.0.0_443", "[::]_80", "virtualOutbound"}, []string{"10.96.20.20_443"}},
	} {
		keep := ps[tt.plan].keep()
		for _, n := range tt.keep {
			if !keep(n) {
				t.Errorf("%s: drops %s", tt.plan, n)
			}
		}
		for _, n := range tt.drop {
			if keep(n) {
				t.Errorf("%s: keeps %s", tt.plan, n)
			}
		}
	}
	if p := ps["no client"]; !slices.Equal(p.regexes(), []string{listenerRegex(443)}) {
		t.Errorf("without WithClient the listeners asked for are %q, want ForHost's %q", p.regexes(), listenerRegex(443))
	}
}

// TestFetchForHostAsGateway: FetchAllForHost's pods other than the client's read every
// 0.0.0.0_* listener and what they name, and parse, without the VIP listeners on port,
// to what the whole dump parses to.
func TestFetchForHostAsGateway(t *testing.T) {
	raw, err := os.ReadFile("../testdata/scenarios/gateway-tls-origination/dumps/istio-system/istio-egressgateway-6d8c4b7f9-xk2lp.json")
	if err != nil {
		t.Fatal(err)
	}
	a, err := envoyadmin.New(raw)
	if err != nil {
		t.Fatal(err)
	}
	get := func(_ context.Context, path string) ([]byte, error) {
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			return nil, &AdminError{Code: rec.Code, Body: rec.Body.String()}
		}
		return rec.Body.Bytes(), nil
	}
	client, gw := PodRef{Namespace: "default", Name: "sleep"}, PodRef{Namespace: "istio-system", Name: "gw"}
	for _, port := range []int{80, 443} {
		hf, err := FetchForHost(context.Background(), get, "edition.cnn.com", port, WithClient(client, "10.96.20.20"), OnPod(gw))
		if err != nil || hf.Full {
			t.Fatalf("FetchForHost: full %v (%s), %v", hf.Full, hf.Note, err)
		}
		f := ForHost("edition.cnn.com", port)
		f.Listener = anyPortListener
		got, err := ParseFiltered(hf.Data, f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ParseFiltered(raw, f)
		if err != nil {
			t.Fatal(err)
		}
		got.Sections, got.UnknownTypes, got.LegacyTypes = nil, nil, nil
		want.Sections, want.UnknownTypes, want.LegacyTypes = nil, nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("port %d: the gateway's narrow fetch parses differently from its whole dump", port)
		}
		if len(want.Listeners) == 0 || !strings.HasPrefix(want.Listeners[0].Name, "0.0.0.0_") {
			t.Errorf("port %d: the gateway dump has no 0.0.0.0_* listener to compare", port)
		}
	}
}
