package mesh

import (
	"strings"
	"testing"
)

func TestResolveWorkload(t *testing.T) {
	s := snapshotOf(t,
		newPod("sleep-b", withLabels("app", "sleep", "pod-template-hash", "1")),
		newPod("sleep-a", withLabels("app", "sleep", "pod-template-hash", "1")),
		newPod("httpbin", withLabels("app", "httpbin", "version", "v1")),
		newPod("sleep-other-ns", inNS("foo"), withLabels("app", "sleep")),
		newDeployment("default", "sleep", map[string]string{"app": "sleep"}),
		newDeployment("default", "empty", map[string]string{"app": "nothing"}),
	)
	tests := []struct {
		ns, ref string
		want    string
		wantErr string
	}{
		{ns: "default", ref: "deploy/sleep", want: "sleep-a sleep-b"},
		{ns: "default", ref: "deployment/sleep", want: "sleep-a sleep-b"},
		{ns: "default", ref: "pod/httpbin", want: "httpbin"},
		{ns: "default", ref: "httpbin", want: "httpbin"},
		{ns: "default", ref: "app=sleep", want: "sleep-a sleep-b"},
		{ns: "default", ref: "app in (sleep,httpbin),version!=v2", want: "httpbin sleep-a sleep-b"},
		{ns: "foo", ref: "app=sleep", want: "sleep-other-ns"},
		{ns: "default", ref: "deploy/empty", wantErr: "deployment default/empty has no pods"},
		{ns: "default", ref: "deploy/missing", wantErr: "deployment default/missing not found"},
		{ns: "default", ref: "pod/missing", wantErr: "pod default/missing not found"},
		{ns: "bar", ref: "app=sleep", wantErr: "no pod matches app=sleep in namespace bar"},
		{ns: "default", ref: "statefulset/x", wantErr: `unsupported workload "statefulset/x"`},
		{ns: "default", ref: "app=(", wantErr: `parse label selector "app=("`},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			pods, err := s.ResolveWorkload(tt.ns, tt.ref)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ResolveWorkload(%q, %q) error = %v, want %q", tt.ns, tt.ref, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResolveWorkload(%q, %q) error = %v", tt.ns, tt.ref, err)
			}
			var names []string
			for _, p := range pods {
				names = append(names, p.Name)
			}
			if got := strings.Join(names, " "); got != tt.want {
				t.Errorf("ResolveWorkload(%q, %q) = %q, want %q", tt.ns, tt.ref, got, tt.want)
			}
		})
	}
}
