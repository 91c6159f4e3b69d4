package realenvoy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// CheckRedacted verifies a dump holds no private key: every private_key is Envoy's
// "[redacted]" and no PEM private key block appears anywhere (base64 or plain).
func CheckRedacted(body []byte) error {
	if bytes.Contains(body, []byte("PRIVATE KEY-----")) {
		return fmt.Errorf("a PEM private key block in clear")
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return err
	}
	return walkKeys(v)
}

func walkKeys(v any) error {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if k == "private_key" && !redacted(c) {
				return fmt.Errorf("private_key not redacted")
			}
			if err := walkKeys(c); err != nil {
				return err
			}
		}
	case []any:
		for _, c := range x {
			if err := walkKeys(c); err != nil {
				return err
			}
		}
	case string:
		if raw, err := base64.StdEncoding.DecodeString(x); err == nil && bytes.Contains(raw, []byte("PRIVATE KEY-----")) {
			return fmt.Errorf("a base64 PEM private key block")
		}
	}
	return nil
}

func redacted(v any) bool {
	ds, _ := v.(map[string]any)
	if s := str(ds["inline_string"]); s != "" {
		return s == "[redacted]"
	}
	if b := str(ds["inline_bytes"]); b != "" {
		raw, err := base64.StdEncoding.DecodeString(b)
		return err == nil && string(raw) == "[redacted]"
	}
	return len(ds) == 0 || ds["filename"] != nil
}
