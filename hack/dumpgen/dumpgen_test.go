package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"istio.io/istio/pkg/log"
	"istio.io/istio/pkg/security"
)

// TestDeterministic generates one scenario with a credentialName secret twice and checks that every
// file is byte-identical and free of private keys.
func TestDeterministic(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "istio.io/istio").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	tmpl := filepath.Join(strings.TrimSpace(string(out)), "tools/packaging/common/envoy_bootstrap.json")
	quietLogs(log.NoneLevel)
	security.AuthPlaintext = true
	certs, err := makeClientCredential()
	if err != nil {
		t.Fatal(err)
	}
	var s scenario
	for _, sc := range scenarios() {
		if sc.Name == "gateway-mtls-origination" {
			s = sc
		}
	}
	a, err := renderScenario(s, certs, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	certs2, err := makeClientCredential()
	if err != nil {
		t.Fatal(err)
	}
	b, err := renderScenario(s, certs2, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("file count differs: %d vs %d", len(a), len(b))
	}
	sawSecret := false
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between runs", a[i].Path)
		}
		if bytes.Contains(a[i].Data, []byte(`"name": "kubernetes://client-credential"`)) {
			sawSecret = true
		}
	}
	if !sawSecret {
		t.Errorf("no kubernetes://client-credential secret in the dumps")
	}
}
