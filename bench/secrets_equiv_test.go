package bench

import (
	"bytes"
	"encoding/json"
	"io/fs"
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

// secretsInput loads a scenario as check-secrets -f does (manifests read once, with the
// Secrets' certificates), its dumps parsed with parse(plan) for the plan's credentials.
func secretsInput(tb testing.TB, dir string, parse func(data []byte, creds []string) (*envoy.Dump, error)) secrets.Input {
	tb.Helper()
	in := secrets.Input{Snapshot: mesh.NewSnapshot(mesh.DefaultIstioNamespace), Certs: map[string]mesh.SecretCerts{},
		Dumps: map[string]*envoy.Dump{}, ListSecrets: map[string]string{}, Source: "files", Now: now, ExpiryWarning: 30 * 24 * time.Hour}
	if err := in.Snapshot.LoadManifests(mesh.Manifests{Paths: []string{filepath.Join(dir, "manifests")}, Certs: in.Certs}); err != nil {
		tb.Fatal(err)
	}
	var creds []string
	for _, c := range secrets.Plan(in) {
		creds = append(creds, c.Name)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "dumps", "*", "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		key := filepath.Base(filepath.Dir(f)) + "/" + strings.TrimSuffix(filepath.Base(f), ".json")
		if in.Dumps[key], err = parse(data, creds); err != nil {
			tb.Fatalf("parse %s: %v", f, err)
		}
	}
	return in
}

func fullParse(data []byte, _ []string) (*envoy.Dump, error) { return envoy.Parse(data) }

func credentialParse(data []byte, creds []string) (*envoy.Dump, error) {
	return envoy.ParseFiltered(data, envoy.ForCredentials(creds))
}

// TestForCredentialsCheckSecretsEquivalence: check-secrets over dumps parsed with
// ParseFiltered(ForCredentials(plan)) reports exactly what it reports over Parse's dumps,
// in every scenario, for the whole mesh and for each credential's host.
func TestForCredentialsCheckSecretsEquivalence(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(root(t), "testdata", "scenarios", "*"))
	if len(dirs) < 10 {
		t.Fatalf("found %d scenarios, want the repository's", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			full, filtered := secretsInput(t, dir, fullParse), secretsInput(t, dir, credentialParse)
			hosts := []string{""}
			for _, c := range secrets.Plan(full) {
				for _, u := range c.UsedBy {
					hosts = append(hosts, u.Hosts...)
				}
			}
			slices.Sort(hosts)
			for _, h := range slices.Compact(hosts) {
				full.Host, filtered.Host = h, h
				want, got := secretsJSON(t, full), secretsJSON(t, filtered)
				if got != want {
					t.Errorf("host %q: check-secrets over ParseFiltered(ForCredentials) dumps differs from the one over Parse:\n got %s\nwant %s", h, got, want)
				}
			}
		})
	}
}

func secretsJSON(t *testing.T, in secrets.Input) string {
	t.Helper()
	b, err := json.Marshal(secrets.Run(in))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestForSecretsPublicDumps: on every dump of the repository (public fixtures, scenario
// dumps), for every SDS secret name the dump mentions, ForSecrets keeps what the check
// reads for that name, the secrets so named and the clusters naming it, exactly as Parse
// gives them; also when the dump's JSON escapes its slashes (\/), and for a name asked
// alone (the other names' clusters may go).
func TestForSecretsPublicDumps(t *testing.T) {
	var files []string
	for _, d := range []string{filepath.Join(root(t), "testdata", "envoy"), filepath.Join(root(t), "testdata", "scenarios")} {
		_ = filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(p, ".json") && !strings.Contains(p, "golden") {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) < 20 {
		t.Fatalf("found %d dumps, want the repository's", len(files))
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		full, err := envoy.Parse(data)
		if err != nil {
			continue // not a dump Parse reads (an invalid-input fixture)
		}
		names := sdsNames(full)
		variants := map[string][]byte{"as given": data}
		if escaped := bytes.ReplaceAll(data, []byte("/"), []byte(`\/`)); json.Valid(escaped) {
			variants["slashes escaped"] = escaped
		}
		for _, ask := range append([][]string{names}, singles(names)...) {
			for variant, raw := range variants {
				got, err := envoy.ParseFiltered(raw, envoy.ForSecrets(ask))
				if err != nil {
					t.Fatalf("%s (%s): ParseFiltered: %v", f, variant, err)
				}
				for _, n := range ask {
					if w, g := readFor(full, n), readFor(got, n); w != g {
						t.Errorf("%s (%s), names %v: for %s ParseFiltered(ForSecrets) gives\n %s\nParse gives\n %s", f, variant, ask, n, g, w)
					}
				}
				checked++
			}
		}
	}
	t.Logf("%d dumps, %d selections checked", len(files), checked)
}

// singles is each name alone (at most a few, to keep the test quick).
func singles(names []string) [][]string {
	var out [][]string
	for _, n := range names[:min(len(names), 4)] {
		out = append(out, []string{n})
	}
	return out
}

// sdsNames are the SDS secret names a dump has or its clusters name.
func sdsNames(d *envoy.Dump) []string {
	var out []string
	for _, s := range d.Secrets {
		out = append(out, s.Name)
	}
	for _, c := range d.Clusters {
		for _, tls := range clusterTLS(c) {
			out = append(append(out, tls.CertificateSDS...), tls.ValidationSDS)
		}
	}
	out = slices.DeleteFunc(out, func(s string) bool { return s == "" })
	slices.Sort(out)
	return slices.Compact(out)
}

func clusterTLS(c envoy.Cluster) []*envoy.UpstreamTLS {
	out := []*envoy.UpstreamTLS{}
	if c.TLS != nil {
		out = append(out, c.TLS)
	}
	for _, m := range c.TransportSocketMatches {
		if m.TLS != nil {
			out = append(out, m.TLS)
		}
	}
	return out
}

// readFor is what check-secrets reads of d for the SDS secret name (secrets/check_proxy.go):
// the secrets so named and the clusters whose TLS names it, as JSON.
func readFor(d *envoy.Dump, name string) string {
	var secs []envoy.Secret
	for _, s := range d.Secrets {
		if s.Name == name {
			secs = append(secs, s)
		}
	}
	var clusters []envoy.Cluster
	for _, c := range d.Clusters {
		if slices.ContainsFunc(clusterTLS(c), func(t *envoy.UpstreamTLS) bool {
			return slices.Contains(t.CertificateSDS, name) || t.ValidationSDS == name
		}) {
			clusters = append(clusters, c)
		}
	}
	b, _ := json.Marshal(struct {
		Secrets  []envoy.Secret
		Clusters []envoy.Cluster
	}{secs, clusters})
	return string(b)
}
