package plugin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

const scenariosDir = "../testdata/scenarios"

// offline flags: a kubeconfig that does not exist proves no cluster is touched.
var noCluster = []string{"--kubeconfig", "/nonexistent/kubeconfig"}

// runMain runs the real command tree and returns stdout, stderr and the exit code.
func runMain(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code := plugin.Main(context.Background(), streams, args)
	return out.String(), errOut.String(), code
}

func scenario(name string) string { return filepath.Join(scenariosDir, name) }

func TestTraceUsageErrors(t *testing.T) {
	s := scenario("gateway-tls-origination")
	tests := []struct {
		name       string
		args       []string
		wantStderr string // a line of stderr, exactly
	}{
		{"unknown output", []string{"trace", "edition.cnn.com", "-f", s, "--from", "deploy/sleep", "-o", "xml"},
			`error: --output must be one of table|wide|json|yaml|mermaid|dot, got "xml"`},
		{"missing host", []string{"trace", "--from", "deploy/sleep"},
			`error: kubectl egress trace needs a HOST[:PORT] or URL to trace, got 0 argument(s)`},
		{"two hosts", []string{"trace", "a.com", "b.com", "--from", "deploy/sleep"},
			`error: kubectl egress trace needs a HOST[:PORT] or URL to trace, got 2 argument(s)`},
		{"missing from", []string{"trace", "edition.cnn.com", "-f", s},
			`error: --from is required: the workload whose sidecar the request leaves from, e.g. --from deploy/sleep`},
		{"bad from", []string{"trace", "edition.cnn.com", "-f", s, "--from", "svc/sleep"},
			`error: --from: unsupported workload "svc/sleep", want deploy/NAME, pod/NAME, NAME or a label selector`},
		{"bad protocol", []string{"trace", "edition.cnn.com", "-f", s, "--from", "deploy/sleep", "--protocol", "udp"},
			`error: --protocol must be one of http|https|tls|tcp, got "udp"`},
		{"protocol conflicts with scheme", []string{"trace", "http://edition.cnn.com", "-f", s, "--from", "deploy/sleep", "--protocol", "tcp"},
			`error: --protocol tcp conflicts with the http:// URL`},
		{"unsupported scheme", []string{"trace", "ftp://edition.cnn.com", "-f", s, "--from", "deploy/sleep"},
			`error: unsupported URL scheme "ftp" in "ftp://edition.cnn.com": use http:// or https://, or HOST:PORT with --protocol`},
		{"bad port", []string{"trace", "edition.cnn.com:99999", "-f", s, "--from", "deploy/sleep"},
			`error: invalid port "99999" in "edition.cnn.com:99999": want 1-65535`},
		{"bad threshold", []string{"trace", "edition.cnn.com", "-f", s, "--from", "deploy/sleep", "--failure-threshold", "Fatal"},
			`error: --failure-threshold must be one of Info|Warning|Error|None, got "Fatal"`},
		{"bad color", []string{"trace", "edition.cnn.com", "-f", s, "--from", "deploy/sleep", "--color", "rainbow"},
			`error: --color must be one of auto|always|never, got "rainbow"`},
		{"bad dump flag", []string{"trace", "edition.cnn.com", "-f", s, "--from", "deploy/sleep", "--dump", "sleep.json"},
			`error: --dump must be NAMESPACE/POD=FILE, got "sleep.json"`},
		{"dump without manifests", []string{"trace", "edition.cnn.com", "--from", "deploy/sleep", "--dump", "default/sleep=x.json"},
			`error: --dump needs -f with the manifests (pods and Istio config) the dumps belong to`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runMain(t, append(tt.args, noCluster...)...)
			if code != plugin.ExitUsage {
				t.Errorf("exit code = %d, want %d (usage)", code, plugin.ExitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if first, _, _ := strings.Cut(stderr, "\n"); first != tt.wantStderr {
				t.Errorf("stderr =\n%s\nwant first line\n%s", stderr, tt.wantStderr)
			}
		})
	}
}

func TestTraceUnreadableInput(t *testing.T) {
	dir := t.TempDir()
	truncated := filepath.Join(dir, "sleep.json")
	if err := os.WriteFile(truncated, []byte(`{"configs": [{"@type": "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump"`), 0o600); err != nil {
		t.Fatal(err)
	}
	badYAML := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badYAML, []byte("kind: [unclosed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	manifests := filepath.Join(scenario("gateway-tls-origination"), "manifests")
	tests := []struct {
		name       string
		args       []string
		wantPrefix string
	}{
		{"truncated dump", []string{"-f", manifests, "--dump", "default/sleep-7b4c9d8f6-abcde=" + truncated},
			"error: read dump default/sleep-7b4c9d8f6-abcde from " + truncated + ": truncated JSON at byte "},
		{"missing dump file", []string{"-f", manifests, "--dump", "default/sleep-7b4c9d8f6-abcde=" + filepath.Join(dir, "nope.json")},
			"error: read dump default/sleep-7b4c9d8f6-abcde from " + filepath.Join(dir, "nope.json") + ": no such file or directory"},
		{"missing manifests", []string{"-f", filepath.Join(dir, "nothing")},
			"error: load " + filepath.Join(dir, "nothing") + ": no such file or directory"},
		{"invalid manifest", []string{"-f", badYAML},
			"error: load " + badYAML + ": "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"trace", "edition.cnn.com", "--from", "deploy/sleep"}, tt.args...)
			stdout, stderr, code := runMain(t, append(args, noCluster...)...)
			if code != plugin.ExitBadInput {
				t.Errorf("exit code = %d, want %d (unreadable input); stderr:\n%s", code, plugin.ExitBadInput, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if !strings.HasPrefix(stderr, tt.wantPrefix) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr = %q, want one line starting %q", stderr, tt.wantPrefix)
			}
		})
	}
}

