package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-egress/kubectl-egress/internal/envoyadmin"
	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/mesh"
	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// maxTraceRequests bounds the API requests of one live trace's load (before the proxies'
// pods/portforward): GETs, label-selector LISTs, one LIST per Istio kind, one discovery GET and
// one LIST per installed kind of mesh.OtherKinds.
const maxTraceRequests = 30

// TestTraceLive traces scenarios against a real apiserver, through real kubectl's plugin
// discovery, with each proxy's dump served as its Envoy admin /config_dump over real
// pods/portforward, and checks the verdict equals the offline trace of the same files.
func TestTraceLive(t *testing.T) {
	bin := testcluster.PathWith(testcluster.BuildPlugin(t))
	for _, name := range []string{"gateway-tls-origination", "broken-registry-only-no-se"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", name)
			target := demoTarget(t, name)
			c := testcluster.Start(t)
			k := c.StartKubelet(t)
			proxies := deployScenario(t, c, k, dir)

			offline := traceOffline(t, "trace", target, "--from", "deploy/sleep", "-n", "default", "-f", dir, "-o", "json")
			stdout, stderr, err := kubectlEgress(t, c, bin, "egress", "trace", target, "--from", "deploy/sleep", "-n", "default", "-o", "json")
			if code := exitCode(err); code != plugin.ExitOK && code != plugin.ExitFindings {
				t.Fatalf("kubectl egress trace: exit %d\nstderr:\n%s", code, stderr)
			}
			var live trace.Report
			if err := json.Unmarshal(stdout, &live); err != nil {
				t.Fatalf("kubectl egress trace -o json printed invalid JSON: %v\n%s", err, stdout)
			}
			for _, p := range proxies {
				if !strings.Contains(stderr, "fetching config from "+p+"... ok (") {
					t.Errorf("stderr lacks the progress line of %s:\n%s", p, stderr)
				}
			}
			if !reflect.DeepEqual(live.Verdict, offline.Verdict) {
				t.Errorf("live verdict = %+v\noffline verdict = %+v", live.Verdict, offline.Verdict)
			}
			if live.Inputs.Source != "cluster" || len(live.Inputs.MissingDumps) != 0 {
				t.Errorf("live inputs = %+v, want source cluster and no missing dumps", live.Inputs)
			}
			if !reflect.DeepEqual(live.Hops, offline.Hops) {
				t.Errorf("live hops differ from offline hops:\nlive    %+v\noffline %+v", live.Hops, offline.Hops)
			}
			t.Logf("verdict %s (%s); %d hops, %d findings, live and offline alike", live.Verdict.Kind, live.Verdict.Summary, len(live.Hops), len(live.Findings))

			t.Run("Go-level run stays within the request budget", func(t *testing.T) {
				r, stderr := traceMain(t, target, "--kubeconfig", c.Kubeconfig, "-v", "1")
				m := regexp.MustCompile(`read the cluster with (\d+) API requests, then (\d+) proxy dump`).FindStringSubmatch(stderr)
				if m == nil {
					t.Fatalf("no request summary at -v 1 in stderr:\n%s", stderr)
				}
				n, _ := strconv.Atoi(m[1])
				t.Logf("live load: %s API requests, then %s dumps (1 pod GET + 1 pods/portforward each)", m[1], m[2])
				if n > maxTraceRequests {
					t.Errorf("live load made %d API requests, want at most %d", n, maxTraceRequests)
				}
				if !reflect.DeepEqual(r.Verdict, offline.Verdict) {
					t.Errorf("verdict = %+v, want %+v", r.Verdict, offline.Verdict)
				}
			})
			t.Run("unreachable admin port traces from intent and records the missing dumps", func(t *testing.T) {
				r, stderr := traceMain(t, target, "--kubeconfig", c.Kubeconfig, "--proxy-admin-port", "15999", "--timeout", "5s")
				for _, p := range proxies {
					if !strings.Contains(stderr, "fetching config from "+p+"... failed: ") {
						t.Errorf("stderr lacks the failure warning of %s:\n%s", p, stderr)
					}
				}
				if !reflect.DeepEqual(r.Inputs.MissingDumps, proxies) {
					t.Errorf("missingDumps = %v, want %v", r.Inputs.MissingDumps, proxies)
				}
			})
		})
	}
}

// deployScenario deploys a scenario (testcluster.DeployScenario: its pods bound to the
// fake kubelet's node, each dump served as its pod's Envoy admin) and returns the proxies
// served, as sorted namespace/pod keys.
func deployScenario(t *testing.T, c *testcluster.Cluster, k *testcluster.Kubelet, dir string) []string {
	t.Helper()
	return mesh.SortedKeys(c.DeployScenario(t, k, dir, nil))
}

// adminHandler serves a dump file as a proxy's Envoy admin, with Envoy's /config_dump
// query parameters (mask, name_regex, include_eds), which the live trace narrows with.
func adminHandler(t *testing.T, file string) http.Handler {
	t.Helper()
	dump, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	a, err := envoyadmin.New(dump)
	if err != nil {
		t.Fatalf("serve %s: %v", file, err)
	}
	return a
}

// kubectlEgress runs the real kubectl with the plugin on PATH, keeping stdout and stderr apart.
func kubectlEgress(t *testing.T, c *testcluster.Cluster, pathEnv string, args ...string) ([]byte, string, error) {
	t.Helper()
	kubectl, err := testcluster.Kubectl()
	if err != nil {
		t.Fatal(err)
	}
	return runCommand(pathEnv, kubectl, append(args, "--kubeconfig", c.Kubeconfig)...)
}

// runCommand runs name with pathEnv added to the environment, keeping stdout and stderr apart.
func runCommand(pathEnv, name string, args ...string) ([]byte, string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), pathEnv)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.Bytes(), stderr.String(), err
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// traceMain runs a live trace in-process with plugin.Main and returns the report and stderr.
func traceMain(t *testing.T, target string, extra ...string) (trace.Report, string) {
	t.Helper()
	args := append([]string{"trace", target, "--from", "deploy/sleep", "-n", "default", "-o", "json"}, extra...)
	var r trace.Report
	stderr := runTrace(t, &r, args...)
	return r, stderr
}

func traceOffline(t *testing.T, args ...string) trace.Report {
	t.Helper()
	var r trace.Report
	runTrace(t, &r, args...)
	return r
}

func runTrace(t *testing.T, r *trace.Report, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := plugin.Main(context.Background(), genericiooptions.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}, args)
	if code != plugin.ExitOK && code != plugin.ExitFindings {
		t.Fatalf("kubectl egress %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), r); err != nil {
		t.Fatalf("kubectl egress %s printed invalid JSON: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
	return stderr.String()
}

// demoTarget reads what a scenario traces from hack/demo.sh's SCENARIOS table.
func demoTarget(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(testcluster.RepoRoot(), "hack", "demo.sh"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if target, ok := strings.CutPrefix(sc.Text(), name+"|"); ok {
			return target
		}
	}
	t.Fatalf("scenario %s is not in the SCENARIOS table of hack/demo.sh", name)
	return ""
}
