package plugin_test

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/plugin"
)

var update = flag.Bool("update", false, "rewrite testdata/scenarios/*/golden/trace.{txt,wide.txt,mermaid}")

// goldenFormats are the outputs kept per scenario, by golden file name.
var goldenFormats = []struct{ file, output string }{
	{"trace.txt", "table"},
	{"trace.wide.txt", "wide"},
	{"trace.mermaid", "mermaid"},
}

// demoTargets reads the scenario → target table of hack/demo.sh, the one place that says
// what each scenario traces.
func demoTargets(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("../hack/demo.sh")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "SCENARIOS='":
			in = true
		case in && line == "'":
			return out
		case in && line != "":
			name, target, _ := strings.Cut(line, "|")
			out[name] = target
		}
	}
	t.Fatal("hack/demo.sh has no SCENARIOS='...' table")
	return nil
}

// TestTraceGolden traces every scenario offline and compares table, wide and mermaid
// output byte for byte with golden/. Refresh with: go test ./plugin/ -run TraceGolden -update
func TestTraceGolden(t *testing.T) {
	forEachScenario(t, func(t *testing.T, dir, target string) {
		for _, g := range goldenFormats {
			args := []string{"trace", target, "--from", "deploy/sleep", "-n", "default", "-f", dir,
				"-o", g.output, "--color", "never"}
			stdout, stderr, code := runMain(t, append(args, noCluster...)...)
			if code != plugin.ExitOK && code != plugin.ExitFindings {
				t.Fatalf("kubectl egress %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
			}
			compareGolden(t, filepath.Join(dir, "golden", g.file), stdout)
		}
	})
}

// forEachScenario runs body as a subtest per scenario of testdata/scenarios, with the
// scenario's directory and the trace target hack/demo.sh's SCENARIOS table gives it.
func forEachScenario(t *testing.T, body func(t *testing.T, dir, target string)) {
	targets := demoTargets(t)
	dirs, err := filepath.Glob(filepath.Join(scenariosDir, "*", "manifests"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no scenarios under %s (%v)", scenariosDir, err)
	}
	for _, m := range dirs {
		dir := filepath.Dir(m)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			target, ok := targets[name]
			if !ok {
				t.Fatalf("scenario %s is not in the SCENARIOS table of hack/demo.sh", name)
			}
			body(t, dir, target)
		})
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (review, then refresh with -update):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
