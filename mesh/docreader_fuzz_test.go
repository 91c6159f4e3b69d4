package mesh

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// FuzzDocReader: docReader splits every input into the documents (and the error)
// utilyaml.YAMLReader gives, which is what kubectl -f reads.
func FuzzDocReader(f *testing.F) {
	for _, s := range []string{"", "a: 1\n", "---\na: 1\n---\nb: 2", "--- # c\na\n---x\n", "---\n---\n", "a\r\n---\r\nb\r\n",
		"a: 1\n--- !tag\n", string(bytes.Repeat([]byte("x"), 70000)) + "\n---\ny"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want := splitAll(utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data))).Read)
		for _, size := range []int64{0, int64(len(data)), 3} {
			if got := splitAll(newDocReader(bytes.NewReader(data), size).Read); got != want {
				t.Fatalf("docReader(%q, size %d) = %s, want %s", data, size, got, want)
			}
		}
		c, n, err := readChunks(bytes.NewReader(data), &TooLargeError{Limit: 1 << 30})
		if err != nil || n != int64(len(data)) {
			t.Fatalf("readChunks: %d bytes, %v; want %d", n, err, len(data))
		}
		if got := splitAll(newDocReader(c, n).Read); got != want {
			t.Fatalf("docReader(readChunks(%q)) = %s, want %s", data, got, want)
		}
	})
}

func splitAll(read func() ([]byte, error)) string {
	var out bytes.Buffer
	for range 100000 {
		doc, err := read()
		if err == io.EOF {
			return out.String()
		}
		if err != nil {
			return out.String() + "error: " + err.Error()
		}
		fmt.Fprintf(&out, "%q;", doc)
	}
	return out.String() + "too many documents"
}
