package plugin_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// readmeCommand is a "$ kubectl egress ..." line of a README code block and the output
// shown under it; "$ echo $?" shows the exit code of the command before it.
var readmeCommand = regexp.MustCompile(`(?m)^\$ (.*)\n((?:[^$\x60].*\n|\n)*)`)

// TestREADMEExamples runs every example the README shows with its output and compares:
// the outputs there are real and stay so.
func TestREADMEExamples(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	// As a newcomer without a cluster: no kubeconfig at all (offline commands need none).
	t.Chdir("..") // the README's paths are relative to the repository root
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "absent"))
	var n, lastCode int
	lastCmd := ""
	for _, m := range readmeCommand.FindAllStringSubmatch(string(b), -1) {
		cmd, want := m[1], strings.TrimSpace(m[2])
		if cmd == "echo $?" {
			if lastCmd == "" || want != strconv.Itoa(lastCode) {
				t.Errorf("README: after %q, echo $? shows %s, the command exits %d", lastCmd, want, lastCode)
			}
			continue
		}
		args, ok := strings.CutPrefix(cmd, "kubectl egress ")
		if !ok {
			t.Errorf("README example %q is not a kubectl egress command", cmd)
			continue
		}
		n++
		stdout, stderr, code := runMain(t, strings.Fields(args)...)
		if got := strings.TrimSpace(stdout); got != want {
			t.Errorf("README example %q shows:\n%s\nthe command prints:\n%s\nstderr:\n%s", cmd, want, got, stderr)
		}
		lastCmd, lastCode = cmd, code
	}
	if n < 3 {
		t.Errorf("found %d README examples with output, want at least 3 (trace via gateway, REGISTRY_ONLY, check-secrets)", n)
	}
}