func TestTraceWorkloadNotFound(t *testing.T) {
	_, stderr, code := runMain(t, append([]string{"trace", "edition.cnn.com", "--from", "deploy/nope",
		"-f", scenario("gateway-tls-origination")}, noCluster...)...)
	want := "error: resolve --from deploy/nope in namespace default: deployment default/nope not found in the files given with -f " + scenario("gateway-tls-origination") +
		"; if the client runs in another namespace, pass -n NAMESPACE\n"
	if code != plugin.ExitError || stderr != want {
		t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, plugin.ExitError, want)
	}
}

// TestTraceOfflineFormats runs one scenario offline in every output format.
func TestTraceOfflineFormats(t *testing.T) {
	base := []string{"trace", "http://edition.cnn.com/politics", "--from", "deploy/sleep", "-n", "default",
		"-f", scenario("gateway-tls-origination"), "--failure-threshold", "None"}
	base = append(base, noCluster...)
	var report trace.Report
	t.Run("json", func(t *testing.T) {
		stdout, stderr := mustRun(t, append(base, "-o", "json")...)
		if err := json.Unmarshal([]byte(stdout), &report); err != nil {
			t.Fatalf("-o json printed invalid JSON: %v\n%s", err, stdout)
		}
		if report.Target.Host != "edition.cnn.com" || report.Target.Port != 80 || report.Target.Protocol != "http" {
			t.Errorf("target = %+v, want edition.cnn.com:80 http", report.Target)
		}
		if report.Inputs.Source != "files" || report.Verdict.Kind == "" || len(report.Hops) == 0 {
			t.Errorf("report source %q verdict %q hops %d; want files, a verdict, hops", report.Inputs.Source, report.Verdict.Kind, len(report.Hops))
		}
		if strings.Contains(stderr, "no dump") {
			t.Errorf("stderr = %q: the scenario has every dump", stderr)
		}
	})
	t.Run("yaml", func(t *testing.T) {
		stdout, _ := mustRun(t, append(base, "-o", "yaml")...)
		var got trace.Report
		if err := yaml.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("-o yaml printed invalid YAML: %v", err)
		}
		if got.Verdict.Kind != report.Verdict.Kind || len(got.Hops) != len(report.Hops) {
			t.Errorf("yaml verdict %q / %d hops, json %q / %d hops", got.Verdict.Kind, len(got.Hops), report.Verdict.Kind, len(report.Hops))
		}
	})
	prefixes := map[string]string{
		"table":   "TRACE     edition.cnn.com:80 (http) from default/sleep-7b4c9d8f6-abcde\nVERDICT   " + string(report.Verdict.Kind) + ": ",
		"wide":    "TRACE     edition.cnn.com:80 (http) from default/sleep-7b4c9d8f6-abcde\n",
		"mermaid": "flowchart LR\n",
		"dot":     "digraph trace {\n",
	}
	for _, format := range []string{"table", "wide", "mermaid", "dot"} {
		t.Run(format, func(t *testing.T) {
			stdout, _ := mustRun(t, append(base, "-o", format)...)
			if !strings.HasPrefix(stdout, prefixes[format]) {
				t.Errorf("-o %s =\n%s\nwant it to start with\n%s", format, stdout, prefixes[format])
			}
			if strings.Contains(stdout, "\x1b") {
				t.Errorf("-o %s to a buffer has ANSI escapes", format)
			}
		})
	}
	t.Run("color always colours the verdict", func(t *testing.T) {
		stdout, _ := mustRun(t, append(base, "--color", "always")...)
		if !strings.Contains(stdout, "VERDICT   \x1b[") {
			t.Errorf("--color always: no colour on the verdict line:\n%q", stdout)
		}
	})
}

