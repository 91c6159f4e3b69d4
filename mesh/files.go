package mesh

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
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

// LoadFiles adds the objects in paths to s (see the package-level LoadFiles).
// All errors are *InputError.
func (s *Snapshot) LoadFiles(paths []string) error {
	for _, p := range paths {
		files, err := manifestFiles(p)
		if err != nil {
			return &InputError{Path: p, Err: err}
		}
		for _, f := range files {
			if err := s.loadFile(f); err != nil {
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

// loadFile reads one file document by document.
func (s *Snapshot) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &InputError{Path: path, Err: unwrapPathError(err)}
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for doc := 1; ; doc++ {
		chunk, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &InputError{Path: path, Document: doc, Err: err}
		}
		if err := s.loadDocument(chunk, fmt.Sprintf("%s document %d", path, doc)); err != nil {
			return &InputError{Path: path, Document: doc, Err: err}
		}
	}
}

// loadDocument decodes one YAML or JSON document and adds its objects.
func (s *Snapshot) loadDocument(chunk []byte, origin string) error {
	js, err := yaml.YAMLToJSON(chunk)
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))
	}
	if t := bytes.TrimSpace(js); len(t) == 0 || string(t) == "null" {
		return nil
	}
	var out decoded
	if err := decodeJSON(js, &out); err != nil {
		return err
	}
	for _, sk := range out.skips {
		sk.Source = origin
		s.Skipped = append(s.Skipped, sk)
	}
	for _, obj := range out.objects {
		if err := s.Add(obj, origin); err != nil {
			return err
		}
	}
	return nil
}
