package trace

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// TestBlockedHasError: a blocked verdict always carries an Error finding, so the verdict and
// the exit code (79 at the default --failure-threshold) never disagree. Every scenario, with
// and without its dumps, on ports 80 and 443 with every protocol a client may send.
func TestBlockedHasError(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range scenarioCases {
		for _, port := range []int{80, 443} {
			for _, proto := range []string{"", "http", "https", "tls", "tcp"} {
				for _, dumps := range []bool{true, false} {
					name := fmt.Sprintf("%s/%s:%d/%s/dumps=%v", tc.scenario, tc.host, port, proto, dumps)
					if seen[name] {
						continue
					}
					seen[name] = true
					in := loadScenario(t, filepath.Join("..", "testdata", "scenarios", tc.scenario))
					in.Host, in.Port, in.Protocol = tc.host, port, proto
					if !dumps {
						clear(in.Dumps)
					}
					r := Run(in)
					if r.Verdict.Kind == Blocked && !slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Level == LevelError }) {
						t.Errorf("%s: blocked (%s) without an Error finding", name, r.Verdict.Summary)
					}
				}
			}
		}
	}
}
