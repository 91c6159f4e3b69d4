package plugin

import (
	"context"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Dynamic shell completion, read live through the Factory (so --kubeconfig, --context and
// -n on the command line count). A completion that cannot reach the cluster offers nothing
// rather than failing: the shell has no place to show an error.

// completeFrom completes --from WORKLOAD with deploy/NAME and pod/NAME in the namespace of
// -n (or the context's). A typed "pod/" or "deploy/" narrows it to that kind; pods that
// have finished are left out, since they cannot be traced.
func completeFrom(f Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		ns, _, err := f.Namespace()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		if !strings.HasPrefix(toComplete, "pod/") {
			out = append(out, deploymentRefs(cmd.Context(), f, ns)...)
		}
		if !strings.HasPrefix(toComplete, "deploy/") {
			out = append(out, podRefs(cmd.Context(), f, ns)...)
		}
		return filterPrefix(sortedUnique(out), toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

func deploymentRefs(ctx context.Context, f Factory, ns string) []string {
	kc, err := f.KubeClient()
	if err != nil {
		return nil
	}
	list, err := kc.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	refs := make([]string, 0, len(list.Items))
	for _, d := range list.Items {
		refs = append(refs, "deploy/"+d.Name)
	}
	return refs
}

func podRefs(ctx context.Context, f Factory, ns string) []string {
	kc, err := f.KubeClient()
	if err != nil {
		return nil
	}
	list, err := kc.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	refs := make([]string, 0, len(list.Items))
	for _, p := range list.Items {
		if p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			refs = append(refs, "pod/"+p.Name)
		}
	}
	return refs
}

// completeServiceEntryHosts completes trace's HOST argument with the hosts of the ServiceEntries in all
// namespaces, or in the namespace of -n when listing across namespaces is forbidden.
// Only the first argument is completed.
func completeServiceEntryHosts(f Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		hosts, err := serviceEntryHosts(cmd.Context(), f, metav1.NamespaceAll)
		if apierrors.IsForbidden(err) {
			ns, _, nerr := f.Namespace()
			if nerr != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			hosts, _ = serviceEntryHosts(cmd.Context(), f, ns)
		}
		return filterPrefix(sortedUnique(hosts), toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

func serviceEntryHosts(ctx context.Context, f Factory, ns string) ([]string, error) {
	ic, err := f.IstioClient()
	if err != nil {
		return nil, err
	}
	list, err := ic.NetworkingV1().ServiceEntries(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var hosts []string
	for _, se := range list.Items {
		hosts = append(hosts, se.Spec.GetHosts()...)
	}
	return hosts, nil
}

// filterPrefix keeps the candidates starting with prefix (bash does not filter for us).
func filterPrefix(candidates []string, prefix string) []string {
	out := candidates[:0:0]
	for _, c := range candidates {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}
