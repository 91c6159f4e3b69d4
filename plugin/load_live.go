package plugin

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// loadLive reads what the trace needs from the cluster, with GETs and narrow LISTs, then
// fetches the Envoy config dumps of the proxies on the path.
func (o *TraceOptions) loadLive(ctx context.Context) (*loaded, error) {
	if err := checkClusterConfigured(o.factory); err != nil {
		return nil, err
	}
	cfg, err := o.factory.RESTConfig()
	if err != nil {
		return nil, err
	}
	kube, err := o.factory.KubeClient()
	if err != nil {
		return nil, fmt.Errorf("create kubernetes client: %w", err)
	}
	istio, err := o.factory.IstioClient()
	if err != nil {
		return nil, fmt.Errorf("create istio client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("create dynamic client: %w", err)
	}
	live := mesh.NewLive(kube, istio, mesh.NewSnapshot(o.IstioNamespace)).WithDynamic(dyn)
	if o.Bundle != "" {
		o.bundle = newBundle(o.command)
		live.OnObject = o.bundle.record
	}
	pods, err := live.ResolveWorkload(ctx, o.Namespace, o.From)
	client, choice, err := o.pickClient(pods, err, nil)
	if err != nil {
		return nil, err
	}
	if err := o.loadClusterState(ctx, live); err != nil {
		return nil, err
	}
	l := &loaded{Input: o.newInput(live.Snapshot(), client, "cluster"), choice: choice}
	needed := proxiesNeeded(live.Snapshot(), o.Target.Host, o.Target.Port, l.Input.Client)
	fetched := o.fetchDumps(ctx, cfg, kube, needed, l)
	if klog.V(1).Enabled() {
		o.progressf("read the cluster with %d API requests, then %d proxy dump(s) (%s in %d admin requests; %d narrowed, %d whole) through pods/portforward\n",
			live.Requests(), fetched.count, formatBytes(int(fetched.bytes)), fetched.requests, fetched.narrowed, fetched.count-fetched.narrowed)
	}
	return l, nil
}

// loadClusterState reads the Istio config of all namespaces (exportTo makes any namespace's
// config visible), the kinds the trace records without modelling (mesh.OtherKinds), the mesh config, the client namespace's NetworkPolicies, the Service the
// host names (a *.svc.cluster.local host), the gateway pods and Services, and the Secrets
// named by credentialName.
func (o *TraceOptions) loadClusterState(ctx context.Context, live *mesh.Live) error {
	if err := live.LoadIstioConfig(ctx, nil); err != nil {
		return err
	}
	if err := live.LoadOthers(ctx); err != nil {
		return err
	}
	if _, err := live.LoadMeshConfig(ctx, o.IstioNamespace); err != nil {
		return err
	}
	if _, err := live.LoadNamespace(ctx, o.Namespace); err != nil {
		o.progressf("warning: %v; namespace labels are not taken into account\n", err)
	}
	if err := live.LoadNetworkPolicies(ctx, o.Namespace); err != nil {
		o.progressf("warning: %v; NetworkPolicies are not checked\n", err)
	}
	if ns, name, ok := mesh.ServiceKeyForHost(strings.ToLower(o.Target.Host)); ok {
		if _, err := live.LoadService(ctx, ns, name); err != nil && !apierrors.IsNotFound(err) {
			o.progressf("warning: %v; the host's Service address is not taken into account\n", err)
		}
	}
	gwNamespaces, err := o.loadGateways(ctx, live)
	if err != nil {
		return err
	}
	for _, key := range credentialSecrets(live.Snapshot(), o.Target.Host, gwNamespaces) {
		ns, name, _ := strings.Cut(key, "/")
		if _, err := live.LoadSecret(ctx, ns, name); err != nil {
			return err
		}
	}
	return nil
}

// loadGateways lists, in the Istio namespace and in each Gateway's namespace, the pods
// matching a Gateway's selector and the Services; it returns the namespaces searched.
func (o *TraceOptions) loadGateways(ctx context.Context, live *mesh.Live) ([]string, error) {
	snap := live.Snapshot()
	namespaces := []string{o.IstioNamespace}
	var selectors []string
	for _, k := range mesh.SortedKeys(snap.Gateways) {
		gw := snap.Gateways[k]
		namespaces = append(namespaces, gw.Namespace)
		if sel := gw.Spec.GetSelector(); len(sel) > 0 {
			selectors = append(selectors, labels.SelectorFromSet(sel).String())
		}
	}
	namespaces, selectors = sortedUnique(namespaces), sortedUnique(selectors)
	for _, ns := range namespaces {
		for _, sel := range selectors {
			if _, err := live.LoadPodsBySelector(ctx, ns, sel); err != nil {
				return nil, err
			}
		}
		if err := live.LoadServices(ctx, ns); err != nil {
			return nil, err
		}
	}
	return namespaces, nil
}

type fetchStats struct {
	count    int
	narrowed int // proxies read with narrowed requests, not as whole dumps
	requests int
	bytes    int64
}

// fetchDumps fetches and parses the dumps of the needed proxies: only what a trace of the
// host reads (envoy.FetchForHost, Envoy's own config_dump filters), or whole dumps with
// --full-dump or --bundle. A proxy whose dump cannot be had is traced from intent only: a
// warning, and it is recorded as missing.
func (o *TraceOptions) fetchDumps(ctx context.Context, cfg *rest.Config, kube kubernetes.Interface, needed []string, l *loaded) fetchStats {
	if len(needed) == 0 {
		return fetchStats{}
	}
	f := &envoy.Fetcher{Config: cfg, Pods: kube.CoreV1(), AdminPort: o.AdminPort, Timeout: o.Timeout, MaxBytes: int64(o.Limits.Dump), SizeFlag: dumpSizeFlag}
	defer f.Close()
	refs := make([]envoy.PodRef, 0, len(needed))
	for _, key := range needed {
		ns, name, _ := strings.Cut(key, "/")
		refs = append(refs, envoy.PodRef{Namespace: ns, Name: name})
	}
	whole := o.FullDump || o.bundle != nil
	var stats fetchStats
	for _, res := range f.FetchAllForHost(ctx, refs, strings.ToLower(o.Target.Host), o.Target.Port, whole, trace.FetchOptions(l.Input)...) {
		key := res.Pod.String()
		stats.requests += res.Requests
		d, err := o.parseFetched(key, res)
		if err != nil {
			o.progressf("fetching config from %s... failed: %v; tracing it from Istio config only\n", key, err)
			l.missingDumps = append(l.missingDumps, key)
			continue
		}
		o.progressf("fetching config from %s... ok (%s, %s)\n", key, formatBytes(len(res.Data)), o.fetchMode(res.HostFetch))
		o.warnUnknownTypes(key, d)
		l.Input.Dumps[key] = d
		if o.bundle != nil {
			o.bundle.recordDump(key, res.Data)
		}
		stats.count++
		if !res.Full {
			stats.narrowed++
		}
	}
	stats.bytes = f.BytesFetched()
	return stats
}

// fetchMode says how a proxy's config was read: narrowed, whole on request, or whole
// because the proxy admin would not narrow it.
func (o *TraceOptions) fetchMode(hf envoy.HostFetch) string {
	switch {
	case hf.Full && hf.Note != "":
		return "whole dump: " + hf.Note
	case hf.Full && o.bundle != nil:
		return "whole dump for --bundle"
	case hf.Full:
		return "whole dump, --full-dump"
	case hf.Note != "":
		return fmt.Sprintf("%d narrowed config_dump requests; %s", hf.Requests, hf.Note)
	}
	return fmt.Sprintf("%d narrowed config_dump requests", hf.Requests)
}

func (o *TraceOptions) parseFetched(key string, res envoy.HostResult) (*envoy.Dump, error) {
	if res.Err != nil {
		return nil, res.Err
	}
	return parseDumpBytes(key, "its admin port "+fmt.Sprint(o.AdminPort), res.Data, o.dumpFilter())
}
