package envoy

import (
	"encoding/base64"
	"encoding/pem"
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
		{"PEM chain", chain, []string{"02", "01"}, ""},
		{"DER leaf", block.Bytes, []string{"02"}, ""},
		{"key block skipped", append([]byte(key), chain...), []string{"02", "01"}, ""},
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

// testChainPEM returns a two-certificate chain, leaf first, from the
// istiod-generated gateway-mtls-origination dump: the client certificate of SDS
// secret kubernetes://client-credential (serial 02) and the CA of
// kubernetes://client-credential-cacert (serial 01).
func testChainPEM(t *testing.T) []byte {
	t.Helper()
	data := readEditedSource(t)
	return append(secretPEM(t, data, "kubernetes://client-credential"), secretPEM(t, data, "kubernetes://client-credential-cacert")...)
}

func decodeB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
