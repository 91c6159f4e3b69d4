package mesh

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// InputError is an unreadable or invalid input file; the CLI maps it to exit code 65.
type InputError struct {
	Path string
	// Document is the 1-based index of the YAML document in the file, 0 for the whole file.
	Document int
	Err      error
}

func (e *InputError) Error() string {
	if e.Document == 0 {
		return fmt.Sprintf("load %s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("load %s: document %d: %v", e.Path, e.Document, e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }

// LoadFiles reads manifests like `kubectl apply -f`: each path is a file or a directory
// searched recursively for *.yaml, *.yml and *.json. Files may hold several YAML documents
// and List objects. The mesh config is read from DefaultIstioNamespace.
func LoadFiles(paths []string) (*Snapshot, error) {
	s := NewSnapshot(DefaultIstioNamespace)
	if err := s.LoadFiles(paths); err != nil {
		return nil, err
	}
	return s, nil
}

// LoadFiles adds the objects in paths to s (see the package-level LoadFiles), each file
// capped at DefaultMaxManifestBytes. All errors are *InputError.
func (s *Snapshot) LoadFiles(paths []string) error {
	return s.LoadManifests(Manifests{Paths: paths})
}

// Manifests is what LoadManifests reads.
type Manifests struct {
	// Paths are files or directories, as for LoadFiles; "-" is Stdin.
	Paths []string
	// Stdin is read, in memory and once, for the path "-".
	Stdin io.Reader
	// MaxBytes caps each file and standard input (0: DefaultMaxManifestBytes); Flag is the
	// flag that raises it, for the error (default "--max-manifest-size").
	MaxBytes int64
	Flag     string
	// Certs, when not nil, receives the certificates of every Secret read (see
	// ReadSecretCerts), so a check needing both reads the files once.
	Certs map[string]SecretCerts
	// Namespace is where namespaced objects without metadata.namespace go, as with
	// `kubectl apply -n NAMESPACE -f`; "" is "default".
	Namespace string
}

func (m *Manifests) tooLarge() *TooLargeError {
	t := &TooLargeError{Limit: m.MaxBytes, Flag: m.Flag}
	if t.Limit <= 0 {
		t.Limit = DefaultMaxManifestBytes
	}
	if t.Flag == "" {
		t.Flag = "--max-manifest-size"
	}
	return t
}

// StdinName is how errors and origins name standard input (-f -).
const StdinName = "standard input (-f -)"

// LoadManifests adds the objects of m to s: every file is streamed document by document
// under m's cap, so memory follows the largest document and the objects kept, not the
// file. All errors are *InputError.
func (s *Snapshot) LoadManifests(m Manifests) error {
	for _, p := range m.Paths {
		if p == "-" {
			if m.Stdin == nil {
				return &InputError{Path: StdinName, Err: errors.New("no standard input")}
			}
			if err := s.loadStdin(&m); err != nil {
				return err
			}
			continue
		}
		files, err := manifestFiles(p)
		if err != nil {
			return &InputError{Path: p, Err: err}
		}
		for _, f := range files {
			if err := s.loadFile(f, &m); err != nil {
				return err
			}
		}
	}
	return nil
}

// manifestFiles expands a path into the manifest files it names, in lexical order.
func manifestFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && isManifest(p) {
			files = append(files, p)
		}
		return nil
	})
	return files, err
}

func isManifest(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// unwrapPathError drops the "stat PATH:" prefix since InputError names the path.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// loadFile reads one regular file document by document.
func (s *Snapshot) loadFile(path string, m *Manifests) error {
	f, size, err := OpenRegular(path)
	if err != nil {
		return &InputError{Path: path, Err: unwrapPathError(err)}
	}
	defer f.Close()
	if tl := m.tooLarge(); size > tl.Limit {
		return &InputError{Path: path, Err: tl}
	}
	return s.loadStream(path, f, size, m)
}

// loadStdin reads standard input in memory, once, under m's cap, then loads it.
func (s *Snapshot) loadStdin(m *Manifests) error {
	r, size, err := readChunks(m.Stdin, m.tooLarge())
	if err != nil {
		return &InputError{Path: StdinName, Err: err}
	}
	return s.loadStream(StdinName, r, size, m)
}

// loadStream reads r (named name, of about size bytes) document by document, failing
// past m's cap.
func (s *Snapshot) loadStream(name string, r io.Reader, size int64, m *Manifests) error {
	tl := m.tooLarge()
	yr := newDocReader(&CapReader{R: r, N: tl.Limit, Err: tl}, min(size, tl.Limit))
	for doc := 1; ; doc++ {
		chunk, err := yr.Read()
		var tooLarge *TooLargeError
		switch {
		case err == io.EOF:
			return nil
		case errors.As(err, &tooLarge):
			return &InputError{Path: name, Err: err}
		case err != nil:
			return &InputError{Path: name, Document: doc, Err: err}
		}
		if err := s.loadDocument(chunk, fmt.Sprintf("%s document %d", name, doc), m.Namespace, m.Certs); err != nil {
			return &InputError{Path: name, Document: doc, Err: err}
		}
	}
}

// loadDocument decodes one YAML or JSON document and adds its objects.
// Namespaced objects without metadata.namespace go to ns ("" is "default"). With certs not
// nil, it records there the certificates of the Secrets among them.
func (s *Snapshot) loadDocument(chunk []byte, origin, ns string, certs map[string]SecretCerts) error {
	js, err := yaml.YAMLToJSON(chunk)
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))
	}
	if t := bytes.TrimSpace(js); len(t) == 0 || string(t) == "null" {
		return nil
	}
	var out decoded
	if err := decodeJSON(js, ns, &out); err != nil {
		return err
	}
	for _, sk := range out.skips {
		sk.Source = origin
		s.Skipped = append(s.Skipped, sk)
	}
	for _, obj := range out.objects {
		if sec, ok := obj.(*corev1.Secret); ok && certs != nil {
			certs[Key(sec.Namespace, sec.Name)] = CertsOf(sec)
		}
		if err := s.Add(obj, origin); err != nil {
			return err
		}
	}
	return nil
}
