package plugin

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// bundle collects what a live trace read, to write it as a support bundle: a .tar.gz in
// the scenario layout (manifests/*.yaml, dumps/<namespace>/<pod>.json, README.md) that
// `kubectl egress trace -f BUNDLE` replays offline. Objects are redacted when recorded
// (mesh.Redact), so key material and secret values are never held here.
type bundle struct {
	command string
	objects map[string]map[string]runtime.Object // kind -> namespace/name -> object
	dumps   map[string][]byte                    // namespace/pod -> raw /config_dump
}

func newBundle(command string) *bundle {
	return &bundle{command: command, objects: map[string]map[string]runtime.Object{}, dumps: map[string][]byte{}}
}

// record keeps a redacted copy of obj (mesh.Redact: an allowlist of the fields the
// trace reads, per kind); objects of a kind mesh.Redact does not keep are not recorded.
func (b *bundle) record(obj runtime.Object) {
	obj = mesh.Redact(obj)
	if obj == nil {
		return
	}
	acc, err := meta.Accessor(obj)
	if err != nil {
		return
	}
	kind := obj.GetObjectKind().GroupVersionKind().Kind
	if b.objects[kind] == nil {
		b.objects[kind] = map[string]runtime.Object{}
	}
	b.objects[kind][mesh.Key(acc.GetNamespace(), acc.GetName())] = obj
}

// recordDump keeps a proxy's dump, its bootstrap node metadata reduced (redactDump). Envoy
// redacts private keys in /config_dump; write refuses a bundle that would still hold one.
// A dump that cannot be reduced is not kept.
func (b *bundle) recordDump(key string, data []byte) {
	if red, err := redactDump(data); err == nil {
		b.dumps[key] = red
	}
}

// write writes the bundle to file as a gzip-compressed tar.
func (b *bundle) write(file string) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range b.entries() {
		if bytes.Contains(e.data, []byte("PRIVATE KEY")) {
			return fmt.Errorf("write bundle %s: %s holds a private key; refusing to write it", file, e.name)
		}
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("write bundle %s: %w", file, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return fmt.Errorf("write bundle %s: %w", file, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("write bundle %s: %w", file, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write bundle %s: %w", file, err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write bundle %s: %w", file, unwrapPath(err))
	}
	return nil
}

type bundleEntry struct {
	name string
	data []byte
}

// entries lists the bundle's files in a stable order: README, manifests, dumps.
func (b *bundle) entries() []bundleEntry {
	out := []bundleEntry{{"README.md", []byte(b.readme())}}
	kinds := make([]string, 0, len(b.objects))
	for k := range b.objects {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		return kindRank(kinds[i]) < kindRank(kinds[j]) || kindRank(kinds[i]) == kindRank(kinds[j]) && kinds[i] < kinds[j]
	})
	for i, kind := range kinds {
		var docs []string
		for _, key := range mesh.SortedKeys(b.objects[kind]) {
			y, err := yaml.Marshal(b.objects[kind][key])
			if err == nil {
				docs = append(docs, string(y))
			}
		}
		name := fmt.Sprintf("manifests/%02d-%s.yaml", i, strings.ToLower(kind))
		out = append(out, bundleEntry{name, []byte(strings.Join(docs, "---\n"))})
	}
	for _, key := range mesh.SortedKeys(b.dumps) {
		out = append(out, bundleEntry{path.Join("dumps", key+".json"), b.dumps[key]})
	}
	return out
}

// kindRank puts namespaces first, as kubectl apply needs them first.
func kindRank(kind string) int {
	if kind == "Namespace" {
		return 0
	}
	return 1
}

func (b *bundle) readme() string {
	return "# kubectl egress support bundle\n\n" +
		"Written by:\n\n    " + b.command + "\n\n" +
		"It holds every object and Envoy config dump that trace read, in the scenario layout:\n" +
		"`manifests/*.yaml` and `dumps/<namespace>/<pod>.json`. Objects keep only the fields the\n" +
		"trace reads; everything else was dropped before it was written:\n\n" + bundleDropped + "\n" +
		"Replay it offline, with no cluster, to the same answer:\n\n" +
		"    kubectl egress trace -f THIS.tar.gz ...same target, --from and -n...\n"
}

// bundleDropped says, per kind, what mesh.Redact left out of the bundle.
const bundleDropped = `- Every object: all annotations but the sidecar injection and traffic capture ones
  (sidecar.istio.io/status, traffic.sidecar.istio.io/*) and networking.istio.io/exportTo
  (kubectl's last-applied-configuration copies the whole object), managed fields, UIDs
  and resource versions.
- Secrets: every data value is replaced by "` + mesh.RedactedPrefix + ` N bytes removed by kubectl egress",
  except the X.509 certificates it holds, re-encoded from their parsed DER; private keys,
  passwords, tokens and anything under a CERTIFICATE label that is not a certificate are gone.
  stringData is merged into data first.
- Pods, and the pod templates of Deployments and ReplicaSets: env values and valueFrom (the
  variable names are kept), commands, args, volumes, security contexts, resources, probes;
  status messages. Kept: labels, service account, node, containers' names, images, ports.
- ConfigMaps: every key but ` + "`mesh`" + ` of ConfigMap istio, which keeps only
  outboundTrafficPolicy.mode, rootNamespace, trustDomain, defaultConfig.holdApplicationUntilProxyStarts
  and the ISTIO_META_DNS_* proxyMetadata.
- Services: everything but type, cluster IPs, external name, selector and ports.
- VirtualServices: header values set or added, header and query match values, direct
  response bodies (replaced by "` + mesh.RedactedPrefix + `").
- Kinds the trace does not read are not recorded.
- Envoy config dumps: the bootstrap node metadata but ISTIO_VERSION, CLUSTER_ID, DNS_CAPTURE,
  ISTIO_META_DNS_CAPTURE, LABELS, NAMESPACE and NAME (the rest holds the pod's annotations
  and ISTIO_META_* env values). The rest of each dump is as the proxy served it; Envoy itself
  redacts private keys and other sensitive fields in /config_dump.
`

// commandLine renders the command as run, flags in their canonical --name=value form,
// leaving out the kubeconfig (a local path, maybe with credentials nearby).
func commandLine(cmd *cobra.Command, args []string) string {
	parts := append([]string{cmd.CommandPath()}, args...)
	cmd.Flags().Visit(func(f *pflag.Flag) {
		switch f.Name {
		case "kubeconfig", "token", "username", "password":
			return
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				parts = append(parts, "--"+f.Name+"="+v)
			}
			return
		}
		parts = append(parts, "--"+f.Name+"="+f.Value.String())
	})
	return strings.Join(parts, " ")
}
