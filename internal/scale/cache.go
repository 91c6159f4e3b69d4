package scale

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// generation names the layout of cached dumps; bump it when ScaleDump changes.
const generation = "v2"

// Root returns the repository root: the nearest parent of the working directory holding
// this module's go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(b, []byte("module github.com/kubectl-egress/kubectl-egress\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root (go.mod of github.com/kubectl-egress/kubectl-egress) not found above the working directory")
		}
		dir = parent
	}
}

// CachedDump returns the path of the template dump scaled to about mb MB, generating it
// into root/.cache/scale (git-ignored) when it is not there yet.
func CachedDump(root string, mb int) (string, error) {
	path := filepath.Join(root, ".cache", "scale", fmt.Sprintf("sidecar-%dMB-%s.json", mb, generation))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tpl, err := os.ReadFile(filepath.Join(root, TemplateDump))
	if err != nil {
		return "", err
	}
	data, _, err := ScaleDump(tpl, mb<<20)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// marshal is json.Marshal without HTML escaping, so copied strings keep their bytes.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
