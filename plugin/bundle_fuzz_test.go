package plugin

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FuzzReadBundle writes each input as a .tar.gz and reads it as a support bundle: the
// reader returns a directory of regular files inside it, or an *InputError, and never
// panics or writes elsewhere. The seed corpus is in testdata/fuzz/FuzzReadBundle.
func FuzzReadBundle(f *testing.F) {
	for _, seed := range bundleSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		base := t.TempDir()
		file := filepath.Join(base, "in.tar.gz")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		dir, err := extractBundle(file, defaultLimits().bundle())
		var ie *InputError
		if err != nil {
			if dir != "" || !errors.As(err, &ie) {
				t.Fatalf("extractBundle = %q, %T %v; want \"\" and an *InputError", dir, err, err)
			}
			return
		}
		defer os.RemoveAll(dir)
		checkExtracted(t, dir)
	})
}

// checkExtracted fails unless dir holds only directories and regular files within the
// size bound.
func checkExtracted(t *testing.T, dir string) {
	t.Helper()
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			t.Errorf("extracted %s has mode %v, want a regular file", p, d.Type())
		}
		if info, err := d.Info(); err == nil && d.Type().IsRegular() {
			total += info.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if maxBytes := defaultLimits().bundle().total; total > maxBytes {
		t.Errorf("extracted %d bytes, more than the bound %d", total, maxBytes)
	}
}

// bundleSeeds: a bundle as --bundle writes it, and tarballs that try to leave the
// directory, link, repeat names or stop early.
func bundleSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	b := newBundle("kubectl egress trace example.com --from deploy/sleep")
	b.record(&corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: metav1.ObjectMeta{Name: "sleep", Namespace: "default"}})
	b.recordDump("default/sleep", []byte(`{"configs":[]}`))
	file := filepath.Join(tb.TempDir(), "b.tar.gz")
	if err := b.write(file); err != nil {
		tb.Fatal(err)
	}
	valid, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	reg := func(name, body string) *tar.Header {
		return &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}
	}
	return [][]byte{
		valid,
		valid[:len(valid)/2],
		tarGz(tb, reg("../escape", "x")),
		tarGz(tb, reg("/etc/escape", "x")),
		tarGz(tb, &tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}, reg("link", "x")),
		tarGz(tb, &tar.Header{Name: "hard", Typeflag: tar.TypeLink, Linkname: "README.md"}),
		tarGz(tb, reg("a", "x"), reg("a/b", "y")),
		tarGz(tb, reg("dup", "x"), reg("dup", "y")),
		tarGz(tb, reg(".", "x")),
		tarGz(tb, &tar.Header{Name: "dir/", Typeflag: tar.TypeDir, Mode: 0o755}, reg("dir/f", "x")),
		{},
		sparseTarGz(tb, 1<<30),
	}
}

// tarGz builds a .tar.gz of headers; regular entries get Size bytes of "x".
func tarGz(tb testing.TB, hdrs ...*tar.Header) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, h := range hdrs {
		if err := tw.WriteHeader(h); err != nil {
			tb.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			_, _ = tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
		}
	}
	_ = tw.Close()
	_ = zw.Close()
	return buf.Bytes()
}

// sparseTarGz is a .tar.gz of one PAX sparse file (format 1.0) of size bytes, all hole but
// its last byte: a few KiB that tar.Reader reads as size bytes. FuzzReadBundle found it
// (executions that stalled for seconds each, writing up to maxBundleBytes of zeros).
func sparseTarGz(tb testing.TB, size int64) []byte {
	tb.Helper()
	rec := func(k, v string) string { // "LEN key=value\n", LEN counting itself
		s := " " + k + "=" + v + "\n"
		n := len(s)
		for len(fmt.Sprint(n))+len(s) != n {
			n = len(fmt.Sprint(n)) + len(s)
		}
		return fmt.Sprint(n) + s
	}
	recs := rec("GNU.sparse.major", "1") + rec("GNU.sparse.minor", "0") + rec("GNU.sparse.name", "manifests/zero.yaml") + rec("GNU.sparse.realsize", fmt.Sprint(size))
	data := make([]byte, 513) // the sparse map, padded to a block, then the one data byte
	copy(data, fmt.Sprintf("1\n%d\n1\n", size-1))
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "pax", Size: int64(len(recs)), Format: tar.FormatUSTAR})
	_, _ = tw.Write([]byte(recs))
	_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "manifests/zero.yaml", Size: int64(len(data)), Format: tar.FormatUSTAR})
	_, _ = tw.Write(data)
	_ = tw.Close()
	raw := buf.Bytes()
	raw[156] = tar.TypeXHeader // the Writer will not write GNU.sparse records itself
	copy(raw[148:156], "        ")
	var sum int
	for _, c := range raw[:512] {
		sum += int(c)
	}
	copy(raw[148:156], fmt.Sprintf("%06o\x00 ", sum))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	return gz.Bytes()
}

// TestReadBundleRefusesSparse: a 1 GiB sparse entry is an error naming it, at once.
func TestReadBundleRefusesSparse(t *testing.T) {
	data := sparseTarGz(t, 1<<30)
	file := filepath.Join(t.TempDir(), "sparse.tar.gz")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	dir, err := extractBundle(file, defaultLimits().bundle())
	if err == nil {
		_ = os.RemoveAll(dir)
	}
	want := "entry manifests/zero.yaml is a sparse file"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("extractBundle(%d-byte sparse bundle) = %v, want an error containing %q", len(data), err, want)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("extractBundle took %v, want it to stop at the header", d)
	}
}
