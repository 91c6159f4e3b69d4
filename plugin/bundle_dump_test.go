package plugin

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

// TestRedactDump: a bundle's dump parses to the same model but for the node metadata not
// read, and the pod's annotations and ISTIO_META_* values are gone.
func TestRedactDump(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*", "dumps", "*", "*.json"))
	if len(files) == 0 {
		t.Fatal("no scenario dumps")
	}
	for _, f := range files[:min(len(files), 12)] {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			data = bytes.Replace(data, []byte(`"metadata": {`), []byte(`"metadata": {"ANNOTATIONS": {"example.com/token": "tok-hunter2"}, "ISTIO_META_API_KEY": "tok-hunter2", `), 1)
			if !bytes.Contains(data, []byte("tok-hunter2")) {
				t.Fatalf("%s: no node metadata to put the token in", f)
			}
			red, err := redactDump(data)
			if err != nil {
				t.Fatalf("redactDump(%s): %v", f, err)
			}
			if bytes.Contains(red, []byte("tok-hunter2")) {
				t.Errorf("redactDump(%s) keeps node metadata that is not read", f)
			}
			want, err1 := envoy.Parse(data)
			got, err2 := envoy.Parse(red)
			if err1 != nil || err2 != nil {
				t.Fatalf("envoy.Parse: %v, redacted: %v", err1, err2)
			}
			for _, k := range dumpNodeKept {
				if got.Node.Metadata[k] != want.Node.Metadata[k] {
					t.Errorf("node metadata %s = %q, want %q", k, got.Node.Metadata[k], want.Node.Metadata[k])
				}
			}
			got.Node.Metadata, want.Node.Metadata = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("redactDump(%s) parses to another model", f)
			}
		})
	}
}
