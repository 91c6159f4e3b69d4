package plugin_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

const (
	badScenario = "gateway-tls-origination"
	badTarget   = "http://edition.cnn.com/politics"
	clientDump  = "default/sleep-7b4c9d8f6-abcde"
)

// badInputs writes the inputs of the bad-input matrix into a temporary directory and
// returns the path of each by name.
func badInputs(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	sleepDump, err := os.ReadFile(filepath.Join(scenario(badScenario), "dumps", clientDump+".json"))
	if err != nil {
		t.Fatal(err)
	}
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(i*7 + i/3)
	}
	files := map[string][]byte{
		"empty.json":         nil,
		"empty.yaml":         nil,
		"junk.bin":           junk,
		"junk.yaml":          junk,
		"junk.tar.gz":        junk,
		"truncated.json":     sleepDump[:len(sleepDump)/2],
		"truncated.yaml":     []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"`),
		"stats.txt":          []byte("cluster.xds-grpc.upstream_cx_total: 1\nserver.live: 1\nserver.uptime: 42\n"),
		"pod.json":           []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x","namespace":"default"}}`),
		"unknown-types.json": withUnknownSection(t, sleepDump),
		"unknown-kinds.yaml": []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\n---\n" +
			"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: other, namespace: default}\n"),
		"wrong-apiversion.yaml": []byte("apiVersion: networking.istio.io/v9\nkind: ServiceEntry\nmetadata: {name: cnn2, namespace: default}\nspec: {hosts: [x.com]}\n"),
		"duplicate.yaml":        []byte("apiVersion: v1\nkind: Service\nmetadata: {name: sleep, namespace: default}\nspec: {ports: [{port: 80}]}\n"),
		"broken-doc.yaml": []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok, namespace: default}\n---\n" +
			"apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n"),
		"no-kind.yaml":  []byte("apiVersion: v1\nmetadata: {name: x}\n"),
		"bad-spec.yaml": []byte("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: se, namespace: default}\nspec: {hostz: [x.com]}\n"),
		"workloads.yaml": []byte(`apiVersion: v1
kind: Pod
metadata: {name: plain, namespace: default, labels: {app: plain}}
spec: {containers: [{name: app, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: idle, namespace: default}
spec:
  selector: {matchLabels: {app: idle}}
  template: {metadata: {labels: {app: idle}}, spec: {containers: [{name: app, image: nginx}]}}
`),
	}
	out := map[string]string{}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		out[name] = p
	}
	if err := os.Mkdir(filepath.Join(dir, "a-dir.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	out["a-dir.json"] = filepath.Join(dir, "a-dir.json")
	out["missing.json"] = filepath.Join(dir, "missing.json")
	return out
}

// withUnknownSection adds a configs entry of a type no Envoy build this tool knows.
func withUnknownSection(t *testing.T, dump []byte) []byte {
	t.Helper()
	var top map[string][]json.RawMessage
	if err := json.Unmarshal(dump, &top); err != nil {
		t.Fatal(err)
	}
	top["configs"] = append(top["configs"], json.RawMessage(`{"@type":"type.googleapis.com/example.admin.v9.WidgetsConfigDump","widgets":[{"name":"w"}]}`))
	out, err := json.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBadInputMatrix runs the real command tree on unreadable, misshapen and surprising
// inputs. A failure is one "error: ..." line on stderr naming the input, nothing on stdout,
// and the exit code of its class; an input that should work prints a JSON report.
func TestBadInputMatrix(t *testing.T) {
	in := badInputs(t)
	s := scenario(badScenario)
	pub := func(name string) string { return filepath.Join("..", "testdata", "envoy", "public", name) }
	dump := func(file string) []string { return []string{"-f", s, "--dump", clientDump + "=" + file} }
	tests := []struct {
		name string
		args []string // after "trace TARGET"; --from deploy/sleep unless they set --from
		code int
		want string // the error line contains it; for working inputs, a line of stderr
	}{
		// Dumps.
		{"empty dump", dump(in["empty.json"]), plugin.ExitBadInput, in["empty.json"] + ": empty input"},
		{"binary junk dump", dump(in["junk.bin"]), plugin.ExitBadInput, in["junk.bin"] + ": binary data"},
		{"truncated dump", dump(in["truncated.json"]), plugin.ExitBadInput, in["truncated.json"] + ": truncated JSON at byte"},
		{"admin /stats", dump(in["stats.txt"]), plugin.ExitBadInput, in["stats.txt"] + ": this is admin /stats output"},
		{"admin /clusters", dump(pub("bookinfo-clusters-reviews-v3.json")), plugin.ExitBadInput, "this is admin /clusters?format=json output"},
		{"admin /listeners", dump(pub("bookinfo-listeners-reviews-v3.json")), plugin.ExitBadInput, "this is admin /listeners?format=json output"},
		{"istioctl pc cluster -o json", dump(pub("istioctl-array-clusters.json")), plugin.ExitBadInput, "istioctl-array-clusters.json: this is a JSON array of"},
		{"istioctl pc listener -o json", dump(pub("istioctl-array-listeners.json")), plugin.ExitBadInput, "istioctl-array-listeners.json: this is a JSON array of"},
		{"istioctl pc route -o json", dump(pub("istioctl-array-routes.json")), plugin.ExitBadInput, "istioctl-array-routes.json: this is a JSON array of"},
		{"istioctl pc endpoint -o json", dump(pub("istioctl-array-endpoints.json")), plugin.ExitBadInput, "istioctl-array-endpoints.json: this is"},
		{"istioctl pc bootstrap -o json", dump(pub("istioctl-bootstrap-only.json")), plugin.ExitBadInput, "istioctl-bootstrap-only.json: this is only the envoy bootstrap"},
		{"v2alpha dump (Istio 1.1)", dump(pub("istio1.1-v2alpha.json")), plugin.ExitBadInput, "istio1.1-v2alpha.json: this is the v2alpha admin format"},
		{"v2alpha dump (Istio 1.4)", dump(pub("istio1.4-v2alpha.json")), plugin.ExitBadInput, "istio1.4-v2alpha.json: this is the v2alpha admin format"},
		{"Kubernetes object as dump", dump(in["pod.json"]), plugin.ExitBadInput, in["pod.json"] + ": "},
		{"YAML as dump", dump(filepath.Join(s, "manifests", "10-sleep.yaml")), plugin.ExitBadInput, "10-sleep.yaml: not JSON"},
		{"missing dump file", dump(in["missing.json"]), plugin.ExitBadInput, in["missing.json"] + ": no such file or directory"},
		{"dump is a directory", dump(in["a-dir.json"]), plugin.ExitBadInput, in["a-dir.json"] + ": "},
		{"dump with unknown types", dump(in["unknown-types.json"]), plugin.ExitOK,
			"warning: dump " + clientDump + " has configs sections of unknown types, skipped: type.googleapis.com/example.admin.v9.WidgetsConfigDump (1)"},
		// Manifests.
		{"empty manifest", []string{"-f", in["empty.yaml"]}, plugin.ExitBadInput, in["empty.yaml"] + ": no Kubernetes objects found"},
		{"binary junk manifest", []string{"-f", in["junk.yaml"]}, plugin.ExitBadInput, "load " + in["junk.yaml"] + ": document 1: "},
		{"truncated JSON manifest", []string{"-f", in["truncated.yaml"]}, plugin.ExitBadInput, "load " + in["truncated.yaml"] + ": document 1: "},
		{"missing manifest", []string{"-f", in["missing.json"]}, plugin.ExitBadInput, "load " + in["missing.json"] + ": no such file or directory"},
		{"unknown kinds are skipped", []string{"-f", s, "-f", in["unknown-kinds.yaml"]}, plugin.ExitOK, ""},
		{"wrong apiVersion is skipped, saying so", []string{"-f", s, "-f", in["wrong-apiversion.yaml"]}, plugin.ExitOK,
			"warning: skipped ServiceEntry default/cnn2 in " + in["wrong-apiversion.yaml"] + " document 1: unsupported apiVersion networking.istio.io/v9 for ServiceEntry (want networking.istio.io/v1alpha3|v1beta1|v1); the answer does not take it into account"},
		{"duplicate object", []string{"-f", s, "-f", in["duplicate.yaml"]}, plugin.ExitBadInput, "load " + in["duplicate.yaml"] + ": document 1: duplicate Service default/sleep (first defined in "},
		{"multi-doc with a broken doc", []string{"-f", s, "-f", in["broken-doc.yaml"]}, plugin.ExitBadInput, "load " + in["broken-doc.yaml"] + ": document 2: "},
		{"object without kind", []string{"-f", s, "-f", in["no-kind.yaml"]}, plugin.ExitBadInput, "load " + in["no-kind.yaml"] + ": document 1: object has no kind"},
		{"unknown spec field", []string{"-f", s, "-f", in["bad-spec.yaml"]}, plugin.ExitBadInput, "load " + in["bad-spec.yaml"] + `: document 1: ServiceEntry default/se: spec: `},
		{"junk .tar.gz bundle", []string{"-f", in["junk.tar.gz"]}, plugin.ExitBadInput, "read bundle " + in["junk.tar.gz"] + ": not a .tar.gz: gzip: invalid header"},
		// Workloads.
		{"nonexistent pod", []string{"-f", s, "--from", "pod/nope"}, plugin.ExitError, "pod default/nope not found in the files given with -f " + s},
		{"nonexistent deployment", []string{"-f", s, "--from", "deploy/nope"}, plugin.ExitError, "deployment default/nope not found in the files given with -f " + s},
		{"selector matching nothing", []string{"-f", s, "--from", "app=nope"}, plugin.ExitError, "no pod matches app=nope in namespace default"},
		{"deployment without pods", []string{"-f", s, "-f", in["workloads.yaml"], "--from", "deploy/idle"}, plugin.ExitError, "deployment default/idle has no pods"},
		{"pod without sidecar", []string{"-f", s, "-f", in["workloads.yaml"], "--from", "pod/plain"}, plugin.ExitOK, ""},
		// Usage.
		{"unknown flag", []string{"-f", s, "--bogus"}, plugin.ExitUsage, "unknown flag: --bogus; see 'kubectl egress trace --help' for usage"},
		{"bundle with -f", []string{"-f", s, "--bundle", in["missing.json"] + ".tar.gz"}, plugin.ExitUsage, "--bundle records a live trace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"trace", badTarget, "-o", "json"}, tt.args...)
			if !contains(tt.args, "--from") {
				args = append(args, "--from", "deploy/sleep")
			}
			stdout, stderr, code := runMain(t, append(args, noCluster...)...)
			checkOutcome(t, stdout, stderr, code, tt.code, tt.want)
		})
	}
}

// checkOutcome asserts one of: a failure (one "error:" line containing want, no stdout)
// or a report (valid JSON, want among the stderr lines, no error line). code -1 accepts
// any outcome that is one of these and logs it.
func checkOutcome(t *testing.T, stdout, stderr string, code, wantCode int, want string) {
	t.Helper()
	t.Logf("exit %d, stderr: %s", code, strings.TrimSpace(stderr))
	if code != plugin.ExitOK && code != plugin.ExitFindings {
		if wantCode != -1 && code != wantCode {
			t.Errorf("exit code = %d, want %d; stderr:\n%s", code, wantCode, stderr)
		}
		if stdout != "" {
			t.Errorf("stdout = %q, want nothing", stdout)
		}
		if !strings.HasPrefix(stderr, "error: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
			t.Errorf("stderr = %q, want one line \"error: ...%s...\"", stderr, want)
		}
		return
	}
	if wantCode != -1 && wantCode != plugin.ExitOK && wantCode != plugin.ExitFindings {
		t.Errorf("exit code = %d, want %d; stderr:\n%s", code, wantCode, stderr)
	}
	var r trace.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Errorf("stdout is not a JSON report: %v\n%s", err, stdout)
	}
	if strings.Contains(stderr, "error: ") {
		t.Errorf("stderr has an error line for a working input:\n%s", stderr)
	}
	if want != "" && !bytes.Contains([]byte(stderr), []byte(want+"\n")) {
		t.Errorf("stderr lacks the line %q:\n%s", want, stderr)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestBadInputHugeDump traces with a 200 MB client dump: the scenario's dump with its
// clusters replicated under distinct names. It must work (or fail cleanly), within memory.
func TestBadInputHugeDump(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MB dump: skipped under -short")
	}
	const size = 200 << 20
	src := filepath.Join(scenario(badScenario), "dumps", clientDump+".json")
	huge := filepath.Join(t.TempDir(), "huge.json")
	writeHugeDump(t, src, huge, size)
	stdout, stderr, code := runMain(t, append([]string{"trace", badTarget, "-o", "json", "--from", "deploy/sleep",
		"-f", scenario(badScenario), "--dump", clientDump + "=" + huge}, noCluster...)...)
	checkOutcome(t, stdout, stderr, code, plugin.ExitOK, "")
	if peak := peakRSS(t); peak > 0 {
		t.Logf("peak RSS of the test process: %d MiB", peak>>20)
		if peak > 6<<30 {
			t.Errorf("peak RSS %d MiB for a 200 MB dump, want under 6 GiB", peak>>20)
		}
	}
}

// writeHugeDump writes src with copies of its first dynamic cluster, renamed, appended to
// the clusters section until the file reaches size bytes.
func writeHugeDump(t *testing.T, src, dst string, size int) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var top struct{ Configs []map[string]json.RawMessage }
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.Grow(size + 1<<20)
	out.WriteString(`{"configs":[`)
	for i, sec := range top.Configs {
		if i > 0 {
			out.WriteByte(',')
		}
		var clusters []json.RawMessage
		if raw, ok := sec["dynamic_active_clusters"]; ok && json.Unmarshal(raw, &clusters) == nil && len(clusters) > 0 {
			clusters = padClusters(t, clusters, size)
			sec["dynamic_active_clusters"], _ = json.Marshal(clusters)
		}
		b, err := json.Marshal(sec)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
	}
	out.WriteString("]}")
	if err := os.WriteFile(dst, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote a %d MiB dump", out.Len()>>20)
}

func padClusters(t *testing.T, clusters []json.RawMessage, extra int) []json.RawMessage {
	t.Helper()
	var first struct {
		Cluster struct{ Name string } `json:"cluster"`
	}
	if err := json.Unmarshal(clusters[0], &first); err != nil || first.Cluster.Name == "" {
		t.Fatalf("first dynamic cluster has no name: %v", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, clusters[0]); err != nil {
		t.Fatal(err)
	}
	template := compact.Bytes()
	for n, added := 0, 0; added < extra; n++ {
		name := fmt.Sprintf("outbound|443||pad-%07d.example.com", n)
		c := bytes.ReplaceAll(template, []byte(strconv.Quote(first.Cluster.Name)), []byte(strconv.Quote(name)))
		clusters = append(clusters, c)
		added += len(c) + 1
	}
	return clusters
}

// peakRSS is the process's peak resident set size from /proc, 0 where unavailable.
func peakRSS(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
