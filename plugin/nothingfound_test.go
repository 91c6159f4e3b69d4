package plugin_test

import (
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/plugin"
)

// TestNothingFoundNamesTheNamespace: when the namespace searched holds nothing, the
// message names it and says how to look elsewhere (-n for trace, -A or -n for
// check-secrets).
func TestNothingFoundNamesTheNamespace(t *testing.T) {
	s := scenario("gateway-tls-origination")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string // a whole line of stderr
	}{
		{"trace, deployment in another namespace", []string{"trace", "edition.cnn.com", "--from", "deploy/sleep", "-n", "apps", "-f", s}, plugin.ExitError,
			"error: resolve --from deploy/sleep in namespace apps: deployment apps/sleep not found in the files given with -f " + s + "; if the client runs in another namespace, pass -n NAMESPACE"},
		{"trace, selector matching nothing", []string{"trace", "edition.cnn.com", "--from", "app=sleep", "-n", "apps", "-f", s}, plugin.ExitError,
			"error: resolve --from app=sleep in namespace apps: no pod matches app=sleep in namespace apps in the files given with -f " + s + "; if the client runs in another namespace, pass -n NAMESPACE"},
		{"check-secrets -n", []string{"check-secrets", "-n", "default", "-f", s}, plugin.ExitOK,
			"No credentialName found in DestinationRules (SIMPLE/MUTUAL) or Gateway servers in namespace default; pass -A to check every namespace, or -n NAMESPACE for another."},
		{"check-secrets -A", []string{"check-secrets", "-A", "-f", s}, plugin.ExitOK,
			"No credentialName found in DestinationRules (SIMPLE/MUTUAL) or Gateway servers in any namespace."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runMain(t, append(tt.args, noCluster...)...)
			if code != tt.wantCode || !contains(strings.Split(stderr, "\n"), tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and the line\n%s", code, stderr, tt.wantCode, tt.want)
			}
		})
	}
}
