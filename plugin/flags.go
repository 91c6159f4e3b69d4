package plugin

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// validateOutput checks -o against the formats a command supports ("" is the default).
func validateOutput(got string, allowed ...string) error {
	if slices.Contains(allowed, got) {
		return nil
	}
	var names []string
	for _, a := range allowed {
		if a != "" {
			names = append(names, a)
		}
	}
	return usageErrorf("--output must be one of %s, got %q", strings.Join(names, "|"), got)
}

// noArgs is cobra.NoArgs returning a UsageError.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

// exactArgs is cobra.ExactArgs returning a UsageError.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("%s needs %s, got %d argument(s)", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}
