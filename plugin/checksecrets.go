package plugin

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-egress/kubectl-egress/render"
	"github.com/kubectl-egress/kubectl-egress/secrets"
)

const checkSecretsExample = `  # Check every TLS-origination and gateway credential in the cluster
  kubectl egress check-secrets -A

  # Only the credentials used for one external host, as JSON
  kubectl egress check-secrets -A --host my-nginx.mesh-external.svc.cluster.local -o json

  # Offline: manifests plus the egress gateway's config dump
  kubectl egress check-secrets -f manifests/ --dump istio-system/istio-egressgateway-6d8c4b7f9-xk2lp=gw.json

  # Offline: a scenario directory (DIR/manifests, DIR/dumps/<ns>/<pod>.json)
  kubectl egress check-secrets -f testdata/scenarios/gateway-mtls-origination`

// CheckSecretsOptions holds the flags of `kubectl egress check-secrets`.
type CheckSecretsOptions struct {
	Factory          Factory
	AllNamespaces    bool
	Filenames        []string
	Dumps            []string
	Host             string
	Output           string
	ExpiryWarning    string
	FailureThreshold string
	// Now overrides the clock (hidden flag, for reproducible output).
	Now    string
	Limits inputLimits

	namespace     string
	namespaceFlag string // -n as given, for offline runs
	host          string // --host's host, lower case, without a trailing dot
	port          int    // --host's port (0: any)
	expiryWarning time.Duration
	threshold     secrets.Level
	now           time.Time
	genericiooptions.IOStreams
}

// parseNow is the time certificates are judged at: the current time, or --now (hidden; for
// reproducible runs). The analysis never reads the clock itself.
func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usageErrorf("--now must be an RFC 3339 time, got %q", s)
	}
	return t, nil
}

