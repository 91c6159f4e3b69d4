package plugin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	authv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/render"
	"github.com/kubectl-egress/kubectl-egress/secrets"
)

// loadSecretsInput reads everything the check needs, from files or from the cluster.
func (o *CheckSecretsOptions) loadSecretsInput(ctx context.Context) (secrets.Input, error) {
	in := secrets.Input{Host: o.host, Port: o.port, Now: o.now, ExpiryWarning: o.expiryWarning,
		Dumps: map[string]*envoy.Dump{}, ListSecrets: map[string]string{}}
	if o.namespace != "" {
		in.Namespaces = []string{o.namespace}
	}
	if len(o.Filenames) > 0 {
		return in, o.loadSecretsFiles(&in)
	}
	return in, o.loadSecretsLive(ctx, &in)
}

// loadSecretsFiles: manifests, the Secrets' certificates and --dump files, plus a scenario
// directory's or a support bundle's dumps/<ns>/<pod>.json (as trace -f reads them). The
// manifests are read once; of each dump only what the check reads is decoded.
func (o *CheckSecretsOptions) loadSecretsFiles(in *secrets.Input) error {
	in.Source = "files"
	manifests, dumps, tmp, err := scenarioInputs(o.Filenames, o.Limits)
	defer removeAll(tmp)
	if err != nil {
		return err
	}
	for _, v := range o.Dumps {
		key, file, ok := strings.Cut(v, "=")
		if !ok || strings.Count(key, "/") != 1 || file == "" {
			return usageErrorf("--dump must be NAMESPACE/POD=FILE, got %q", v)
		}
		dumps[key] = file
	}
	in.Snapshot, in.Certs = mesh.NewSnapshot(mesh.DefaultIstioNamespace), map[string]mesh.SecretCerts{}
	m := o.Limits.manifests(manifests, o.In)
	m.Certs = in.Certs
	m.Namespace = o.namespaceFlag // as kubectl apply -n: manifests without a namespace go there
	if err := in.Snapshot.LoadManifests(m); err != nil {
		return &InputError{Err: err}
	}
	warnSkipped(o.ErrOut, in.Snapshot.Skipped)
	filter := secretsFilter(secrets.Plan(*in))
	for _, key := range mesh.SortedKeys(dumps) {
		data, err := o.Limits.readDump(dumps[key])
		if err != nil {
			return &InputError{Err: fmt.Errorf("read dump of %s from %s: %w", key, dumps[key], unwrapPath(err))}
		}
		if in.Dumps[key], err = envoy.ParseFiltered(data, filter); err != nil {
			return &InputError{Err: fmt.Errorf("parse dump %s of %s: %w", dumps[key], key, err)}
		}
	}
	return nil
}

// secretsFilter keeps of a dump what the check of plan's credentials reads: their SDS
// secrets (kubernetes://NAME and NAME-cacert) and the clusters naming them.
func secretsFilter(plan []secrets.Credential) envoy.Filter {
	names := make([]string, 0, 2*len(plan))
	for _, c := range plan {
		names = append(names, c.SDSResource(), c.SDSResource()+"-cacert")
	}
	return envoy.ForSecrets(names)
}

// loadSecretsLive reads Istio config, the proxies, the Secrets, the proxies' RBAC and
// their config dumps from the cluster.
func (o *CheckSecretsOptions) loadSecretsLive(ctx context.Context, in *secrets.Input) error {
	in.Source = "cluster"
	if err := checkClusterConfigured(o.Factory); err != nil {
		return err
	}
	cfg, err := o.Factory.RESTConfig()
	if err != nil {
		return err
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("create kubernetes client: %w", err)
	}
	live, err := mesh.NewLiveForConfig(cfg, nil)
	if err != nil {
		return err
	}
	in.Snapshot = live.Snapshot()
	if err := o.loadSecretsConfig(ctx, live); err != nil {
		return err
	}
	in.Certs = map[string]mesh.SecretCerts{}
	plan := secrets.Plan(*in)
	if err := loadPlannedSecrets(ctx, live, plan, in); err != nil {
		return err
	}
	o.reviewSecretAccess(ctx, kube, plan, in)
	o.fetchSecretDumps(ctx, kube, cfg, plan, in)
	return nil
}

