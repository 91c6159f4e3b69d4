package envoy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// largestFixture returns the bytes of the biggest public config dump.
func largestFixture(b *testing.B) []byte {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "envoy", "public", "*.json"))
	sort.Slice(files, func(i, j int) bool { return size(files[i]) > size(files[j]) })
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil {
			if _, err := Parse(data); err == nil {
				return data
			}
		}
	}
	b.Fatal("no parseable fixture")
	return nil
}

func size(f string) int64 {
	fi, err := os.Stat(f)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func BenchmarkParse(b *testing.B) {
	data := largestFixture(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONValid(b *testing.B) {
	data := largestFixture(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if !json.Valid(data) {
			b.Fatal("invalid")
		}
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "envoy", "*.json"))
	small, _ := filepath.Glob(filepath.Join("..", "testdata", "envoy", "public", "istioctl-*.json"))
	for _, p := range append(files, small...) {
		if data, err := os.ReadFile(p); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"configs":[]}`))
	f.Add([]byte("200\n{\"configs\":[{\"@type\":\"type.googleapis.com/envoy.admin.v3.SecretsConfigDump\"}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if (d == nil) == (err == nil) {
			t.Fatalf("Parse = %v, %v: want exactly one of dump and error", d, err)
		}
	})
}
