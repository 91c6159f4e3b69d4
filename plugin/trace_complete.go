package plugin

import (
	"sort"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// completeHosts offers the hosts of the ServiceEntries visible in the cluster.
func completeHosts(f Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ic, err := f.IstioClient()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		list, err := ic.NetworkingV1().ServiceEntries(metav1.NamespaceAll).List(cmd.Context(), metav1.ListOptions{})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var hosts []string
		for _, se := range list.Items {
			hosts = append(hosts, se.Spec.GetHosts()...)
		}
		return sortedUnique(hosts), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeWorkloads offers deploy/NAME and pod/NAME in the namespace of -n.
func completeWorkloads(f Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		ns, _, err := f.Namespace()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		kc, err := f.KubeClient()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		if deps, err := kc.AppsV1().Deployments(ns).List(cmd.Context(), metav1.ListOptions{}); err == nil {
			for _, d := range deps.Items {
				out = append(out, "deploy/"+d.Name)
			}
		}
		if pods, err := kc.CoreV1().Pods(ns).List(cmd.Context(), metav1.ListOptions{}); err == nil {
			for _, p := range pods.Items {
				out = append(out, "pod/"+p.Name)
			}
		}
		sort.Strings(out)
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
