package plugin

import (
	"errors"
	"fmt"
	"strings"
)

// Exit codes, in one place. CI pipelines gate on ExitFindings.
const (
	ExitOK       = 0
	ExitError    = 1
	ExitUsage    = 64 // EX_USAGE: bad flags or arguments
	ExitBadInput = 65 // EX_DATAERR: an input file or dump could not be read
	ExitFindings = 79 // findings reached --failure-threshold (as istioctl analyze)
)

// exitCodes documents every exit code, in order; --help shows ExitCodesHelp built from it.
var exitCodes = []struct {
	code    int
	meaning string
}{
	{ExitOK, "success: no finding reached --failure-threshold"},
	{ExitError, "error: the cluster, a request or the workload could not be read"},
	{ExitUsage, "usage: a flag, an argument or a value out of range"},
	{ExitBadInput, "unreadable input: a file given with -f, --dump or a bundle"},
	{ExitFindings, "findings reached --failure-threshold (the report was written)"},
}

// ExitCodesHelp is the "Exit codes:" section of --help.
func ExitCodesHelp() string {
	var b strings.Builder
	b.WriteString("Exit codes:\n")
	for _, e := range exitCodes {
		fmt.Fprintf(&b, "  %-4d%s\n", e.code, e.meaning)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// UsageError marks an error caused by how the command was called.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// InputError marks an input (file, dump, manifest) that could not be read.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// FindingsError reports that findings reached the failure threshold; the report itself has
// already been written, so nothing more is printed.
type FindingsError struct{ Count int }

func (e *FindingsError) Error() string {
	return fmt.Sprintf("%d finding(s) at or above the failure threshold", e.Count)
}

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	var usage *UsageError
	var input *InputError
	var findings *FindingsError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &findings):
		return ExitFindings
	case errors.As(err, &usage):
		return ExitUsage
	case errors.As(err, &input):
		return ExitBadInput
	default:
		return ExitError
	}
}
