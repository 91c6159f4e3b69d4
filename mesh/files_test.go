package mesh

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

const fixtures = "../testdata/mesh"

func TestLoadFilesRealInputs(t *testing.T) {
	tests := []struct {
		name    string
		paths   []string
		se, vs  int
		dr, gw  int
		skipped int
		others  int
		host    string // ServiceEntriesForHost(host) must be non-empty
	}{
		{name: "istio docs wildcard SE", paths: []string{"istio-docs/wildcard-egress-hosts-01.yaml"}, se: 1, host: "en.wikipedia.org"},
		{name: "istio docs egress gateway gw+dr", paths: []string{"istio-docs/egress-gateway-tls-origination-02.yaml"}, dr: 1, gw: 1},
		{name: "istio docs gateway API only is recorded, not modelled", paths: []string{"istio-docs/egress-gateway-tls-origination-05.yaml"}, others: 2},
		{name: "egress-with-sni repo, EnvoyFilters recorded", paths: []string{"repos/aopopov90-egress-with-sni_egress-resources.yaml"},
			se: 2, vs: 1, dr: 2, gw: 1, others: 2, host: "www.wikipedia.org"},
		{name: "crcsmnky repo as directory glob", paths: []string{"repos/crcsmnky-istio-egress-gateway_egress-serviceentry.yaml",
			"repos/crcsmnky-istio-egress-gateway_egress-gateway.yaml", "repos/crcsmnky-istio-egress-gateway_egress-virtualservice.yaml",
			"repos/crcsmnky-istio-egress-gateway_egress-destinationrule.yaml"}, se: 1, vs: 1, dr: 1, gw: 1},
		{name: "analyzer gateway secrets", paths: []string{"istio-analyzers/gateway-secrets.yaml"}, gw: 5},
		{name: "analyzer credentialName DR", paths: []string{"istio-analyzers/destinationrule-simple-destination-credentialname.yaml"}, dr: 1},
		{name: "kiali exportTo SE", paths: []string{"kiali/validations-exportto-cns-se_bookinfo1_to_2_3.yaml"}, se: 1},
		{name: "whole repos directory", paths: []string{"repos"},
			se: 4, vs: 3, dr: 4, gw: 3, skipped: 2, others: 2, host: "www.wikipedia.org"},
		{name: "kiali VS + DR across namespaces", paths: []string{"kiali/validations-virtualservices-subset-presence-matching-subsets-diff-ns.yaml"}, vs: 1, dr: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			for _, p := range tt.paths {
				paths = append(paths, filepath.Join(fixtures, p))
			}
			s, err := LoadFiles(paths)
			if err != nil {
				t.Fatalf("LoadFiles(%v) error: %v", tt.paths, err)
			}
			got := [6]int{len(s.ServiceEntries), len(s.VirtualServices), len(s.DestinationRules), len(s.Gateways), len(s.Skipped), len(s.Others)}
			if want := [6]int{tt.se, tt.vs, tt.dr, tt.gw, tt.skipped, tt.others}; got != want {
				t.Errorf("LoadFiles(%v) counts se,vs,dr,gw,skipped,others = %v, want %v (skipped: %+v)", tt.paths, got, want, s.Skipped)
			}
			if tt.host != "" && len(s.ServiceEntriesForHost(tt.host)) == 0 {
				t.Errorf("ServiceEntriesForHost(%q) = none, want a match", tt.host)
			}
		})
	}
}

func TestLoadFilesRealInputErrors(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{name: "kiali VS with weight inside destination", paths: []string{"kiali/references-multiple-vs-gateways.yaml"},
			want: []string{"document 1: VirtualService bookinfo/reviews1: spec:", `unknown field "weight"`}},
		{name: "istio docs tasks redefine the same objects", paths: []string{"istio-docs"},
			want: []string{"duplicate ", "first defined in ../testdata/mesh/istio-docs/"}},
		{name: "raw mesh config is not a manifest", paths: []string{"meshconfig"}, want: []string{"object has no kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			for _, p := range tt.paths {
				paths = append(paths, filepath.Join(fixtures, p))
			}
			_, err := LoadFiles(paths)
			assertInputError(t, err, tt.want)
		})
	}
}

func assertInputError(t *testing.T, err error, want []string) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("LoadFiles error = %v (%T), want *InputError", err, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("LoadFiles error = %q, want it to contain %q", err, w)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("LoadFiles error = %q, want one line", err)
	}
}

// TestLoadManifestsNamespaceFlag: objects without metadata.namespace go to the namespace
// given with -n (Manifests.Namespace), as `kubectl apply -n NS -f` puts them; "" is
// "default"; an explicit metadata.namespace wins; cluster-scoped kinds stay unnamespaced.
func TestLoadManifestsNamespaceFlag(t *testing.T) {
	const docs = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: cnn}
spec: {hosts: [edition.cnn.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cnn, namespace: other}
spec: {host: edition.cnn.com}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict}
spec: {mtls: {mode: STRICT}}
`
	for _, tt := range []struct{ ns, want string }{{"team-a", "team-a"}, {"", "default"}} {
		s := NewSnapshot(DefaultIstioNamespace)
		if err := s.LoadManifests(Manifests{Paths: []string{"-"}, Stdin: strings.NewReader(docs), Namespace: tt.ns}); err != nil {
			t.Fatal(err)
		}
		if s.ServiceEntries[Key(tt.want, "cnn")] == nil {
			t.Errorf("-n %q: ServiceEntry without namespace not in %s (have %v)", tt.ns, tt.want, SortedKeys(s.ServiceEntries))
		}
		if s.DestinationRules["other/cnn"] == nil {
			t.Errorf("-n %q: explicit metadata.namespace not kept (have %v)", tt.ns, SortedKeys(s.DestinationRules))
		}
		if ns := s.Namespaces["team-a"]; ns == nil || ns.Namespace != "" {
			t.Errorf("-n %q: Namespace object = %+v, want cluster-scoped team-a", tt.ns, ns)
		}
		if pa := s.Others["security.istio.io/PeerAuthentication/"+tt.want+"/strict"]; pa == nil {
			t.Errorf("-n %q: PeerAuthentication = %+v, want namespace %s", tt.ns, s.Others, tt.want)
		}
	}
}
