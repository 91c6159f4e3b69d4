package plugin

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/render"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

const traceExample = `  # Where does HTTPS to edition.cnn.com from the sleep deployment go?
  kubectl egress trace edition.cnn.com --from deploy/sleep -n default

  # Plain HTTP on port 80, picture of the path
  kubectl egress trace http://edition.cnn.com/politics --from app=sleep -o mermaid

  # Offline, from a directory of manifests and dumps/<namespace>/<pod>.json
  kubectl egress trace edition.cnn.com:443 --from deploy/sleep -f testdata/scenarios/gateway-tls-origination

  # Offline, naming the dumps
  kubectl egress trace edition.cnn.com -f manifests/ --from pod/sleep-1 --dump default/sleep-1=sleep.json`

// TraceOptions holds the flags and resolved inputs of `kubectl egress trace`.
type TraceOptions struct {
	From             string
	Output           string
	Protocol         string
	FailureThreshold string
	IstioNamespace   string
	AdminPort        int
	Timeout          time.Duration
	Color            string
	Filenames        []string
	Dumps            []string
	Bundle           string
	FullDump         bool
	Now              string
	Limits           inputLimits

	// Resolved by Complete.
	Target    Target
	Namespace string
	Offline   bool
	noColor   bool // NO_COLOR is set
	now       time.Time
	command   string  // the command line, for the bundle's README
	bundle    *bundle // set while a live load records a support bundle
	factory   Factory

	genericiooptions.IOStreams
}

// NewTraceOptions returns the options with their defaults.
func NewTraceOptions(f Factory, streams genericiooptions.IOStreams) *TraceOptions {
	return &TraceOptions{
		Output:           "table",
		FailureThreshold: string(trace.LevelError),
		IstioNamespace:   mesh.DefaultIstioNamespace,
		AdminPort:        envoy.DefaultAdminPort,
		Timeout:          20 * time.Second,
		Color:            "auto",
		Limits:           defaultLimits(),
		factory:          f,
		IOStreams:        streams,
	}
}

// NewCmdTrace returns `kubectl egress trace HOST[:PORT]`.
func NewCmdTrace(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewTraceOptions(f, streams)
	cmd := &cobra.Command{
		Use:   "trace HOST[:PORT] --from WORKLOAD",
		Short: "Trace where a request from a workload to an external host goes, and where it breaks",
		Long: `trace follows a request to an external host from the workload's sidecar through the
egress gateway (if any) to the external service, reading the Istio objects and the proxies'
Envoy config dumps, and prints every hop, the verdict and the findings.

HOST may be host, host:port or an http:// or https:// URL (port and protocol from the scheme).
Without -f it reads the cluster; with -f (and --dump) it reads files only.

It also reads, without modelling them, EnvoyFilters, WorkloadEntries, WorkloadGroups,
ProxyConfigs, AuthorizationPolicies, PeerAuthentications, WasmPlugins, TrafficExtensions,
the Gateway API kinds and the ambient labels: when one sits on the path, a Warning (EGR07xx)
names it and the verdict says from which hop it is uncertain (README, "What the trace models").`,
		Example:           traceExample,
		Args:              exactArgs(1, "a HOST[:PORT] or URL to trace"),
		ValidArgsFunction: completeServiceEntryHosts(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(cmd, args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			cmd.SilenceUsage = true
			return o.Run(cmd.Context())
		},
	}
	o.AddFlags(cmd.Flags())
	_ = cmd.RegisterFlagCompletionFunc("from", completeFrom(f))
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletion(render.TraceFormats...))
	_ = cmd.RegisterFlagCompletionFunc("protocol", fixedCompletion("http", "https", "tls", "tcp"))
	_ = cmd.RegisterFlagCompletionFunc("failure-threshold", fixedCompletion("Info", "Warning", "Error", "None"))
	_ = cmd.RegisterFlagCompletionFunc("color", fixedCompletion("auto", "always", "never"))
	return cmd
}

// AddFlags registers the command's flags.
func (o *TraceOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.From, "from", o.From, "Client workload: deploy/NAME, pod/NAME, NAME (a pod) or a label selector such as app=sleep (required)")
	fs.StringVarP(&o.Output, "output", "o", o.Output, "Output format: one of "+strings.Join(render.TraceFormats, "|"))
	fs.StringVar(&o.Protocol, "protocol", o.Protocol, "What the client sends: http|https|tls|tcp (default: from the URL scheme, else the ServiceEntry port, else the client's listener on the port, else http on 80, tls on 443, tcp elsewhere)")
	fs.StringVar(&o.FailureThreshold, "failure-threshold", o.FailureThreshold, "Exit with code 79 when a finding reaches this level: Info|Warning|Error|None")
	fs.StringVar(&o.IstioNamespace, "istio-namespace", o.IstioNamespace, "Namespace of the Istio control plane and the mesh config")
	fs.IntVar(&o.AdminPort, "proxy-admin-port", o.AdminPort, "Envoy admin port of the proxies")
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "Timeout of each request to a proxy's admin endpoint")
	fs.StringVar(&o.Color, "color", o.Color, "Colour the table output: auto|always|never (auto honours NO_COLOR)")
	fs.StringSliceVarP(&o.Filenames, "filename", "f", o.Filenames, "Offline: manifests (file or directory, as kubectl -f); a directory holding manifests/ and dumps/<namespace>/<pod>.json is read as a scenario")
	fs.StringArrayVar(&o.Dumps, "dump", o.Dumps, "Offline: a proxy's Envoy config dump, NAMESPACE/POD=FILE (repeatable)")
	fs.StringVar(&o.Bundle, "bundle", o.Bundle, "Live: also write every object and dump the trace read to this .tar.gz support bundle (Secrets redacted to metadata and certificates; whole dumps); replay it with -f BUNDLE")
	o.Limits.AddFlags(fs)
	fs.StringVar(&o.Now, "now", "", "Judge certificates at this RFC 3339 time instead of the current time")
	_ = fs.MarkHidden("now")
	fs.BoolVar(&o.FullDump, "full-dump", o.FullDump, "Live: fetch each proxy's whole config dump instead of asking Envoy for the host's resources only (config_dump's mask= and name_regex=)")
}

