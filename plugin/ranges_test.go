package plugin_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/plugin"
)

// TestOutOfRangeValues: ports outside 1-65535 and durations that overflow, in arguments,
// flags and manifests, are one-line errors naming the field, with the usage or input
// exit code, never a wrapped-around value.
func TestOutOfRangeValues(t *testing.T) {
	s := scenario("allow-any")
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(s)); err != nil {
		t.Fatal(err)
	}
	se := "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: cnn, namespace: default}\n" +
		"spec:\n  hosts: [edition.cnn.com]\n  ports: [{number: 70000, name: tls, protocol: TLS}]\n  resolution: DNS\n"
	if err := os.WriteFile(filepath.Join(dir, "manifests", "90-se.yaml"), []byte(se), 0o600); err != nil {
		t.Fatal(err)
	}
	trace := func(args ...string) []string {
		return append([]string{"trace", "edition.cnn.com", "--from", "deploy/sleep", "-f", s}, args...)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string // the end of the one error line
	}{
		{"target port", []string{"trace", "edition.cnn.com:70000", "--from", "deploy/sleep", "-f", s}, plugin.ExitUsage,
			`invalid port "70000" in "edition.cnn.com:70000": want 1-65535`},
		{"--timeout", trace("--timeout", "9999999999h"), plugin.ExitUsage,
			`invalid argument "9999999999h" for "--timeout" flag: time: invalid duration "9999999999h"; see 'kubectl egress trace --help' for usage`},
		{"--request-timeout seconds", trace("--request-timeout", "9999999999"), plugin.ExitUsage,
			"--request-timeout 9999999999 seconds is outside 0-9223372036 (a duration of at most 2562047h47m16s)"},
		{"--request-timeout duration", trace("--request-timeout", "9999999999h"), plugin.ExitUsage,
			`--request-timeout must be whole seconds or a duration such as 30s or 1m (0: no timeout), got "9999999999h"`},
		{"--expiry-warning days", []string{"check-secrets", "-A", "-f", s, "--expiry-warning", "99999999999d"}, plugin.ExitUsage,
			`--expiry-warning must be a positive duration like 30d or 72h, got "99999999999d"`},
		{"ServiceEntry port in -f", []string{"trace", "edition.cnn.com", "--from", "deploy/sleep", "-f", dir}, plugin.ExitBadInput,
			"ServiceEntry default/cnn: spec.ports[0].number: 70000 is outside 1-65535"},
		{"ServiceEntry port in check-secrets -f", []string{"check-secrets", "-A", "-f", dir}, plugin.ExitBadInput,
			"ServiceEntry default/cnn: spec.ports[0].number: 70000 is outside 1-65535"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runMain(t, append(tt.args, noCluster...)...)
			line := strings.TrimSuffix(stderr, "\n")
			if code != tt.wantCode || strings.Contains(line, "\n") || !strings.HasPrefix(line, "error: ") || !strings.HasSuffix(line, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and one error line ending in %q", code, stderr, tt.wantCode, tt.want)
			}
		})
	}
}
