package secrets_test

import (
	"slices"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/secrets"
	"github.com/kubectl-egress/kubectl-egress/secrets/secretstest"
)

// loadCase reads a case the way the command's file path does.
func loadCase(t *testing.T, tc secretstest.Case) secrets.Input {
	t.Helper()
	p := secretstest.WriteManifests(t, t.TempDir(), tc.Manifests...)
	snap, err := mesh.LoadFiles([]string{p})
	if err != nil {
		t.Fatal(err)
	}
	certs, err := mesh.ReadSecretCerts([]string{p})
	if err != nil {
		t.Fatal(err)
	}
	in := secrets.Input{Snapshot: snap, Certs: certs, Dumps: map[string]*envoy.Dump{}, Now: secretstest.Now, Source: "files"}
	for k, js := range tc.Dumps {
		if in.Dumps[k], err = envoy.Parse(js); err != nil {
			t.Fatalf("envoy.Parse(dump of %s): %v", k, err)
		}
	}
	return in
}

func codes(fs []secrets.Finding) []string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.Code) {
			out = append(out, f.Code)
		}
	}
	slices.Sort(out)
	return out
}

func TestRunCases(t *testing.T) {
	for _, tc := range secretstest.Cases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			rep := secrets.Run(loadCase(t, tc))
			want := slices.Clone(tc.Want)
			slices.Sort(want)
			if got := codes(rep.Findings); !slices.Equal(got, want) {
				for _, f := range rep.Findings {
					t.Log(f.String())
				}
				t.Errorf("finding codes = %v, want %v", got, want)
			}
			if len(rep.Credentials) != 1 {
				t.Fatalf("got %d credentials, want 1", len(rep.Credentials))
			}
		})
	}
}

// TestForbiddenAndRBAC: an unreadable Secret is skipped, not failed; a denied review is an error.
func TestForbiddenAndRBAC(t *testing.T) {
	tc := secretstest.Cases(t)[0]
	in := loadCase(t, tc)
	key := mesh.Key(secretstest.GatewayNS, secretstest.CredName)
	in.Snapshot.Secrets[key] = &mesh.SecretInfo{Namespace: secretstest.GatewayNS, Name: secretstest.CredName, Access: mesh.AccessForbidden}
	delete(in.Certs, key)
	rep := secrets.Run(in)
	if got := codes(rep.Findings); !slices.Equal(got, []string{secrets.CodeSecretForbidden}) {
		t.Errorf("forbidden secret: codes = %v, want [%s]", got, secrets.CodeSecretForbidden)
	}
	if r := rep.Credentials[0].Result; r != secrets.ResultSkipped {
		t.Errorf("forbidden secret: result = %q, want skipped", r)
	}
	in.ListSecrets = map[string]string{secrets.AccessKey(secretstest.GatewayNS, secretstest.GatewayNS, secretstest.GatewaySA): secrets.AccessDenied}
	rep = secrets.Run(in)
	if got := codes(rep.Findings); !slices.Contains(got, secrets.CodeListDenied) {
		t.Errorf("denied review: codes = %v, want %s", got, secrets.CodeListDenied)
	}
}

// TestScope: --host and -n filter credentials.
func TestScope(t *testing.T) {
	in := loadCase(t, secretstest.Cases(t)[0])
	for _, tt := range []struct {
		name string
		host string
		ns   []string
		want int
	}{
		{"all", "", nil, 1},
		{"host matches", secretstest.Host, nil, 1},
		{"other host", "edition.cnn.com", nil, 0},
		{"credential namespace", "", []string{"istio-system"}, 1},
		{"other namespace", "", []string{"kube-system"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in.Host, in.Namespaces = tt.host, tt.ns
			if got := len(secrets.Run(in).Credentials); got != tt.want {
				t.Errorf("Run(host %q, namespaces %v) gave %d credentials, want %d", tt.host, tt.ns, got, tt.want)
			}
		})
	}
}
