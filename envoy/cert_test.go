package envoy

import (
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCertificates(t *testing.T) {
	chain := testChainPEM(t)
	block, _ := pem.Decode(chain)
	key := "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n"
	tests := []struct {
		name    string
		in      []byte
		want    []string // serials
		wantErr string
	}{
		{"PEM chain", chain, []string{"c0ffee", "1a2b"}, ""},
		{"DER leaf", block.Bytes, []string{"c0ffee"}, ""},
		{"key block skipped", append([]byte(key), chain...), []string{"c0ffee", "1a2b"}, ""},
		{"only a key", []byte(key), nil, "no PEM certificate found"},
		{"garbage", []byte("not a certificate"), nil, "not PEM and not a DER certificate"},
		{"broken PEM certificate", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), nil, "certificate 1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCertificates(tt.in)
			var serials []string
			for _, c := range got {
				serials = append(serials, c.Serial)
			}
			if strings.Join(serials, ",") != strings.Join(tt.want, ",") {
				t.Errorf("ParseCertificates(%s) serials = %q, want %q", tt.name, serials, tt.want)
			}
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("ParseCertificates(%s) error = %v, want %q", tt.name, err, tt.wantErr)
			}
		})
	}
}

// testChainPEM returns the default secret's chain from egress-gateway.json.
func testChainPEM(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "envoy", "egress-gateway.json"))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(data), `"inline_bytes": "`)
	if i < 0 {
		t.Fatal("no inline_bytes in egress-gateway.json")
	}
	rest := string(data[i+len(`"inline_bytes": "`):])
	return decodeB64(t, rest[:strings.IndexByte(rest, '"')])
}

func decodeB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
