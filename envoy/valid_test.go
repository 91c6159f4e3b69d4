package envoy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validCases are inputs where a hand-written JSON check goes wrong easily.
var validCases = []string{
	``, ` `, `{}`, `[]`, ` {} `, `{`, `}`, `[`, `]`, `{]`, `[}`, `{"a":1}`, `{"a":1,}`, `{"a" 1}`, `{"a":}`, `{1:2}`,
	`[1,2]`, `[1,]`, `[,1]`, `[1 2]`, `{"a":1}{}`, `{} x`, `"x"`, `"x`, `"\"x"`, `"\\"`, `"\\\"`, `"\u00e9"`, `"\u00g9"`,
	`"\u00e"`, `"\x"`, "\"a\tb\"", "\"a\x7fb\"", "\"\xff\xfe\"", `"é"`, `true`, `tru`, `truex`, `false`, `null`, `nul`,
	`0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e5`, `1E+5`, `1e-5`, `1e`, `1e+`, `-1.5e10`, `[-]`, `[0.0e0]`, `1x`,
	`{"a":[{"b":{"c":[true,false,null,"s",1.5]}}]}`, "{\"a\"\r\n:\t1}", `{"a":1 , "b" : [ ]}`, "\x00", `[1]]`, `[[1]`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
}

func TestValidJSONMatchesEncodingJSON(t *testing.T) {
	for _, c := range validCases {
		if got, want := validJSON([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("validJSON(%.40q) = %v, json.Valid says %v", c, got, want)
		}
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "envoy", "public", "*.json"))
	scenario, _ := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*", "dumps", "*", "*.json"))
	for _, f := range append(files, scenario...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range [][]byte{b, b[:len(b)/2], b[:len(b)-1]} {
			if got, want := validJSON(in), json.Valid(in); got != want {
				t.Errorf("validJSON(%s, %d bytes) = %v, json.Valid says %v", f, len(in), got, want)
			}
		}
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, c := range validCases {
		if len(c) < 200 {
			f.Add([]byte(c))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Errorf("validJSON(%q) = %v, json.Valid says %v", b, got, want)
		}
	})
}
