package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/plugin"
)

// krewTag is the release tag the test's dist build is stamped with.
const krewTag = "v9.8.7-krewtest"

// TestKrewRelease ships the plugin as a user gets it: hack/dist.sh builds the archive (this
// machine's platform only), .krew.yaml is rendered with its real sha256, krew's own
// validate-krew-manifest checks it and installs it from a loopback server, the real krew
// installs it offline with --archive, and the real kubectl runs `kubectl egress` from
// KREW_ROOT/bin, including plugin completion through the shipped kubectl_complete-egress.
func TestKrewRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED krew release test under -short: run `make test` to include it")
	}
	krew, validator, kubectl := krewBinaries(t)
	platform := runtime.GOOS + "_" + runtime.GOARCH
	dist := t.TempDir()
	runIn(t, testcluster.RepoRoot(), []string{"DIST_DIR=" + dist, "PLATFORMS=" + runtime.GOOS + "/" + runtime.GOARCH,
		"VERSION=" + krewTag, "COMMIT=krewtest", "DATE=2026-01-02T03:04:05Z"}, "bash", "hack/dist.sh")
	archive := filepath.Join(dist, "kubectl-egress_"+krewTag+"_"+platform+".tar.gz")
	sums := readFile(t, filepath.Join(dist, "kubectl-egress_"+krewTag+"_checksums.txt"))
	if !strings.Contains(sums, filepath.Base(archive)) {
		t.Fatalf("checksums file does not list %s:\n%s", filepath.Base(archive), sums)
	}
	manifest := filepath.Join(dist, "egress.yaml")
	renderManifest(t, dist, manifest)

	t.Run("validate-krew-manifest", func(t *testing.T) {
		runIn(t, dist, nil, validator, "-manifest", manifest, "-skip-install")
		// The validator installs each platform with `kubectl krew install --manifest`, which
		// downloads: serve dist/ on loopback and point a copy of the manifest at it.
		srv := httptest.NewServer(http.FileServer(http.Dir(dist)))
		defer srv.Close()
		local := filepath.Join(t.TempDir(), "egress.yaml")
		renderManifest(t, dist, local, "-download-url", srv.URL)
		bin := t.TempDir()
		symlink(t, kubectl, filepath.Join(bin, "kubectl"))
		symlink(t, krew, filepath.Join(bin, "kubectl-krew"))
		out := runIn(t, dist, []string{testcluster.PathWith(bin)}, validator, "-manifest", local)
		if !strings.Contains(out, "spec.platforms installed fine") {
			t.Errorf("validate-krew-manifest did not install the platforms:\n%s", out)
		}
	})

	t.Run("krew install --archive, then kubectl egress", func(t *testing.T) {
		root := t.TempDir()
		env := []string{"KREW_ROOT=" + root, "KREW_NO_UPGRADE_CHECK=1", "HOME=" + t.TempDir()}
		runIn(t, dist, env, krew, "install", "--manifest="+manifest, "--archive="+archive)
		store := filepath.Join(root, "store", "egress", krewTag)
		for _, f := range []string{"kubectl-egress", "kubectl_complete-egress", "LICENSE"} {
			if _, err := os.Stat(filepath.Join(store, f)); err != nil {
				t.Errorf("krew did not install %s: %v", f, err)
			}
		}
		path := testcluster.PathWith(filepath.Join(root, "bin"))
		out := runIn(t, dist, []string{path}, kubectl, "egress", "version", "-o", "json")
		var v plugin.VersionInfo
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("kubectl egress version -o json printed %q: %v", out, err)
		}
		if v.Version != krewTag || v.Commit != "krewtest" || v.Date != "2026-01-02T03:04:05Z" {
			t.Errorf("version = %+v, want %s, commit krewtest, date 2026-01-02T03:04:05Z", v, krewTag)
		}
		// docs/install.md: copy the shim next to krew's link so kubectl finds it on PATH.
		copyFile(t, filepath.Join(store, "kubectl_complete-egress"), filepath.Join(root, "bin", "kubectl_complete-egress"))
		out = runIn(t, dist, []string{path}, kubectl, "__complete", "egress", "tr")
		if !strings.Contains(out, "kubectl_complete-egress tr") || !strings.Contains(out, "\ntrace\t") {
			t.Errorf("kubectl __complete egress tr = %q, want trace offered through kubectl_complete-egress", out)
		}
	})
}

// krewBinaries returns krew, validate-krew-manifest and kubectl, built by `make tools`.
func krewBinaries(t *testing.T) (krew, validator, kubectl string) {
	t.Helper()
	var err error
	if krew, err = testcluster.Binary("krew"); err != nil {
		t.Fatal(err)
	}
	if validator, err = testcluster.Binary("validate-krew-manifest"); err != nil {
		t.Fatal(err)
	}
	if kubectl, err = testcluster.Kubectl(); err != nil {
		t.Fatal(err)
	}
	return krew, validator, kubectl
}

func renderManifest(t *testing.T, dist, out string, extra ...string) {
	t.Helper()
	args := append([]string{"run", "./hack/krewmanifest", "-dist", dist, "-o", out, "-skip-missing"}, extra...)
	runIn(t, testcluster.RepoRoot(), nil, "go", args...)
}

// runIn runs name with args in dir, with env added, and returns its combined output.
func runIn(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.WriteFile(to, []byte(readFile(t, from)), 0o755); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