// NewCmdCheckSecrets returns the check-secrets command.
func NewCmdCheckSecrets(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &CheckSecretsOptions{Factory: f, IOStreams: streams, Output: "table", ExpiryWarning: "30d", FailureThreshold: string(secrets.LevelError), Limits: defaultLimits()}
	cmd := &cobra.Command{
		Use:   "check-secrets",
		Short: "Check every credential TLS origination and egress gateways depend on, in the cluster and in the proxies",
		Long: `check-secrets finds every DestinationRule tls.credentialName (SIMPLE, MUTUAL) and Gateway server
credentialName, works out which proxy uses it and so which namespace the Secret must live in,
and checks the Secret (layout, keys, certificates, chain, key match, expiry), the proxy's
right to read it, and what the proxy actually loaded (SDS secret active, same certificate,
clusters active). Secret values and private keys are never printed.`,
		Example: checkSecretsExample,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if fl := cmd.Flags().Lookup("namespace"); fl != nil && fl.Changed {
				o.namespaceFlag = fl.Value.String()
			}
			if err := o.Complete(); err != nil {
				return err
			}
			cmd.SilenceUsage = true
			return o.Run(cmd.Context())
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// AddFlags registers the command's flags.
func (o *CheckSecretsOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Check credentials of every namespace")
	fs.StringSliceVarP(&o.Filenames, "filename", "f", nil, "Read manifests from files or directories instead of the cluster (a scenario directory DIR/manifests + DIR/dumps/<ns>/<pod>.json works too)")
	fs.StringArrayVar(&o.Dumps, "dump", nil, "With -f: a proxy's Envoy config dump, as NAMESPACE/POD=FILE (repeatable)")
	fs.StringVar(&o.Host, "host", "", "Only credentials used for this external host: HOST, HOST:PORT or an http(s) URL, as trace takes it")
	fs.StringVarP(&o.Output, "output", "o", o.Output, "Output format: one of table|wide|json|yaml")
	fs.StringVar(&o.ExpiryWarning, "expiry-warning", o.ExpiryWarning, "Warn when a certificate expires within this long (e.g. 30d, 72h)")
	fs.StringVar(&o.FailureThreshold, "failure-threshold", o.FailureThreshold, "Exit with code 79 when a finding is at this level or above: Info|Warning|Error")
	fs.StringVar(&o.Now, "now", "", "Judge certificates at this RFC 3339 time instead of the current time")
	_ = fs.MarkHidden("now")
	o.Limits.AddFlags(fs)
}

// Complete validates the flags and fills in derived values.
func (o *CheckSecretsOptions) Complete() error {
	if err := validateOutput(o.Output, "table", "wide", "json", "yaml"); err != nil {
		return err
	}
	d, err := parseDays(o.ExpiryWarning)
	if err != nil || d <= 0 {
		return usageErrorf("--expiry-warning must be a positive duration like 30d or 72h, got %q", o.ExpiryWarning)
	}
	o.expiryWarning = d
	if o.threshold, err = secrets.ParseLevel(o.FailureThreshold); err != nil {
		return usageErrorf("--failure-threshold must be one of Info|Warning|Error, got %q", o.FailureThreshold)
	}
	if len(o.Dumps) > 0 && len(o.Filenames) == 0 {
		return usageErrorf("--dump needs -f: dumps are read offline; against a cluster the proxies' dumps are fetched")
	}
	if o.now, err = parseNow(o.Now); err != nil {
		return err
	}
	if o.host, o.port, err = parseSecretsHost(o.Host); err != nil {
		return err
	}
	if !o.AllNamespaces && len(o.Filenames) > 0 {
		// Offline, the kubeconfig means nothing (and need not exist): scope by -n only.
		o.namespace = o.namespaceFlag
		return nil
	}
	if !o.AllNamespaces {
		ns, _, err := o.Factory.Namespace()
		if err != nil {
			return fmt.Errorf("read the namespace from the kubeconfig: %w", err)
		}
		o.namespace = ns
	}
	return nil
}

// parseSecretsHost reads --host as trace reads its target (ParseTarget: host, host:port,
// [v6]:port, an http(s) URL) and drops a trailing dot as trace does (trace/target.go).
func parseSecretsHost(s string) (string, int, error) {
	if strings.TrimSpace(s) == "" {
		return "", 0, nil
	}
	t, err := ParseTarget(s, "")
	if err != nil {
		return "", 0, usageErrorf("--host: %v", err)
	}
	host := strings.TrimSuffix(t.Host, ".")
	if host == "" {
		return "", 0, usageErrorf("--host: invalid host in %q", s)
	}
	return host, t.Port, nil
}

// Run loads, checks and renders.
func (o *CheckSecretsOptions) Run(ctx context.Context) error {
	in, err := o.loadSecretsInput(ctx)
	if err != nil {
		return err
	}
	rep := secrets.Run(in)
	if err := o.writeSecretsReport(rep); err != nil {
		return err
	}
	return secretsThresholdError(rep, o.threshold)
}

func (o *CheckSecretsOptions) writeSecretsReport(rep *secrets.Report) error {
	if len(rep.Credentials) == 0 {
		fmt.Fprintln(o.ErrOut, render.Escapef("No credentialName found in DestinationRules (SIMPLE/MUTUAL) or Gateway servers %s.", o.scopeText()))
	}
	switch o.Output {
	case "json":
		return render.WriteJSON(o.Out, rep)
	case "yaml":
		return render.WriteYAML(o.Out, rep)
	case "wide":
		return render.SecretsTable(o.Out, rep, true)
	}
	if len(rep.Credentials) == 0 {
		return render.SecretsFindings(o.Out, rep.Findings)
	}
	return render.SecretsTable(o.Out, rep, false)
}

// scopeText names where check-secrets looked, with the way to look wider.
func (o *CheckSecretsOptions) scopeText() string {
	if o.namespace == "" {
		return "in any namespace"
	}
	return "in namespace " + o.namespace + "; pass -A to check every namespace, or -n NAMESPACE for another"
}

func secretsThresholdError(rep *secrets.Report, threshold secrets.Level) error {
	n := 0
	for _, f := range rep.Findings {
		if f.Level.Rank() >= threshold.Rank() {
			n++
		}
	}
	if n > 0 {
		return &FindingsError{Count: n}
	}
	return nil
}
