package plugin

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// loadFiles builds the trace input from -f and --dump only: no kubeconfig, no client.
func (o *TraceOptions) loadFiles() (*loaded, error) {
	manifests, dumpFiles, tmp, err := scenarioInputs(o.Filenames, o.Limits)
	defer removeAll(tmp)
	if err != nil {
		return nil, err
	}
	explicit, err := parseDumpFlags(o.Dumps)
	if err != nil {
		return nil, err
	}
	for k, f := range explicit {
		dumpFiles[k] = f
	}
	snap := mesh.NewSnapshot(o.IstioNamespace)
	m := o.Limits.manifests(manifests, o.In)
	m.Namespace = o.Namespace // as kubectl apply -n: manifests without a namespace go there
	if err := snap.LoadManifests(m); err != nil {
		return nil, &InputError{Err: err}
	}
	if snap.Objects() == 0 && len(snap.Skipped) == 0 {
		return nil, &InputError{Err: fmt.Errorf("load %s: no Kubernetes objects found; -f needs the pods and Istio config to trace", strings.Join(o.Filenames, ", "))}
	}
	warnSkipped(o.ErrOut, snap.Skipped)
	pods, err := snap.ResolveWorkload(o.Namespace, o.From)
	if err != nil {
		err = fmt.Errorf("%w in the files given with -f %s", err, strings.Join(o.Filenames, ","))
	}
	hasDump := func(p *corev1.Pod) bool { return dumpFiles[mesh.Key(p.Namespace, p.Name)] != "" }
	client, choice, err := o.pickClient(pods, err, hasDump)
	if err != nil {
		return nil, err
	}
	l := &loaded{Input: o.newInput(snap, client, "files"), choice: choice}
	for _, key := range mesh.SortedKeys(dumpFiles) {
		if l.Input.Dumps[key], err = o.Limits.readDumpFile(key, dumpFiles[key], o.dumpFilter()); err != nil {
			return nil, err
		}
		o.warnUnknownTypes(key, l.Input.Dumps[key])
	}
	for _, p := range proxiesNeeded(snap, o.Target.Host, o.Target.Port, l.Input.Client) {
		if l.Input.Dumps[p] == nil {
			o.progressf("warning: no dump for proxy %s (give --dump %s=FILE); tracing it from Istio config only\n", p, p)
			l.missingDumps = append(l.missingDumps, p)
		}
	}
	return l, nil
}

// scenarioInputs expands -f: a directory holding manifests/ is a scenario, whose
// dumps/<namespace>/<pod>.json are the dumps; a .tar.gz support bundle is extracted (under
// lim) to a temporary directory (returned in tmp, for the caller to remove) and read as a
// scenario; "-" stays "-", manifests that mesh.LoadManifests reads from standard input in
// memory (never into a file); anything else is manifests as for kubectl -f.
func scenarioInputs(paths []string, lim inputLimits) (manifests []string, dumps map[string]string, tmp []string, err error) {
	dumps = map[string]string{}
	for _, p := range paths {
		if p == "-" {
			manifests = append(manifests, p)
			continue
		}
		if isBundle(p) {
			if p, err = extractBundle(p, lim.bundle()); err != nil {
				return nil, nil, tmp, err
			}
			tmp = append(tmp, p)
		}
		if !isDir(filepath.Join(p, "manifests")) {
			manifests = append(manifests, p)
			continue
		}
		manifests = append(manifests, filepath.Join(p, "manifests"))
		found, err := scenarioDumps(filepath.Join(p, "dumps"))
		if err != nil {
			return nil, nil, tmp, err
		}
		for k, f := range found {
			dumps[k] = f
		}
	}
	return manifests, dumps, tmp, nil
}

func removeAll(dirs []string) {
	for _, d := range dirs {
		_ = os.RemoveAll(d)
	}
}

// warnUnknownTypes says which configs sections of a dump were skipped because their
// @type is unknown (the trace runs without them); at -v 1, also the nested resources of
// unknown types (Istio's own extensions, typically), which are kept undecoded.
func (o *TraceOptions) warnUnknownTypes(key string, d *envoy.Dump) {
	var sections, nested []string
	for _, tc := range d.UnknownTypes {
		desc := fmt.Sprintf("%s (%d)", tc.TypeURL, tc.Count)
		if slices.Contains(d.Sections, tc.TypeURL) {
			sections = append(sections, desc)
		} else {
			nested = append(nested, desc)
		}
	}
	if len(sections) > 0 {
		o.progressf("warning: dump %s has configs sections of unknown types, skipped: %s\n", key, strings.Join(sections, ", "))
	}
	if len(nested) > 0 && klog.V(1).Enabled() {
		o.progressf("dump %s has resources of unknown types, not decoded: %s\n", key, strings.Join(nested, ", "))
	}
}

// scenarioDumps finds DIR/<namespace>/<pod>.json; a missing DIR holds none.
func scenarioDumps(dir string) (map[string]string, error) {
	out := map[string]string{}
	nsDirs, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("read dumps directory %s: %w", dir, unwrapPath(err))}
	}
	for _, ns := range nsDirs {
		if !ns.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, ns.Name()))
		if err != nil {
			return nil, &InputError{Err: fmt.Errorf("read dumps directory %s: %w", filepath.Join(dir, ns.Name()), unwrapPath(err))}
		}
		for _, f := range files {
			if pod, ok := strings.CutSuffix(f.Name(), ".json"); ok && !f.IsDir() {
				out[mesh.Key(ns.Name(), pod)] = filepath.Join(dir, ns.Name(), f.Name())
			}
		}
	}
	return out, nil
}

// parseDumpFlags parses --dump NAMESPACE/POD=FILE values.
func parseDumpFlags(values []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range values {
		key, file, ok := strings.Cut(v, "=")
		if !ok || !dumpKey(key) || file == "" {
			return nil, usageErrorf("--dump must be NAMESPACE/POD=FILE, got %q", v)
		}
		out[key] = file
	}
	return out, nil
}

// readDumpFile reads (a regular file, under the dump cap) and parses one dump file;
// failures are InputErrors naming pod and file.
func (l inputLimits) readDumpFile(key, file string, filter envoy.Filter) (*envoy.Dump, error) {
	data, err := l.readDump(file)
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("read dump %s from %s: %w", key, file, unwrapPath(err))}
	}
	return parseDumpBytes(key, file, data, filter)
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// unwrapPath drops the "open PATH:" prefix of fs errors when the message names the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