func mustRun(t *testing.T, args ...string) (string, string) {
	t.Helper()
	stdout, stderr, code := runMain(t, args...)
	if code != plugin.ExitOK {
		t.Fatalf("kubectl egress %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout, stderr
}

// TestTraceFailureThreshold: exit 79 exactly when a finding reaches the threshold.
func TestTraceFailureThreshold(t *testing.T) {
	args := []string{"trace", "edition.cnn.com", "--from", "deploy/sleep", "-f", scenario("broken-registry-only-no-se"), "-o", "json"}
	args = append(args, noCluster...)
	stdout, stderr, code := runMain(t, append(args, "--failure-threshold", "None")...)
	if code != plugin.ExitOK {
		t.Fatalf("--failure-threshold None: exit %d, want 0; stderr:\n%s", code, stderr)
	}
	var r trace.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		threshold string
		levels    []trace.Level
	}{
		{"Info", []trace.Level{trace.LevelInfo, trace.LevelWarning, trace.LevelError}},
		{"warning", []trace.Level{trace.LevelWarning, trace.LevelError}},
		{"Error", []trace.Level{trace.LevelError}},
	} {
		t.Run(tt.threshold, func(t *testing.T) {
			want := plugin.ExitOK
			for _, f := range r.Findings {
				for _, l := range tt.levels {
					if f.Level == l {
						want = plugin.ExitFindings
					}
				}
			}
			out, stderr, code := runMain(t, append(args, "--failure-threshold", tt.threshold)...)
			if code != want {
				t.Errorf("exit %d, want %d for findings %v; stderr:\n%s", code, want, r.Findings, stderr)
			}
			if out != stdout {
				t.Errorf("report differs with --failure-threshold %s", tt.threshold)
			}
			if code == plugin.ExitFindings && strings.Contains(stderr, "error:") {
				t.Errorf("exit 79 printed %q; the report says it all", stderr)
			}
		})
	}
}

func TestTraceCompletesFlagValues(t *testing.T) {
	stdout, _, code := runMain(t, "__complete", "trace", "edition.cnn.com", "-o", "")
	want := "table\nwide\njson\nyaml\nmermaid\ndot\n:4\n"
	if code != plugin.ExitOK || !strings.HasPrefix(stdout, want) {
		t.Errorf("__complete trace -o: exit %d, stdout %q; want it to start with %q", code, stdout, want)
	}
}

// TestManifestsFromStdin runs both commands with -f -: the manifests come from standard
// input, as for kubectl -f -, and give the answer the files give.
func TestManifestsFromStdin(t *testing.T) {
	dir := scenario("gateway-mtls-origination")
	files, err := filepath.Glob(filepath.Join(dir, "manifests", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	var all bytes.Buffer
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
		all.WriteString("\n---\n")
	}
	gw := "istio-system/istio-egressgateway-6d8c4b7f9-xk2lp=" + filepath.Join(dir, "dumps", "istio-system", "istio-egressgateway-6d8c4b7f9-xk2lp.json")
	client := "default/sleep-7b4c9d8f6-abcde=" + filepath.Join(dir, "dumps", "default", "sleep-7b4c9d8f6-abcde.json")
	for _, args := range [][]string{
		{"trace", "http://my-nginx.mesh-external.svc.cluster.local", "--from", "deploy/sleep", "-o", "json", "--dump", gw, "--dump", client},
		{"check-secrets", "-A", "-o", "json", "--dump", gw, "--now", "2026-06-01T00:00:00Z"},
	} {
		t.Run(args[0], func(t *testing.T) {
			fromFiles, _, wantCode := runMain(t, append(append(args, "-f", dir), noCluster...)...)
			var out, errOut bytes.Buffer
			streams := genericiooptions.IOStreams{In: bytes.NewReader(all.Bytes()), Out: &out, ErrOut: &errOut}
			code := plugin.Main(context.Background(), streams, append(append(args, "-f", "-"), noCluster...))
			if code != wantCode || out.String() != fromFiles {
				t.Errorf("-f - exit %d, want %d as with -f %s; stderr:\n%s\nstdout:\n%s\nwant:\n%s", code, wantCode, dir, errOut.String(), out.String(), fromFiles)
			}
		})
	}
	t.Run("no stdin", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code := plugin.Main(context.Background(), genericiooptions.IOStreams{Out: &out, ErrOut: &errOut}, append([]string{"trace", "x", "--from", "deploy/sleep", "-f", "-"}, noCluster...))
		if code != plugin.ExitBadInput || !strings.Contains(errOut.String(), "-f -") {
			t.Errorf("exit %d, stderr %q; want %d naming -f -", code, errOut.String(), plugin.ExitBadInput)
		}
	})
}

// TestManifestsWithoutNamespaceGoToNamespaceFlag: offline, manifests without
// metadata.namespace go to the namespace given with -n, as `kubectl apply -n team-a -f`
// puts them, so --from finds the client there and its ServiceEntry is its own namespace's.
func TestManifestsWithoutNamespaceGoToNamespaceFlag(t *testing.T) {
	src := filepath.Join(scenario("registry-only-with-se"), "manifests")
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join(src, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", src, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.ReplaceAll(b, []byte("\n  namespace: default\n"), []byte("\n"))
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, code := runMain(t, append([]string{"trace", "http://edition.cnn.com", "--from", "deploy/sleep", "-n", "team-a", "-f", dir, "-o", "json"}, noCluster...)...)
	if code != plugin.ExitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	for _, want := range []string{`"namespace": "team-a"`, `"name": "outbound|80||edition.cnn.com"`} {
		if !strings.Contains(out, want) {
			t.Errorf("trace -n team-a of manifests without a namespace: output lacks %s:\n%s", want, out)
		}
	}
}