// Complete parses the target and resolves the namespace. Offline, no kubeconfig is read.
func (o *TraceOptions) Complete(cmd *cobra.Command, args []string) error {
	t, err := ParseTarget(args[0], o.Protocol)
	if err != nil {
		return err
	}
	o.Target = t
	if o.now, err = parseNow(o.Now); err != nil {
		return err
	}
	o.Offline = len(o.Filenames) > 0 || len(o.Dumps) > 0
	o.command = commandLine(cmd, args)
	o.noColor = os.Getenv("NO_COLOR") != ""
	if o.Offline {
		o.Namespace = "default"
		if fl := cmd.Flags().Lookup("namespace"); fl != nil && fl.Changed {
			o.Namespace = fl.Value.String()
		}
		return nil
	}
	o.Namespace, _, err = o.factory.Namespace()
	return err
}

// Validate checks flag values, naming the flag and the accepted values.
func (o *TraceOptions) Validate() error {
	if err := validateOutput(o.Output, append([]string{""}, render.TraceFormats...)...); err != nil {
		return err
	}
	if strings.TrimSpace(o.From) == "" {
		return usageErrorf("--from is required: the workload whose sidecar the request leaves from, e.g. --from deploy/sleep")
	}
	if _, err := mesh.ParseWorkloadRef(o.From); err != nil {
		return usageErrorf("--from: %v", err)
	}
	if _, ok := thresholdRank(o.FailureThreshold); !ok {
		return usageErrorf("--failure-threshold must be one of Info|Warning|Error|None, got %q", o.FailureThreshold)
	}
	switch o.Color {
	case "auto", "always", "never":
	default:
		return usageErrorf("--color must be one of auto|always|never, got %q", o.Color)
	}
	if o.AdminPort < 1 || o.AdminPort > 65535 {
		return usageErrorf("--proxy-admin-port must be between 1 and 65535, got %d", o.AdminPort)
	}
	if o.Timeout <= 0 {
		return usageErrorf("--timeout must be positive, got %s", o.Timeout)
	}
	if o.Bundle != "" && o.Offline {
		return usageErrorf("--bundle records a live trace; it cannot be combined with -f or --dump")
	}
	if o.Bundle != "" && !strings.HasSuffix(o.Bundle, ".tar.gz") && !strings.HasSuffix(o.Bundle, ".tgz") {
		return usageErrorf("--bundle must name a .tar.gz or .tgz file, got %q", o.Bundle)
	}
	if len(o.Dumps) > 0 && len(o.Filenames) == 0 {
		return usageErrorf("--dump needs -f with the manifests (pods and Istio config) the dumps belong to")
	}
	_, err := parseDumpFlags(o.Dumps)
	return err
}

// Run loads the inputs, traces, renders, and reports findings at the threshold.
func (o *TraceOptions) Run(ctx context.Context) error {
	in, err := o.load(ctx)
	if err != nil {
		return err
	}
	if o.bundle != nil {
		if err := o.bundle.write(o.Bundle); err != nil {
			return err
		}
		o.progressf("wrote support bundle %s (replay: kubectl egress trace -f %s ...)\n", o.Bundle, o.Bundle)
	}
	report := trace.Run(in.Input)
	in.complete(report)
	if err := render.WriteTrace(o.Out, report, o.Output, render.TraceOptions{Color: o.useColor()}); err != nil {
		return err
	}
	if len(report.Findings) == 0 && (o.Output == "table" || o.Output == "wide") {
		o.progressf("no findings\n")
	}
	return thresholdError(report, o.FailureThreshold)
}

// load reads the inputs from files or from the cluster.
func (o *TraceOptions) load(ctx context.Context) (*loaded, error) {
	if o.Offline {
		return o.loadFiles()
	}
	return o.loadLive(ctx)
}

// useColor: always, or auto on a terminal without NO_COLOR; tables only.
func (o *TraceOptions) useColor() bool {
	if o.Output != "table" && o.Output != "wide" {
		return false
	}
	switch o.Color {
	case "always":
		return true
	case "never":
		return false
	}
	return !o.noColor && isTerminal(o.Out)
}

func fixedCompletion(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}
