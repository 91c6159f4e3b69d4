package plugin

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ErrNoCluster is the first-contact error: no kubeconfig names a cluster, so client-go
// would fall back to http://localhost:8080 and fail with a bare "dial tcp 127.0.0.1:8080".
var ErrNoCluster = errors.New("no cluster is configured")

// ways out, in every first-contact message.
const noClusterNext = "point at a cluster with --kubeconfig FILE or --context NAME, or trace offline from files with -f DIR (see --help)"

// checkClusterConfigured is called before the first API request of a live command. With a
// factory built from kubeconfig flags it returns an error wrapping ErrNoCluster when no
// cluster would be reached but client-go's localhost:8080 default: no kubeconfig, or one
// whose context names no cluster, with no --server and outside a pod. Other factories
// (tests) and kubeconfig errors (reported by the load itself) pass.
func checkClusterConfigured(f Factory) error {
	cf, ok := f.(*configFactory)
	if !ok {
		return nil
	}
	return clusterConfigured(cf.flags)
}

func clusterConfigured(flags *genericclioptions.ConfigFlags) error {
	if flags.APIServer != nil && *flags.APIServer != "" || inClusterPossible() {
		return nil
	}
	loader := flags.ToRawKubeConfigLoader()
	raw, err := loader.RawConfig()
	if err != nil {
		return nil
	}
	files := loader.ConfigAccess().GetLoadingPrecedence()
	if len(raw.Clusters) == 0 {
		return fmt.Errorf("%w: no kubeconfig names a cluster (looked in %s) and not running in a pod; %s", ErrNoCluster, strings.Join(files, ", "), noClusterNext)
	}
	name := raw.CurrentContext
	if flags.Context != nil && *flags.Context != "" {
		name = *flags.Context
	}
	if name == "" {
		return fmt.Errorf("%w: the kubeconfig (%s) has no current-context; pick one with --context NAME (%s), or trace offline from files with -f DIR",
			ErrNoCluster, strings.Join(files, ", "), contextNames(raw))
	}
	return nil
}

// contextNames lists the kubeconfig's contexts for the message.
func contextNames(raw clientcmdapi.Config) string {
	names := make([]string, 0, len(raw.Contexts))
	for n := range raw.Contexts {
		names = append(names, n)
	}
	if len(names) == 0 {
		return "it defines no contexts"
	}
	sort.Strings(names)
	return "contexts: " + strings.Join(names, ", ")
}

// inClusterPossible is client-go's test for in-cluster config: the service environment
// variables and the service account token.
func inClusterPossible() bool {
	if os.Getenv("KUBERNETES_SERVICE_HOST") == "" || os.Getenv("KUBERNETES_SERVICE_PORT") == "" {
		return false
	}
	_, err := os.Stat("/var/run/secrets/kubernetes.io/serviceaccount/token")
	return err == nil
}
