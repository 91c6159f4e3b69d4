package plugin

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// bundleLimits bound what a bundle may extract to, against decompression bombs: each
// entry's and the whole uncompressed size (--max-input-size) and the number of entries.
type bundleLimits struct {
	entry, total int64
	entries      int
}

// maxBundleEntries is far more than a bundle holds (a few manifests and one dump a proxy).
const maxBundleEntries = 10000

func (l inputLimits) bundle() bundleLimits {
	return bundleLimits{entry: int64(l.Dump), total: int64(l.Dump), entries: maxBundleEntries}
}

func (b bundleLimits) tooLarge() error {
	return &mesh.TooLargeError{Limit: b.total, Flag: dumpSizeFlag}
}

// isBundle reports whether -f names a support bundle (a .tar.gz or .tgz file).
func isBundle(p string) bool {
	return (strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz")) && !isDir(p)
}

// extractBundle unpacks a support bundle into a new temporary directory, which the
// caller removes. Only regular files under relative, clean paths are extracted.
func extractBundle(file string, lim bundleLimits) (string, error) {
	f, _, err := mesh.OpenRegular(file)
	if err != nil {
		return "", &InputError{Err: fmt.Errorf("read bundle %s: %w", file, unwrapPath(err))}
	}
	defer f.Close()
	dir, err := os.MkdirTemp("", "kubectl-egress-bundle-")
	if err != nil {
		return "", fmt.Errorf("read bundle %s: %w", file, err)
	}
	if err := untarLimited(f, dir, lim); err != nil {
		_ = os.RemoveAll(dir)
		return "", &InputError{Err: fmt.Errorf("read bundle %s: %w", file, err)}
	}
	return dir, nil
}

// untar extracts r into dir under the default limits.
func untar(r io.Reader, dir string) error { return untarLimited(r, dir, defaultLimits().bundle()) }

func untarLimited(r io.Reader, dir string, lim bundleLimits) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("not a .tar.gz: %w", err)
	}
	tr := tar.NewReader(zr)
	var total int64
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if n >= lim.entries {
			return fmt.Errorf("more than %d entries; a support bundle holds far fewer", lim.entries)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		if isSparse(hdr) {
			return fmt.Errorf("entry %s is a sparse file (a few bytes that read as %d); a support bundle holds plain files only", hdr.Name, hdr.Size)
		}
		name := path.Clean(hdr.Name)
		if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("entry %q leaves the bundle", hdr.Name)
		}
		if hdr.Size > lim.entry {
			return fmt.Errorf("entry %s: %w", hdr.Name, &mesh.TooLargeError{Limit: lim.entry, Flag: dumpSizeFlag})
		}
		if total += hdr.Size; total > lim.total {
			return fmt.Errorf("uncompressed content %w", lim.tooLarge())
		}
		if err := writeEntry(filepath.Join(dir, filepath.FromSlash(name)), tr, hdr.Size); err != nil {
			return fmt.Errorf("entry %s: %w", hdr.Name, err)
		}
	}
}

// isSparse reports a PAX sparse file (GNU.sparse.* records on a regular entry): its holes
// read as zeros that are not in the archive, so a few KiB would write gigabytes.
func isSparse(hdr *tar.Header) bool {
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

func writeEntry(dst string, r io.Reader, size int64) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(out, r, size); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
