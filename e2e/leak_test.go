package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/render"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// leakRun is one run of the built plugin through kubectl.
type leakRun struct {
	name string
	args []string
	live bool
}

// bundleArg in a run's args is replaced by the path of the shared support bundle.
const bundleArg = "@BUNDLE@"

// TestNoSecretLeaves runs every command, output format, -v level, --bundle, live and
// offline, over Secrets holding private keys in every encoding and place and objects
// holding tokens in env values and annotations, and greps stdout, stderr and every file
// the process wrote (HOME and TMPDIR point at a fresh directory, walked afterwards;
// bundles are unpacked) for any fragment of key material or any token.
func TestNoSecretLeaves(t *testing.T) {
	const name = "gateway-mtls-origination"
	s := newLeakScenario(t, name)
	pluginDir := testcluster.BuildPlugin(t)
	c := testcluster.Start(t)
	k := c.StartKubelet(t)
	deployScenario(t, c, k, s.dir)
	bundle := filepath.Join(t.TempDir(), "bundle.tar.gz")
	tr := []string{"trace", demoTarget(t, name), "--from", "deploy/sleep", "-n", "default"}
	t.Logf("%d key fragment needles, %d token needles", len(s.n.fragments), len(s.n.tokens))

	var runs, hits int
	run := func(r leakRun) []byte {
		runs++
		stdout, n := s.runChecked(t, c, pluginDir, bundle, r)
		hits += n
		return stdout
	}
	t.Run("bundle", func(t *testing.T) {
		live := run(leakRun{"live/trace/--bundle/-o=json/-v=10", append(tr, "--bundle", bundleArg, "-o", "json", "-v", "10"), true})
		replay := run(leakRun{"replay/trace/-o=json", append(tr, "-f", bundleArg, "-o", "json"), false})
		assertSameReport(t, live, replay)
	})
	for _, r := range leakMatrix(tr) {
		run(r)
	}
	t.Logf("%d runs of kubectl egress; %d needle hits", runs, hits)
}

// leakMatrix: each command at -v 0..10 live; each output format live, offline (the
// scenario directory) and replayed from the bundle, at -v 0 and -v 10.
func leakMatrix(tr []string) []leakRun {
	cs := []string{"check-secrets", "-A"}
	var runs []leakRun
	for v := 0; v <= 10; v++ {
		vs := fmt.Sprint(v)
		runs = append(runs, leakRun{"live/trace/-v=" + vs, append(tr, "-v", vs), true},
			leakRun{"live/check-secrets/-v=" + vs, append(cs, "-v", vs), true})
	}
	runs = append(runs, leakRun{"live/trace/--bundle/-v=0", append(tr, "--bundle", bundleArg+".v0.tar.gz"), true})
	for _, v := range []string{"0", "10"} {
		for _, f := range render.TraceFormats {
			runs = append(runs, leakRun{"live/trace/-o=" + f + "/-v=" + v, append(tr, "-o", f, "-v", v), true},
				leakRun{"offline/trace/-o=" + f + "/-v=" + v, append(tr, "-f", "@SCENARIO@", "-o", f, "-v", v), false},
				leakRun{"replay/trace/-o=" + f + "/-v=" + v, append(tr, "-f", bundleArg, "-o", f, "-v", v), false})
		}
		for _, f := range []string{"table", "wide", "json", "yaml"} {
			runs = append(runs, leakRun{"live/check-secrets/-o=" + f + "/-v=" + v, append(cs, "-o", f, "-v", v), true},
				leakRun{"offline/check-secrets/-o=" + f + "/-v=" + v, append(cs, "-f", "@SCENARIO@", "-o", f, "-v", v), false},
				leakRun{"replay/check-secrets/-o=" + f + "/-v=" + v, append(cs, "-f", bundleArg, "-o", f, "-v", v), false})
		}
	}
	return runs
}

