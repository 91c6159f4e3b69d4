package testcluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// RepoRoot returns the repository root (the directory holding go.mod of the plugin).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// binDir is where hack/tools/build.sh puts etcd, kube-apiserver and kubectl.
func binDir() string {
	if d := os.Getenv("TOOLS_BIN"); d != "" {
		return d
	}
	return filepath.Join(RepoRoot(), ".cache", "bin")
}

// Binary returns the path of a harness binary, or an error telling how to build it.
func Binary(name string) (string, error) {
	p := filepath.Join(binDir(), name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s not found in %s: run `bash hack/tools/build.sh` (or `make tools`) first", name, binDir())
	}
	return p, nil
}

// Kubectl returns the kubectl the tests use: the harness-built v1.37 one, else the one on PATH.
func Kubectl() (string, error) {
	if p, err := Binary("kubectl"); err == nil {
		return p, nil
	}
	p, err := exec.LookPath("kubectl")
	if err != nil {
		return "", fmt.Errorf("kubectl: not built in %s and not on PATH: run `bash hack/tools/build.sh kubectl`", binDir())
	}
	return p, nil
}
