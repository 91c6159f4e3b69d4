// Command dumpgen generates Envoy config dump fixtures for kubectl-egress with istiod's own
// config generation (istio.io/istio pilot/test/xds fake discovery server) run in-process.
//
// For each scenario it writes, under <out>/<scenario>/:
//
//	README.md                        what the scenario is and the expected verdict
//	manifests/*.yaml                 every input object (kubectl apply-able)
//	dumps/<namespace>/<pod>.json     one Envoy admin /config_dump per proxy
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"istio.io/istio/pkg/log"
	"istio.io/istio/pkg/security"
)

func main() {
	out := flag.String("out", "testdata/scenarios", "output directory (one sub-directory per scenario)")
	tmpl := flag.String("bootstrap-template", "", "path to istio's tools/packaging/common/envoy_bootstrap.json (default: from the istio.io/istio module directory given by -istio-dir)")
	istioDir := flag.String("istio-dir", "", "directory of the istio.io/istio module (go list -m -f {{.Dir}} istio.io/istio)")
	only := flag.String("only", "", "comma-separated scenario names to generate (default: all)")
	list := flag.Bool("list", false, "list scenario names and exit")
	verbose := flag.Bool("v", false, "show istiod's warnings and errors")
	flag.Parse()

	if *list {
		for _, s := range scenarios() {
			fmt.Println(s.Name)
		}
		return
	}
	if *tmpl == "" {
		if *istioDir == "" {
			fatalf("need -bootstrap-template or -istio-dir")
		}
		*tmpl = filepath.Join(*istioDir, "tools/packaging/common/envoy_bootstrap.json")
	}
	if _, err := os.Stat(*tmpl); err != nil {
		fatalf("bootstrap template: %v", err)
	}

	level := log.NoneLevel
	if *verbose {
		level = log.WarnLevel
	}
	quietLogs(level)
	// Test hook from istiod: authenticate plaintext (in-process bufconn) ADS streams so that the
	// per-stream identity is verified and credentialName secrets are served.
	security.AuthPlaintext = true

	certs, err := makeClientCredential()
	if err != nil {
		fatalf("certificates: %v", err)
	}

	want := map[string]bool{}
	for _, n := range strings.Split(*only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	start := time.Now()
	n := 0
	for _, s := range scenarios() {
		if len(want) > 0 && !want[s.Name] {
			continue
		}
		t0 := time.Now()
		files, err := renderScenario(s, certs, *tmpl)
		if err != nil {
			fatalf("scenario %s: %v", s.Name, err)
		}
		dir := filepath.Join(*out, s.Name)
		if err := writeScenario(dir, files); err != nil {
			fatalf("scenario %s: %v", s.Name, err)
		}
		fmt.Printf("%s (%.1fs)\n", s.Name, time.Since(t0).Seconds())
		for _, f := range files {
			fmt.Printf("  %-70s %8d bytes\n", filepath.Join(dir, f.Path), len(f.Data))
		}
		n++
	}
	if len(want) > 0 && n != len(want) {
		fatalf("unknown scenario in -only=%s", *only)
	}
	fmt.Printf("generated %d scenarios in %.1fs\n", n, time.Since(start).Seconds())
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "dumpgen: "+format+"\n", args...)
	os.Exit(1)
}

func quietLogs(level log.Level) {
	o := log.DefaultOptions()
	o.SetDefaultOutputLevel(log.OverrideScopeName, level)
	_ = log.Configure(o)
	for _, s := range log.Scopes() {
		s.SetOutputLevel(level)
	}
}

func istioModuleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "istio.io/istio" {
				return d.Path + " " + d.Version
			}
		}
	}
	return "istio.io/istio (unknown version)"
}

