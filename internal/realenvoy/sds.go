package realenvoy

import (
	"encoding/base64"
	"sort"
)

// addSecrets records the dump's SDS secrets: active ones with their public certificate
// bytes (private keys are redacted in every dump), warming ones as withheld.
func (f *Feed) addSecrets(c map[string]any) {
	for _, s := range asMaps(field(c, "dynamic_active_secrets")) {
		sec, _ := s["secret"].(map[string]any)
		ref := SecretRef{Name: str(s["name"])}
		if tc, ok := field(sec, "tls_certificate").(map[string]any); ok {
			ref.PEM = dataSource(field(tc, "certificate_chain"))
		} else if vc, ok := field(sec, "validation_context").(map[string]any); ok {
			ref.Validate, ref.PEM = true, dataSource(field(vc, "trusted_ca"))
		}
		f.Secrets = append(f.Secrets, ref)
	}
	for _, s := range asMaps(field(c, "dynamic_warming_secrets")) {
		f.Withheld = append(f.Withheld, str(s["name"]))
	}
}

// dataSource decodes a DataSource's inline bytes or string.
func dataSource(v any) []byte {
	ds, _ := v.(map[string]any)
	if b := str(field(ds, "inline_bytes")); b != "" {
		if raw, err := base64.StdEncoding.DecodeString(b); err == nil {
			return raw
		}
	}
	return []byte(str(field(ds, "inline_string")))
}

// addSDSRefs adds every SDS name the listeners and clusters reference that the dump neither
// holds nor shows warming: such a secret was evidently served (by pilot-agent: default,
// ROOTCA, file-root:…), so the harness supplies it.
func (f *Feed) addSDSRefs() {
	refs := map[string]bool{} // name → validation context
	for _, l := range f.Listeners {
		collectSDS(l, "", refs)
	}
	for _, c := range f.Clusters {
		collectSDS(c, "", refs)
	}
	known := map[string]bool{}
	for _, s := range f.Secrets {
		known[s.Name] = true
	}
	for _, n := range f.Withheld {
		known[n] = true
	}
	names := make([]string, 0, len(refs))
	for n := range refs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !known[n] {
			f.Secrets = append(f.Secrets, SecretRef{Name: n, Validate: refs[n]})
			f.Supplied = append(f.Supplied, "SDS secret "+n+" (referenced, not in the dump; issued from the test CA)")
		}
	}
	sort.Slice(f.Secrets, func(i, j int) bool { return f.Secrets[i].Name < f.Secrets[j].Name })
}

// collectSDS walks JSON for SdsSecretConfig objects ({name, sds_config}); the key they sit
// under says whether they are validation contexts.
func collectSDS(v any, key string, refs map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if field(x, "sds_config") != nil && str(x["name"]) != "" {
			refs[str(x["name"])] = key == "validation_context_sds_secret_config"
		}
		for k, c := range x {
			collectSDS(c, k, refs)
		}
	case []any:
		for _, c := range x {
			collectSDS(c, key, refs)
		}
	}
}
