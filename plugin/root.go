package plugin

import (
	"context"
	"errors"
	"flag"
	"fmt"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	"github.com/kubectl-egress/kubectl-egress/render"
)

// NewCmdRoot builds the `kubectl egress` command tree.
func NewCmdRoot(streams genericiooptions.IOStreams) *cobra.Command {
	configFlags := genericclioptions.NewConfigFlags(true)
	setRequestTimeoutDefault(configFlags)
	f := NewFactory(configFlags)
	cmd := &cobra.Command{
		Use:   "kubectl-egress",
		Short: "Trace where outbound traffic from an Istio workload really goes, and why it breaks",
		Long: `kubectl egress follows an external host from a workload's sidecar through the egress
gateway to the external service, reading Istio objects and the proxies' Envoy config dumps,
and reports what is wrong and where.`,
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl egress"},
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	configFlags.AddFlags(cmd.PersistentFlags())
	addKlogVerbosity(cmd.PersistentFlags())
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &UsageError{Err: fmt.Errorf("%w; see '%s --help' for usage", err, c.CommandPath())}
	})
	cmd.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		capVerbosity(c.ErrOrStderr())
		quietKlog()
		return checkRequestTimeout(c.Flags())
	}
	cmd.AddCommand(NewCmdVersion(streams))
	cmd.AddCommand(NewCmdTrace(f, streams))
	cmd.AddCommand(NewCmdCheckSecrets(f, streams))
	for _, c := range append([]*cobra.Command{cmd}, cmd.Commands()...) {
		if c.Name() != "version" {
			c.Long = strings.TrimRight(c.Long, "\n") + "\n\n" + ExitCodesHelp()
		}
	}
	return cmd
}

// addKlogVerbosity exposes klog's -v only; the other klog flags stay hidden.
func addKlogVerbosity(fs *pflag.FlagSet) {
	klogFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(klogFlags)
	v := klogFlags.Lookup("v")
	fs.AddGoFlag(v)
	fs.Lookup("v").Shorthand = "v"
	fs.Lookup("v").Usage += fmt.Sprintf(" (at most %d: client-go would log API response bodies, Secrets included, from 8)", maxVerbosity)
}

// quietKlog drops client-go's klog output (port-forward's "Unhandled Error" lines, say)
// unless -v asked for it: failures reach the user as our own one-line errors and warnings.
func quietKlog() {
	if klog.V(1).Enabled() {
		klog.ClearLogger()
		return
	}
	klog.SetSlogLogger(slog.New(slog.DiscardHandler))
}

// Main runs the command tree with args and returns the process exit code. Errors are
// printed once, as one "error: ..." line.
func Main(ctx context.Context, streams genericiooptions.IOStreams, args []string) int {
	cmd := NewCmdRoot(streams)
	cmd.SetArgs(args)
	err := describeTimeout(cmd.ExecuteContext(ctx), cmd)
	var findings *FindingsError
	if err != nil && !errors.As(err, &findings) {
		fmt.Fprintf(streams.ErrOut, "error: %s%s\n", render.Escape(err.Error()), hint(err))
	}
	return ExitCode(err)
}

// hint adds what to do about an error the API server gave for the caller's credentials.
func hint(err error) string {
	if apierrors.IsUnauthorized(err) {
		return " (the API server rejected the kubeconfig's credentials: expired token or certificate? log in again, or pick another --context)"
	}
	return ""
}