// runChecked runs r as a subtest, fails it on an unexpected exit code or on any needle
// found, and returns stdout and the number of hits.
func (s *leakScenario) runChecked(t *testing.T, c *testcluster.Cluster, pluginDir, bundle string, r leakRun) ([]byte, int) {
	var stdout []byte
	var found []hit
	t.Run(r.name, func(t *testing.T) {
		var stderr []byte
		var files []string
		var code int
		stdout, stderr, code, found, files = s.runOnce(t, c, pluginDir, bundle, r)
		if code != plugin.ExitOK && code != plugin.ExitFindings {
			t.Errorf("exit %d, want %d or %d\nstderr:\n%.2000s", code, plugin.ExitOK, plugin.ExitFindings, stderr)
		}
		if r.live && verbosity(r.args) >= 6 && !bytes.Contains(stderr, []byte("/secrets/client-credential")) {
			t.Errorf("at -v %d stderr does not log the GET of Secret client-credential: the run did not read it with client-go logging on", verbosity(r.args))
		}
		reportHits(t, found)
		t.Logf("exit %d; stdout %d bytes, stderr %d bytes, %d files written: %v", code, len(stdout), len(stderr), len(files), files)
	})
	return stdout, len(found)
}

// runOnce runs kubectl egress ARGS with HOME and TMPDIR in a fresh directory, which it
// then walks. The output and files are scanned, never printed.
func (s *leakScenario) runOnce(t *testing.T, c *testcluster.Cluster, pluginDir, bundle string, r leakRun) (stdout, stderr []byte, code int, hits []hit, files []string) {
	root := t.TempDir()
	home, tmp, work := filepath.Join(root, "home"), filepath.Join(root, "tmp"), filepath.Join(root, "work")
	for _, d := range []string{home, tmp, work} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"egress"}
	for _, a := range r.args {
		a = strings.ReplaceAll(strings.ReplaceAll(a, bundleArg, bundle), "@SCENARIO@", s.dir)
		args = append(args, a)
	}
	kubeconfig := "/nonexistent/kubeconfig"
	if r.live {
		kubeconfig = c.Kubeconfig
	}
	kubectl, err := testcluster.Kubectl()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, kubectl, append(args, "--kubeconfig", kubeconfig)...)
	cmd.Dir = work
	cmd.Env = []string{"PATH=" + pluginDir + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + tmp}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	code = exitCode(cmd.Run())
	hits = append(s.n.scan("stdout", out.Bytes()), s.n.scan("stderr", errOut.Bytes())...)
	treeHits, files := s.n.scanTree(root)
	if strings.Contains(strings.Join(r.args, " "), "--bundle") {
		bundleHits, _ := s.n.scanTree(filepath.Dir(bundle))
		treeHits = append(treeHits, bundleHits...)
	}
	return out.Bytes(), errOut.Bytes(), code, append(hits, treeHits...), files
}

// reportHits fails t with where needles were found and which (by description, never
// their bytes), grouped by place and needle.
func reportHits(t *testing.T, hits []hit) {
	t.Helper()
	groups := map[string]int{}
	for _, h := range hits {
		where, _, _ := strings.Cut(h.where, " offset ")
		what, _, _ := strings.Cut(h.what, ", ")
		groups[where+" holds "+what]++
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	const show = 40
	for i, k := range keys {
		if i == show {
			t.Errorf("... and %d more groups", len(keys)-show)
			break
		}
		t.Errorf("%s (%d fragments)", k, groups[k])
	}
}

// assertSameReport: the replayed bundle gives the live trace's report (but for the source).
func assertSameReport(t *testing.T, liveJSON, replayJSON []byte) {
	t.Helper()
	var live, replay trace.Report
	if err := json.Unmarshal(liveJSON, &live); err != nil {
		t.Fatalf("live trace -o json: %v", err)
	}
	if err := json.Unmarshal(replayJSON, &replay); err != nil {
		t.Fatalf("replayed trace -o json: %v", err)
	}
	live.Inputs.Source, replay.Inputs.Source = "", ""
	if !reflect.DeepEqual(live, replay) {
		t.Errorf("replayed report differs from the live one:\nlive:\n%s\nreplay:\n%s", liveJSON, replayJSON)
	}
}

// verbosity is the value of -v in args (0 when absent).
func verbosity(args []string) int {
	v := 0
	for i, a := range args {
		if a == "-v" && i+1 < len(args) {
			_, _ = fmt.Sscan(args[i+1], &v)
		}
	}
	return v
}
