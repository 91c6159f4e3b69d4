package mesh

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadStdin feeds each input as standard input (-f -) under a small cap: the
// in-memory stream reader gives what the file reader gives for the same bytes (the same
// objects, certificates and error, naming its source), input over the cap is refused with
// a *TooLargeError however it parses, and nothing panics.
func FuzzLoadStdin(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*", "manifests", "*.yaml"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil && len(data) < 8<<10 {
			f.Add(data)
		}
	}
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [{}]\n"))
	f.Add([]byte("---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"))
	f.Add(bytes.Repeat([]byte{0}, 9000))
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 8 << 10
		file := filepath.Join(t.TempDir(), "in.yaml")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fromStdin, fromFile := NewSnapshot(DefaultIstioNamespace), NewSnapshot(DefaultIstioNamespace)
		certsIn, certsFile := map[string]SecretCerts{}, map[string]SecretCerts{}
		errIn := fromStdin.LoadManifests(Manifests{Paths: []string{"-"}, Stdin: bytes.NewReader(data), MaxBytes: limit, Certs: certsIn})
		var tl *TooLargeError
		if len(data) > limit {
			if !errors.As(errIn, &tl) || tl.Limit != limit || !strings.Contains(errIn.Error(), StdinName) {
				t.Fatalf("%d bytes over a %d cap: error %v, want a TooLargeError naming %s", len(data), limit, errIn, StdinName)
			}
			return
		}
		errFile := fromFile.LoadManifests(Manifests{Paths: []string{file}, MaxBytes: limit, Certs: certsFile})
		if got, want := errText(errIn, StdinName), errText(errFile, file); got != want {
			t.Fatalf("stdin error %q, file error %q", got, want)
		}
		if errIn != nil {
			return
		}
		if got, want := fmt.Sprint(fromStdin.Objects(), len(fromStdin.Skipped), len(certsIn)), fmt.Sprint(fromFile.Objects(), len(fromFile.Skipped), len(certsFile)); got != want {
			t.Fatalf("stdin loaded objects, skipped, secrets %s; the file %s", got, want)
		}
	})
}

// errText is err's message with the source name replaced, or "" for nil.
func errText(err error, name string) string {
	if err == nil {
		return ""
	}
	var ie *InputError
	if !errors.As(err, &ie) {
		return "not an *InputError: " + err.Error()
	}
	return strings.ReplaceAll(err.Error(), name, "SOURCE")
}
