// Command krewmanifest renders .krew.yaml the way krew-release-bot does, for archives that
// are on disk rather than on a GitHub release: each {{addURIAndSha URL .TagName}} becomes
// the URL plus the sha256 of the file in -dist with the URL's base name.
//
//	go run ./hack/krewmanifest -dist dist -o dist/egress.yaml
//
// -download-url replaces everything before the archive name in each URL (a local server
// in tests and `make validate-krew-manifest`); -skip-missing drops the platforms whose
// archive was not built (PLATFORMS= limited `hack/dist.sh` runs).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"sigs.k8s.io/yaml"
)

type options struct {
	template, dist, out, tag, downloadURL string
	skipMissing                           bool
}

func main() {
	var o options
	flag.StringVar(&o.template, "template", ".krew.yaml", "krew-release-bot template")
	flag.StringVar(&o.dist, "dist", "dist", "directory holding the archives (and the file `tag` from hack/dist.sh)")
	flag.StringVar(&o.out, "o", "", "output file (default: stdout)")
	flag.StringVar(&o.tag, "tag", "", "release tag (default: the content of DIST/tag)")
	flag.StringVar(&o.downloadURL, "download-url", "", "serve the archives from this base URL instead of the release's")
	flag.BoolVar(&o.skipMissing, "skip-missing", false, "drop platforms whose archive is not in -dist")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "krewmanifest: %v\n", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.tag == "" {
		b, err := os.ReadFile(filepath.Join(o.dist, "tag"))
		if err != nil {
			return fmt.Errorf("read the release tag: %w; run hack/dist.sh (make dist) first or pass -tag", err)
		}
		o.tag = strings.TrimSpace(string(b))
	}
	out, err := render(o)
	if err != nil {
		return err
	}
	if o.out == "" {
		_, err = os.Stdout.Write(out)
		return err
	}
	return os.WriteFile(o.out, out, 0o644)
}

// render executes the template; missing archives fail unless o.skipMissing.
func render(o options) ([]byte, error) {
	var missing []string
	addURIAndSha := func(url, tag string) (string, error) {
		var u bytes.Buffer
		if err := template.Must(template.New("url").Parse(url)).Execute(&u, struct{ TagName string }{tag}); err != nil {
			return "", err
		}
		uri := u.String()
		if o.downloadURL != "" {
			uri = strings.TrimSuffix(o.downloadURL, "/") + "/" + path.Base(uri)
		}
		sum, err := sha256File(filepath.Join(o.dist, path.Base(uri)))
		if errors.Is(err, fs.ErrNotExist) && o.skipMissing {
			missing = append(missing, uri)
			sum = strings.Repeat("0", 64)
		} else if err != nil {
			return "", fmt.Errorf("archive for %s: %w; build it with hack/dist.sh", uri, err)
		}
		return fmt.Sprintf("uri: %s\n    sha256: %s", uri, sum), nil
	}
	t, err := template.New(filepath.Base(o.template)).Funcs(template.FuncMap{"addURIAndSha": addURIAndSha}).ParseFiles(o.template)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := t.Execute(&out, struct{ TagName string }{o.tag}); err != nil {
		return nil, err
	}
	if len(missing) == 0 {
		return out.Bytes(), nil
	}
	return dropPlatforms(out.Bytes(), missing)
}

// dropPlatforms removes the spec.platforms entries whose uri is in uris.
func dropPlatforms(manifest []byte, uris []string) ([]byte, error) {
	var m map[string]any
	if err := yaml.Unmarshal(manifest, &m); err != nil {
		return nil, fmt.Errorf("parse rendered manifest: %w", err)
	}
	spec, _ := m["spec"].(map[string]any)
	platforms, _ := spec["platforms"].([]any)
	var kept []any
	for _, p := range platforms {
		uri, _ := p.(map[string]any)["uri"].(string)
		if !slices.Contains(uris, uri) {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("no archive of any platform found; run hack/dist.sh first")
	}
	spec["platforms"] = kept
	return yaml.Marshal(m)
}

func sha256File(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
