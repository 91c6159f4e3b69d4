package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// needleLen is the length of every fragment needle: 16 bytes of key material, or the 16
// base64 characters of 12 bytes of it.
const needleLen = 16

// needles is what no output, log or file may hold: 16-byte fragments of private key
// material (every window of each encoding as placed in a Secret, of the key's DER, and the
// base64 of every 12-byte window of both, so any alignment of a re-encoding is caught)
// and whole tokens (env values, annotation values), each with a description that names
// it without quoting it.
type needles struct {
	fragments map[string]string
	tokens    map[string]string
	// public is the material that may legitimately appear (certificates as DER and PEM,
	// and their base64 at every alignment); a fragment found in it proves nothing (an EC
	// key's DER holds its public key, as the certificate does) and is not a needle.
	public []byte
}

func newNeedles(publicCerts ...[]byte) *needles {
	n := &needles{fragments: map[string]string{}, tokens: map[string]string{}}
	n.addPublic(publicCerts...)
	return n
}

// addPublic adds material whose fragments are not needles: certificates, and keys of
// the same kinds and encodings as the placed ones (what two fresh keys share, such as
// RSA's algorithm identifier, which RSA certificates hold too, is format, not secret).
func (n *needles) addPublic(material ...[]byte) {
	for _, c := range material {
		n.public = append(append(n.public, c...), 0)
		for k := 0; k < 3 && k < len(c); k++ { // base64 at every alignment
			n.public = append(append(n.public, base64.StdEncoding.EncodeToString(c[k:])...), 0)
		}
	}
}

// addKey adds the fragments of one piece of key material (a DER, a PEM text or a base64
// text) under a description such as "RSA key 1 PKCS#1 PEM".
func (n *needles) addKey(desc string, material []byte) {
	material = pemBody(material)
	for i := 0; i+needleLen <= len(material); i++ {
		n.addFragment(material[i:i+needleLen], fmt.Sprintf("%s, bytes %d..%d", desc, i, i+needleLen))
	}
	for i := 0; i+12 <= len(material); i++ {
		b64 := base64.StdEncoding.EncodeToString(material[i : i+12])
		n.addFragment([]byte(b64), fmt.Sprintf("%s, base64 of bytes %d..%d", desc, i, i+12))
	}
}

func (n *needles) addFragment(frag []byte, desc string) {
	if bytes.Contains(n.public, frag) || isArmor(frag) {
		return
	}
	if _, dup := n.fragments[string(frag)]; !dup {
		n.fragments[string(frag)] = desc
	}
}

// addToken adds a secret string that must never appear whole.
func (n *needles) addToken(desc, token string) { n.tokens[token] = desc }

// pemBody drops PEM armor lines ("-----BEGIN ...-----"): they are not secret, and the
// same armor wraps the certificates that are kept.
func pemBody(b []byte) []byte {
	if !bytes.HasPrefix(b, []byte("-----BEGIN")) {
		return b
	}
	var out []byte
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte("-----")) {
			out = append(out, line...)
		}
	}
	return out
}

// isArmor reports a fragment made only of base64 padding, dashes and newlines.
func isArmor(frag []byte) bool {
	return len(bytes.Trim(frag, "-=\n")) == 0
}

// hexDumpLine matches a line of encoding/hex.Dump output (client-go's body logging of
// non-printable bodies), possibly indented by klog.
var hexDumpLine = regexp.MustCompile(`(?m)^\s*[0-9a-f]{8}  ((?:[0-9a-f]{2} {1,2}){1,16})`)

// unHexDump returns the bytes that hex.Dump lines in out stand for, concatenated.
func unHexDump(out []byte) []byte {
	var b []byte
	for _, m := range hexDumpLine.FindAllSubmatch(out, -1) {
		raw, err := hex.DecodeString(strings.Join(strings.Fields(string(m[1])), ""))
		if err == nil {
			b = append(b, raw...)
		}
	}
	return b
}

// hit is one needle found: where, and which needle (by description).
type hit struct{ where, what string }

// scan reports the needles data holds, also inside hex dumps and with JSON's and
// klog's escaping of "\n" undone.
func (n *needles) scan(where string, data []byte) []hit {
	var hits []hit
	views := map[string][]byte{"": data, " (hex dump)": unHexDump(data),
		" (unescaped)": bytes.ReplaceAll(data, []byte(`\n`), []byte("\n"))}
	for suffix, v := range views {
		seen := map[string]bool{}
		for i := 0; i+needleLen <= len(v); i++ {
			if desc, ok := n.fragments[string(v[i:i+needleLen])]; ok && !seen[desc] {
				seen[desc] = true
				hits = append(hits, hit{fmt.Sprintf("%s%s offset %d", where, suffix, i), desc})
			}
		}
		for tok, desc := range n.tokens {
			if i := bytes.Index(v, []byte(tok)); i >= 0 {
				hits = append(hits, hit{fmt.Sprintf("%s%s offset %d", where, suffix, i), desc})
			}
		}
	}
	return hits
}

// scanTree scans every file under dir, and every entry of each .tar.gz (a bundle) in it.
func (n *needles) scanTree(dir string) ([]hit, []string) {
	var hits []hit
	var files []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, rel)
		data, err := os.ReadFile(p)
		if err != nil {
			hits = append(hits, hit{rel, "unreadable: " + err.Error()})
			return nil
		}
		hits = append(hits, n.scan(rel, data)...)
		for name, entry := range untarGz(data) {
			hits = append(hits, n.scan(rel+"!"+name, entry)...)
		}
		return nil
	})
	sort.Strings(files)
	return hits, files
}

// untarGz returns the entries of a .tar.gz, or nothing when data is not one.
func untarGz(data []byte) map[string][]byte {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	out := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if err != nil {
			return out
		}
		if b, err := io.ReadAll(tr); err == nil {
			out[hdr.Name] = b
		}
	}
}
