package secrets_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/secrets"
)

// TestScenarios runs the check on the istiod-generated scenarios that use credentials.
func TestScenarios(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		want       []string
		proxyState string
	}{
		// tls.key in the fixture is a placeholder (the generator never stores the key).
		{"gateway-mtls-origination", []string{secrets.CodeKeyRedacted}, "active"},
		{"sidecar-mtls-origination", []string{secrets.CodeKeyRedacted}, "active"},
		{"broken-credential-secret-missing", []string{secrets.CodeSecretNotFound, secrets.CodeSDSWarming, secrets.CodeClusterNotActive}, "warming"},
		{"broken-dr-credential-no-workloadselector", []string{secrets.CodeIgnoredOnSidecar}, "unused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join("..", "testdata", "scenarios", tt.name)
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("scenario %s not present: %v", tt.name, err)
			}
			in := loadScenario(t, dir)
			in.Now = now
			rep := secrets.Run(in)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if got := codes(rep.Findings); !slices.Equal(got, want) {
				for _, f := range rep.Findings {
					t.Log(f.String())
				}
				t.Errorf("finding codes = %v, want %v", got, want)
			}
			if len(rep.Credentials) != 1 || rep.Credentials[0].ProxyState != tt.proxyState {
				t.Errorf("credentials = %+v, want one with proxy state %s", rep.Credentials, tt.proxyState)
			}
		})
	}
}

func loadScenario(t *testing.T, dir string) secrets.Input {
	t.Helper()
	m := []string{filepath.Join(dir, "manifests")}
	snap, err := mesh.LoadFiles(m)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := mesh.ReadSecretCerts(m)
	if err != nil {
		t.Fatal(err)
	}
	in := secrets.Input{Snapshot: snap, Certs: certs, Dumps: map[string]*envoy.Dump{}, Source: "files"}
	files, _ := filepath.Glob(filepath.Join(dir, "dumps", "*", "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		key := filepath.Base(filepath.Dir(f)) + "/" + strings.TrimSuffix(filepath.Base(f), ".json")
		if in.Dumps[key], err = envoy.Parse(data); err != nil {
			t.Fatal(err)
		}
	}
	return in
}