// loadSecretsConfig loads Istio config (cluster-wide when allowed: gateways and routes
// elsewhere decide who uses a credential) and the pods of gateways and workloadSelectors.
func (o *CheckSecretsOptions) loadSecretsConfig(ctx context.Context, live *mesh.Live) error {
	if err := live.LoadIstioConfig(ctx, nil); err != nil {
		if o.namespace == "" || !apierrors.IsForbidden(errors.Unwrap(err)) {
			return err
		}
		if err := live.LoadIstioConfig(ctx, []string{o.namespace}); err != nil {
			return err
		}
	}
	snap := live.Snapshot()
	// The chart's egress gateway label, and the pods istiod deploys for Gateway API Gateways
	// (a label selector on the label's presence); custom gateways come with their Gateway's selector.
	sels := []struct{ ns, sel string }{{"", "istio=egressgateway"}, {"", mesh.GatewayNameLabel}}
	for _, k := range mesh.SortedKeys(snap.Gateways) {
		if s := snap.Gateways[k].Spec.GetSelector(); len(s) > 0 {
			sels = append(sels, struct{ ns, sel string }{"", labels.Set(s).String()})
		}
	}
	for _, k := range mesh.SortedKeys(snap.DestinationRules) {
		dr := snap.DestinationRules[k]
		if s := dr.Spec.GetWorkloadSelector().GetMatchLabels(); len(s) > 0 {
			sels = append(sels, struct{ ns, sel string }{dr.Namespace, labels.Set(s).String()})
		}
	}
	for _, s := range sels {
		if _, err := live.LoadPodsBySelector(ctx, s.ns, s.sel); err != nil {
			return err
		}
	}
	return nil
}

// loadPlannedSecrets gets each credential's Secret and NAME-cacert, and the same name in
// the namespaces of the objects naming it (to spot a Secret in the wrong namespace).
func loadPlannedSecrets(ctx context.Context, live *mesh.Live, plan []secrets.Credential, in *secrets.Input) error {
	for _, c := range plan {
		if c.NotSecret != "" {
			continue // builtin://, configmap://, sds:// or unresolvable: no Secret to read
		}
		for _, name := range []string{c.Name, c.Name + "-cacert"} {
			_, certs, err := live.LoadSecretCerts(ctx, c.Namespace, name)
			if err != nil {
				return err
			}
			if certs != nil {
				in.Certs[mesh.Key(c.Namespace, name)] = certs
			}
		}
		for _, u := range c.UsedBy {
			ns, _, _ := strings.Cut(u.Object[strings.IndexByte(u.Object, ' ')+1:], "/")
			if ns != c.Namespace {
				if _, err := live.LoadSecret(ctx, ns, c.Name); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// reviewSecretAccess asks, as istiod does, whether each proxy's service account may list
// secrets in the credential's namespace. A review the user may not create stays unknown.
func (o *CheckSecretsOptions) reviewSecretAccess(ctx context.Context, kube kubernetes.Interface, plan []secrets.Credential, in *secrets.Input) {
	for _, c := range plan {
		for _, p := range c.Proxies {
			podNS, _, _ := strings.Cut(p.Pod, "/")
			key := secrets.AccessKey(c.Namespace, podNS, p.ServiceAccount)
			if _, done := in.ListSecrets[key]; done {
				continue
			}
			sar := &authv1.SubjectAccessReview{Spec: authv1.SubjectAccessReviewSpec{
				User:               secrets.ServiceAccountUser(podNS, p.ServiceAccount),
				Groups:             []string{"system:serviceaccounts", "system:serviceaccounts:" + podNS, "system:authenticated"},
				ResourceAttributes: &authv1.ResourceAttributes{Namespace: c.Namespace, Verb: "list", Resource: "secrets"},
			}}
			res, err := kube.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
			switch {
			case err != nil && !apierrors.IsForbidden(err):
				fmt.Fprint(o.ErrOut, render.Escapef("warning: subjectaccessreview for %s: %v; RBAC of the proxy reported as unknown\n", sar.Spec.User, err))
			case err != nil:
			case res.Status.Allowed:
				in.ListSecrets[key] = secrets.AccessAllowed
			default:
				in.ListSecrets[key] = secrets.AccessDenied
			}
		}
	}
}

// fetchSecretDumps reads the config dump of every proxy that uses a credential. A proxy
// whose dump cannot be read is reported by the check as not checked.
func (o *CheckSecretsOptions) fetchSecretDumps(ctx context.Context, kube kubernetes.Interface, cfg *rest.Config, plan []secrets.Credential, in *secrets.Input) {
	f := &envoy.Fetcher{Config: cfg, Pods: kube.CoreV1(), MaxBytes: int64(o.Limits.Dump), SizeFlag: dumpSizeFlag}
	defer f.Close()
	filter := secretsFilter(plan)
	for _, c := range plan {
		for _, p := range c.Proxies {
			if _, done := in.Dumps[p.Pod]; done {
				continue
			}
			ns, name, _ := strings.Cut(p.Pod, "/")
			data, err := f.ConfigDump(ctx, ns, name, envoy.DumpQuery{})
			if err == nil {
				in.Dumps[p.Pod], err = envoy.ParseFiltered(data, filter)
			}
			if err != nil {
				in.Dumps[p.Pod] = nil
				fmt.Fprint(o.ErrOut, render.Escapef("warning: config dump of %s not read: %v\n", p.Pod, err))
			}
		}
	}
	for k, d := range in.Dumps {
		if d == nil {
			delete(in.Dumps, k)
		}
	}
}
