package mesh

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadFiles writes each input as a manifest file and loads it: the loader returns a
// snapshot or an *InputError naming the file, and never panics.
func FuzzLoadFiles(f *testing.F) {
	root := filepath.Join("..", "testdata")
	for _, pattern := range []string{
		"scenarios/*/manifests/*.yaml",
		"mesh/istio-docs/*.yaml",
		"mesh/istio-analyzers/*.yaml",
		"e2e/*.yaml",
	} {
		files, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil && len(data) < 32<<10 {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [{}]\n"))
	f.Add([]byte("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "in.yaml")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := LoadFiles([]string{p})
		var ie *InputError
		switch {
		case err != nil && !errors.As(err, &ie):
			t.Fatalf("LoadFiles: error %T %v, want *InputError", err, err)
		case err == nil && s == nil:
			t.Fatal("LoadFiles: nil snapshot and nil error")
		}
	})
}
