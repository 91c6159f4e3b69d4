package mesh

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// docReader splits a YAML stream into documents exactly as utilyaml.YAMLReader does (a
// line starting with "---" followed by nothing but spaces or a comment ends a document),
// but with one buffer: each line is read into the document in place, so a document of n
// bytes costs n bytes and their growth, not the two copies YAMLReader keeps (its line and
// its document). Given the stream's size, the buffer is allocated once at that size and
// never regrown (no garbage of outgrown buffers). The document is valid until the next Read.
type docReader struct {
	r   *bufio.Reader
	doc []byte
}

var docSeparator = []byte("---")

// newDocReader reads r, of about size bytes (0: unknown).
func newDocReader(r io.Reader, size int64) *docReader {
	d := &docReader{r: bufio.NewReaderSize(r, 64<<10)}
	if size > 0 {
		d.doc = make([]byte, 0, size+1)
	}
	return d
}

// Read returns the next document, io.EOF after the last, or the reader's error.
func (d *docReader) Read() ([]byte, error) {
	d.doc = d.doc[:0]
	for {
		start, err := d.readLine()
		if err != nil && err != io.EOF {
			return nil, err
		}
		if line := d.doc[start:]; bytes.HasPrefix(line, docSeparator) {
			if rest := bytes.TrimSpace(line[len(docSeparator):]); len(rest) > 0 && rest[0] != '#' {
				return nil, fmt.Errorf("invalid Yaml document separator: %s", rest)
			}
			if start != 0 {
				d.doc = d.doc[:start] // the separator line ends this document
				return d.doc, nil
			}
			if err == io.EOF {
				return nil, err
			}
		}
		if err == io.EOF {
			if d.doc = d.doc[:start]; len(d.doc) != 0 {
				return d.doc, nil
			}
			return nil, err
		}
	}
}

// readLine appends the next line and a '\n' to the document, as utilyaml.LineReader
// reads it (bufio.Reader.ReadLine's fragments joined), and returns where it starts.
func (d *docReader) readLine() (int, error) {
	start := len(d.doc)
	for {
		frag, isPrefix, err := d.r.ReadLine()
		d.doc = append(d.doc, frag...)
		if !isPrefix || err != nil {
			d.doc = append(d.doc, '\n')
			return start, err
		}
	}
}

// chunkSize is the unit standard input is read in before it is split.
const chunkSize = 1 << 20

// readChunks reads r to its end in chunks, failing with tl once past tl.Limit: a stream
// of unknown size costs its size (never more than the cap and one chunk), with none of
// the outgrown buffers a growing slice leaves.
func readChunks(r io.Reader, tl *TooLargeError) (*chunkReader, int64, error) {
	c := &chunkReader{}
	var total int64
	for {
		buf := make([]byte, chunkSize)
		n, err := io.ReadFull(r, buf)
		if total += int64(n); total > tl.Limit {
			return nil, 0, tl
		}
		if n > 0 {
			c.chunks = append(c.chunks, buf[:n])
		}
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return c, total, nil
		case err != nil:
			return nil, 0, err
		}
	}
}

// chunkReader reads the chunks in order, dropping each once read.
type chunkReader struct{ chunks [][]byte }

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.chunks) > 0 && len(c.chunks[0]) == 0 {
		c.chunks[0], c.chunks = nil, c.chunks[1:]
	}
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	c.chunks[0] = c.chunks[0][n:]
	return n, nil
}
