package plugin_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/plugin"
)

// TestHelpListsExitCodes: --help of the root, trace and check-secrets shows the exit
// codes section built from exitcode.go, and that section lists exactly the codes
// ExitCode returns, each once.
func TestHelpListsExitCodes(t *testing.T) {
	section := plugin.ExitCodesHelp()
	line := regexp.MustCompile(`(?m)^  (\d+) +\S.*$`)
	var listed []int
	for _, m := range line.FindAllStringSubmatch(section, -1) {
		n, _ := strconv.Atoi(m[1])
		listed = append(listed, n)
	}
	returned := map[string]int{
		"success":  plugin.ExitCode(nil),
		"error":    plugin.ExitCode(errors.New("boom")),
		"usage":    plugin.ExitCode(&plugin.UsageError{Err: errors.New("bad flag")}),
		"input":    plugin.ExitCode(fmt.Errorf("wrapped: %w", &plugin.InputError{Err: errors.New("bad file")})),
		"findings": plugin.ExitCode(&plugin.FindingsError{Count: 1}),
	}
	want := []int{plugin.ExitOK, plugin.ExitError, plugin.ExitUsage, plugin.ExitBadInput, plugin.ExitFindings}
	if !slices.Equal(listed, want) {
		t.Errorf("ExitCodesHelp lists %v, want %v:\n%s", listed, want, section)
	}
	for name, code := range returned {
		if !slices.Contains(listed, code) {
			t.Errorf("ExitCode(%s) = %d, not listed in --help:\n%s", name, code, section)
		}
	}
	for _, args := range [][]string{{"--help"}, {"trace", "--help"}, {"check-secrets", "--help"}} {
		stdout, stderr, code := runMain(t, args...)
		if code != plugin.ExitOK || !strings.Contains(stdout, "\n"+section+"\n") {
			t.Errorf("%v: exit %d, stdout:\n%s\nstderr %q; want exit 0 and the section\n%s", args, code, stdout, stderr, section)
		}
	}
}
