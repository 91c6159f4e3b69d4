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
)

// maxBundleBytes bounds what a bundle may extract to, against decompression bombs.
const maxBundleBytes = 4 << 30

// isBundle reports whether -f names a support bundle (a .tar.gz or .tgz file).
func isBundle(p string) bool {
	return (strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz")) && !isDir(p)
}

// extractBundle unpacks a support bundle into a new temporary directory, which the
// caller removes. Only regular files under relative, clean paths are extracted.
func extractBundle(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", &InputError{Err: fmt.Errorf("read bundle %s: %w", file, unwrapPath(err))}
	}
	defer f.Close()
	dir, err := os.MkdirTemp("", "kubectl-egress-bundle-")
	if err != nil {
		return "", fmt.Errorf("read bundle %s: %w", file, err)
	}
	if err := untar(f, dir); err != nil {
		_ = os.RemoveAll(dir)
		return "", &InputError{Err: fmt.Errorf("read bundle %s: %w", file, err)}
	}
	return dir, nil
}

func untar(r io.Reader, dir string) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("not a .tar.gz: %w", err)
	}
	tr := tar.NewReader(zr)
	var total int64
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
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
		if total += hdr.Size; total > maxBundleBytes {
			return fmt.Errorf("more than %d bytes uncompressed", int64(maxBundleBytes))
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