func renderScenario(s scenario, certs *certBundle, tmpl string) ([]generated, error) {
	var files []generated
	add := func(path, data string) { files = append(files, generated{Path: path, Data: []byte(data)}) }

	add("manifests/00-namespaces.yaml", namespacesYAML(extraNamespaces(s)))
	add("manifests/01-mesh-config.yaml", meshConfigYAML(s.Mode))
	add("manifests/10-sleep.yaml", sleepYAML())
	add("manifests/20-istio-egressgateway.yaml", egressGatewayYAML())
	if s.External {
		add("manifests/30-mesh-external.yaml", meshExternalNginxYAML(s.NginxHidden))
	}
	if s.SecretNS != "" {
		comment := "# tls.key is NOT the real key: hack/dumpgen generates the private key in memory at generation\n" +
			"# time and hands it only to the in-process istiod; the manifest carries this placeholder.\n" +
			"# ca.crt/tls.crt are the real (deterministic) certificates that appear in the dumps.\n"
		add("manifests/40-secret-client-credential.yaml", clientCredentialSecretYAML(s.SecretNS, certs, []byte(secretKeyPlaceholder), comment))
	}
	if s.Istio != "" {
		add("manifests/50-istio-config.yaml", s.Istio)
	}
	dumps, err := generateScenario(s, certs, tmpl)
	if err != nil {
		return nil, err
	}
	files = append(files, dumps...)
	add("README.md", readme(s, dumps))
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	for _, f := range files {
		if containsPrivateKey(f.Data) {
			return nil, fmt.Errorf("%s would contain a private key", f.Path)
		}
	}
	return files, nil
}

func writeScenario(dir string, files []generated) error {
	// Start from a clean directory so removed files do not linger.
	for _, sub := range []string{"manifests", "dumps", "README.md"} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			return err
		}
	}
	for _, f := range files {
		p := filepath.Join(dir, f.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func readme(s scenario, dumps []generated) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", s.Name)
	fmt.Fprintf(&b, "Istio docs egress task: %s.\n\n", s.DocTask)
	if s.Broken != "" {
		fmt.Fprintf(&b, "Deliberately broken: %s.\n\n", s.Broken)
	} else {
		b.WriteString("Deliberately broken: nothing (working configuration as in the docs).\n\n")
	}
	fmt.Fprintf(&b, "Expected verdict: %s\n\n", s.Verdict)
	fmt.Fprintf(&b, "outboundTrafficPolicy.mode: %s (manifests/01-mesh-config.yaml).\n\n", s.Mode)
	b.WriteString("Dumps:\n\n")
	for _, d := range dumps {
		fmt.Fprintf(&b, "- `%s`\n", d.Path)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "Generated by hack/dumpgen from %s; do not edit dumps by hand.\n", istioModuleVersion())
	b.WriteString("Regenerate with `make fixtures` (hack/dumpgen/run.sh).\n\n")
	b.WriteString("Notes:\n\n")
	b.WriteString("- Dynamic clusters, listeners, routes and `kubernetes://` SDS secrets are what istiod's own config\n" +
		"  generation pushed over ADS to the proxy; the bootstrap (and the static clusters/listeners taken from it)\n" +
		"  comes from Istio's `pkg/bootstrap` with the module's `envoy_bootstrap.json` template.\n" +
		"  `version_info` and `last_updated` are fixed for determinism.\n")
	b.WriteString("- Not in the dumps (istiod does not produce them): pilot-agent's `default`/`ROOTCA` SDS secrets, EDS,\n" +
		"  endpoint health.\n")
	if s.SecretNS != "" {
		fmt.Fprintf(&b, "- Secret %s/client-credential: CA `example.com` and client certificate `client.example.com`\n"+
			"  (crypto/x509, RSA 2048, valid 2026-01-01..2036-01-01, deterministic). The private key is generated in\n"+
			"  memory at generation time and given only to the in-process istiod; `tls.key` in\n"+
			"  manifests/40-secret-client-credential.yaml holds a placeholder, and the dump's `private_key` is\n"+
			"  redacted like Envoy's admin does (`inline_string: \"[redacted]\"`). The keys are derived from fixed seeds in\n"+
			"  hack/dumpgen/certs.go (test-only keys, reproducible by design so the dumps are deterministic).\n", s.SecretNS)
	}
	if s.WarmingSecret {
		b.WriteString("- Post-generation edit (made by the generator, not by hand): istiod sends nothing for the missing\n" +
			"  secret, and the fake server cannot show Envoy's warming state, so the generator lists the missing\n" +
			"  `kubernetes://` secrets under `dynamic_warming_secrets` (version_info \"uninitialized\") and moves the\n" +
			"  clusters that need them from `dynamic_active_clusters` to `dynamic_warming_clusters`, as Envoy reports\n" +
			"  a cluster whose SDS secret has not arrived.\n")
	}
	if s.Notes != "" {
		fmt.Fprintf(&b, "- %s\n", s.Notes)
	}
	if !s.WarmingSecret {
		b.WriteString("- Post-generation edits: none.\n")
	}
	return b.String()
}
