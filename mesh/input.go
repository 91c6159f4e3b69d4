package mesh

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Input size caps: every file the tool reads offline is a regular file (or standard
// input) of at most a cap, so /dev/zero, a FIFO or a decompression bomb end in a one-line
// error instead of unbounded memory or a hang.
const (
	// DefaultMaxManifestBytes caps each manifest file and standard input (-f -):
	// `kubectl get ... -A -o yaml` of a large cluster is well under it.
	DefaultMaxManifestBytes = 256 << 20
	// DefaultMaxDumpBytes caps each Envoy config dump (a file, a bundle entry, an admin
	// answer) and a bundle's whole uncompressed content.
	DefaultMaxDumpBytes = 1 << 30
)

// TooLargeError is an input larger than its cap; Flag is the flag that raises the cap.
// The message leaves naming the input to the error wrapping it.
type TooLargeError struct {
	Limit int64
	Flag  string
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("larger than %s (%s); raise %s if the input is right", FormatSize(e.Limit), e.Flag, e.Flag)
}

// FormatSize writes n bytes as a Kubernetes quantity ("256Mi"), as the size flags take it.
func FormatSize(n int64) string {
	return resource.NewQuantity(n, resource.BinarySI).String()
}

// NotRegularError is a path that names (or links to) something other than a regular file.
// The message leaves naming the path to the error wrapping it.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("not a regular file (%s); only regular files are read, or - for standard input", modeWord(e.Mode))
}

func modeWord(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	}
	return "mode " + m.String()
}

// OpenRegular opens path for reading when it is, or links to, a regular file. The type is
// checked before opening (opening a FIFO would block) and again on the open file.
func OpenRegular(path string) (*os.File, int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
		_ = f.Close()
		if err == nil {
			err = &NotRegularError{Path: path, Mode: fi.Mode()}
		}
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// ReadCapped reads the regular file path whole, refusing one larger than limit (never
// reading more than limit+1 bytes of it) with a *TooLargeError naming flag.
func ReadCapped(path string, limit int64, flag string) ([]byte, error) {
	f, size, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tooLarge := &TooLargeError{Limit: limit, Flag: flag}
	if size > limit {
		return nil, tooLarge
	}
	return ReadAllCapped(f, size, tooLarge)
}

// ReadAllCapped reads r to its end, expecting about size bytes; past tooLarge.Limit bytes
// it stops with tooLarge.
func ReadAllCapped(r io.Reader, size int64, tooLarge *TooLargeError) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(min(max(size, 0), tooLarge.Limit)) + bytes.MinRead)
	if _, err := buf.ReadFrom(&CapReader{R: r, N: tooLarge.Limit, Err: tooLarge}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CapReader reads R and fails with Err once more than N bytes were read (where
// io.LimitReader would end silently, and a cut manifest could still parse).
type CapReader struct {
	R   io.Reader
	N   int64 // bytes left
	Err *TooLargeError
}

func (c *CapReader) Read(p []byte) (int, error) {
	if c.N < 0 {
		return 0, c.Err
	}
	if int64(len(p)) > c.N+1 {
		p = p[:c.N+1]
	}
	n, err := c.R.Read(p)
	if c.N -= int64(n); c.N < 0 {
		return 0, c.Err
	}
	return n, err
}
