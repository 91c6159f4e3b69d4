package trace

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/mesh"
	"sigs.k8s.io/yaml"
)

// TestRegistryMatchesCode holds the registry to the code: every kind the decoder models
// is marked modelled, every kind the loader records (mesh.OtherKinds) is marked not
// modelled, and the registry marks no other kind either way.
func TestRegistryMatchesCode(t *testing.T) {
	modelled := mesh.ModelledKinds()
	var recorded []string
	for _, k := range mesh.OtherKinds {
		recorded = append(recorded, k.Group+"/"+k.Kind)
	}
	entries := map[string]Support{}
	for _, e := range modelRegistry {
		if e.Type != entryKind {
			continue
		}
		key := e.Group + "/" + e.Name
		if _, dup := entries[key]; dup {
			t.Errorf("registry lists kind %s twice", key)
		}
		entries[key] = e.Support
		switch {
		case e.Support == Modelled && !slices.Contains(modelled, key):
			t.Errorf("registry marks %s modelled, but the decoder does not model it (mesh/decode.go kinds)", key)
		case e.Support == NotModelled && !slices.Contains(recorded, key):
			t.Errorf("registry marks %s not modelled, but the loader does not record it (mesh.OtherKinds)", key)
		case e.Support == NoEgressEffect && (slices.Contains(modelled, key) || slices.Contains(recorded, key)):
			t.Errorf("registry says %s has no egress effect, but the loader reads it", key)
		}
		if e.Where == "" || e.Changes == "" {
			t.Errorf("registry entry %s: where and changes are required", key)
		}
	}
	for _, key := range modelled {
		if entries[key] != Modelled {
			t.Errorf("the decoder models %s, but the registry marks it %q", key, entries[key])
		}
	}
	for _, key := range recorded {
		if entries[key] != NotModelled {
			t.Errorf("the loader records %s, but the registry marks it %q", key, entries[key])
		}
	}
}

// crd is the part of a CustomResourceDefinition the registry test reads.
type crd struct {
	Kind string `json:"kind"`
	Spec struct {
		Group string `json:"group"`
		Names struct {
			Kind   string `json:"kind"`
			Plural string `json:"plural"`
		} `json:"names"`
		Versions []struct {
			Name   string `json:"name"`
			Served bool   `json:"served"`
		} `json:"versions"`
	} `json:"spec"`
}

// installedCRDs reads every CRD in testdata/crds (Istio's and Gateway API's).
func installedCRDs(t *testing.T) []crd {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "crds", "*.yaml"))
	if len(files) < 3 {
		t.Fatalf("testdata/crds holds %d CRD files, want Istio's and Gateway API's standard and experimental", len(files))
	}
	var out []crd
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range bytes.Split(b, []byte("\n---\n")) {
			var c crd
			if err := yaml.Unmarshal(doc, &c); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if c.Kind == "CustomResourceDefinition" {
				out = append(out, c)
			}
		}
	}
	return out
}

// TestInstalledCRDsInRegistry fails when a kind the live loader can meet in the installed
// CRDs is neither modelled nor in the registry, and when a recorded kind is listed by a
// resource or version no CRD serves.
func TestInstalledCRDsInRegistry(t *testing.T) {
	served := map[string][]string{}
	for _, c := range installedCRDs(t) {
		key := c.Spec.Group + "/" + c.Spec.Names.Kind
		if !slices.ContainsFunc(modelRegistry, func(e ModelEntry) bool { return e.Type == entryKind && e.Group+"/"+e.Name == key }) {
			t.Errorf("CRD %s (%s) is neither modelled nor in the registry (trace/unmodelled.go)", c.Spec.Names.Kind, c.Spec.Group)
		}
		for _, v := range c.Spec.Versions {
			if v.Served {
				served[key+"/"+c.Spec.Names.Plural] = append(served[key+"/"+c.Spec.Names.Plural], v.Name)
			}
		}
	}
	for _, k := range mesh.OtherKinds {
		versions := served[k.Group+"/"+k.Kind+"/"+k.Resource]
		if len(versions) == 0 {
			t.Errorf("mesh.OtherKinds lists %s.%s (%s), which no installed CRD serves", k.Resource, k.Group, k.Kind)
		}
		for _, v := range k.Versions {
			if !slices.Contains(versions, v) {
				t.Errorf("mesh.OtherKinds lists %s %s, which no installed CRD serves (served: %v)", k.Kind, v, versions)
			}
		}
	}
}

const readmeFile = "../README.md"

// Markers around the generated table in README.md.
const (
	modelsBegin = "<!-- models: generated from trace.Models() by `go test ./trace -update`; do not edit -->\n"
	modelsEnd   = "<!-- models: end -->\n"
)

// TestReadmeModels keeps README's "What the trace models" table equal to the registry;
// -update rewrites it.
func TestReadmeModels(t *testing.T) {
	b, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(b), modelsBegin)
	_, after, ok2 := strings.Cut(rest, modelsEnd)
	if !ok || !ok2 {
		t.Fatalf("%s has no %q ... %q section", readmeFile, modelsBegin, modelsEnd)
	}
	want := before + modelsBegin + renderModels(Models()) + modelsEnd + after
	if *update {
		if err := os.WriteFile(readmeFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(b) != want {
		t.Errorf("%s's models table is out of sync with trace.Models(); run go test ./trace -update", readmeFile)
	}
}

func renderModels(entries []ModelEntry) string {
	var b strings.Builder
	b.WriteString("| What | | Modelled | Where | What it can change |\n|---|---|---|---|---|\n")
	for _, e := range entries {
		name := "`" + e.Name + "`"
		if e.Group != "" {
			name += " (" + e.Group + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", name, e.Type, e.Support, e.Where, e.Changes)
	}
	return b.String()
}
