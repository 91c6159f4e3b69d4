package realenvoy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
)

// Version is the Envoy release hack/tools/envoy.sh installs.
const Version = "1.40.0"

var (
	versionOnce sync.Once
	versionErr  error
)

// Binary is the path of the real Envoy (TOOLS_BIN, else .cache/bin).
func Binary() string {
	dir := os.Getenv("TOOLS_BIN")
	if dir == "" {
		dir = filepath.Join(testcluster.RepoRoot(), ".cache", "bin")
	}
	return filepath.Join(dir, "envoy")
}

// Require returns the real Envoy's path after checking it runs and is Version. When it is
// missing (or the machine cannot run it in a network namespace) the test fails under CI=true
// and is skipped loudly otherwise; never is a stand-in used.
func Require(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("SKIPPED real-envoy test under -short: run `make test` to include it")
	}
	bin := Binary()
	versionOnce.Do(func() { versionErr = checkVersion(bin) })
	if versionErr != nil {
		requireFail(t, versionErr.Error())
	}
	if os.Geteuid() != 0 {
		requireFail(t, "the real-Envoy tests run each Envoy in its own network namespace and need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		requireFail(t, "ip (iproute2) not found: apt-get install -y iproute2")
	}
	return bin
}

func checkVersion(bin string) error {
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("real envoy %s: %v: %s: run `bash hack/tools/envoy.sh` (or `make tools`)", bin, err, strings.TrimSpace(string(out)))
	}
	if !strings.Contains(string(out), "/"+Version+"/") {
		return fmt.Errorf("real envoy %s reports %q, want %s: run `bash hack/tools/envoy.sh`", bin, strings.TrimSpace(string(out)), Version)
	}
	return nil
}

// requireFail fails the test under CI=true and skips it loudly elsewhere.
func requireFail(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("real envoy required under CI=true: %s", msg)
	}
	t.Skipf("SKIPPED real-envoy test: %s", msg)
}
