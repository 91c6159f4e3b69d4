package mesh

import (
	"path/filepath"
	"testing"
)

// TestLoadScenarioManifests loads every shared scenario's manifests; it skips when the
// scenarios have not been generated yet.
func TestLoadScenarioManifests(t *testing.T) {
	dirs, err := filepath.Glob("../testdata/scenarios/*/manifests")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Skip("no testdata/scenarios/*/manifests yet")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(filepath.Dir(dir)), func(t *testing.T) {
			if _, err := LoadFiles([]string{dir}); err != nil {
				t.Errorf("LoadFiles(%s): %v", dir, err)
			}
		})
	}
}
