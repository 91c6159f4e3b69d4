package testcluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// PluginVersion is the version the test build of kubectl-egress is stamped with.
const PluginVersion = "v0.0.0-e2e"

var (
	pluginOnce sync.Once
	pluginDir  string
	pluginErr  error
	pluginOut  []byte
)

// BuildPlugin builds cmd/kubectl-egress once per test binary, stamped with PluginVersion,
// and returns the directory holding it (to put on PATH for kubectl's plugin discovery).
func BuildPlugin(t testing.TB) string {
	t.Helper()
	pluginOnce.Do(func() {
		pluginDir, pluginErr = os.MkdirTemp("", "kubectl-egress-bin-")
		if pluginErr != nil {
			return
		}
		ld := "-X github.com/kubectl-egress/kubectl-egress/plugin.version=" + PluginVersion +
			" -X github.com/kubectl-egress/kubectl-egress/plugin.commit=e2e"
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ld,
			"-o", filepath.Join(pluginDir, "kubectl-egress"), "./cmd/kubectl-egress")
		cmd.Dir = RepoRoot()
		pluginOut, pluginErr = cmd.CombinedOutput()
	})
	if pluginErr != nil {
		t.Fatalf("build kubectl-egress: %v\n%s", pluginErr, pluginOut)
	}
	return pluginDir
}

// PathWith returns a PATH environment entry with dir first.
func PathWith(dir string) string {
	return "PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH")
}
