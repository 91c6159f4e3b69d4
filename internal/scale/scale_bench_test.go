package scale

import (
	"os"
	"path/filepath"
	"testing"
)

func TestScaleDumpSize(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := os.ReadFile(filepath.Join(root, TemplateDump))
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []int{len(tpl) / 2, 1 << 20, 3 << 20} {
		out, n, err := ScaleDump(tpl, target)
		if err != nil {
			t.Fatal(err)
		}
		if target > len(tpl) && (len(out) < target*97/100 || len(out) > target*103/100) {
			t.Errorf("ScaleDump(%d) = %d bytes (%d replicas), want within 3%% of the target", target, len(out), n)
		}
		if target < len(tpl) && n != 0 {
			t.Errorf("ScaleDump(%d) below the template size added %d replicas, want 0", target, n)
		}
	}
}

func BenchmarkScaleDump(b *testing.B) {
	root, err := Root()
	if err != nil {
		b.Fatal(err)
	}
	tpl, err := os.ReadFile(filepath.Join(root, TemplateDump))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := ScaleDump(tpl, 10<<20); err != nil {
			b.Fatal(err)
		}
	}
}
