package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"
)

// Set at build time with -ldflags "-X github.com/kubectl-egress/kubectl-egress/plugin.version=...".
var (
	version = "dev"
	commit  = "unknown"
	date    = "unknown"
)

// VersionInfo is what `kubectl egress version -o json` prints.
type VersionInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// CurrentVersion returns the version stamped into this binary.
func CurrentVersion() VersionInfo {
	return VersionInfo{
		Version:   version,
		Commit:    commit,
		Date:      date,
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
}

// VersionOptions holds the flags of `kubectl egress version`.
type VersionOptions struct {
	Output string
	genericiooptions.IOStreams
}

// NewCmdVersion returns the version command.
func NewCmdVersion(streams genericiooptions.IOStreams) *cobra.Command {
	o := &VersionOptions{IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of kubectl-egress",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Output format: one of json|yaml (default: text)")
	return cmd
}

// Validate checks the flags.
func (o *VersionOptions) Validate() error {
	return validateOutput(o.Output, "", "json", "yaml")
}

// Run prints the version.
func (o *VersionOptions) Run(_ context.Context) error {
	v := CurrentVersion()
	switch o.Output {
	case "json":
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(o.Out, "%s\n", b)
		return err
	case "yaml":
		b, err := yaml.Marshal(v)
		if err != nil {
			return err
		}
		_, err = o.Out.Write(b)
		return err
	}
	_, err := fmt.Fprintf(o.Out, "kubectl-egress %s (commit %s, built %s, %s, %s)\n",
		v.Version, v.Commit, v.Date, v.GoVersion, v.Platform)
	return err
}
