package envoy

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

var (
	// outbound|9080||reviews.default.svc.cluster.local::observability_name::...
	// outbound|9080||reviews.default.svc.cluster.local::10.1.1.5:9080::cx_active::0
	clustersText = regexp.MustCompile(`(?m)^[^\s:]+::(observability_name|default_priority|high_priority|added_via_api|[0-9a-fA-F.:\[\]]+:\d+::[a-z_]+)::`)
	// 0.0.0.0_80::0.0.0.0:80
	listenersText = regexp.MustCompile(`(?m)^[^\s:]+::\[?[0-9a-fA-F.:]+\]?:\d+\s*$`)
	// cluster.xds-grpc.upstream_cx_total: 3
	statsText = regexp.MustCompile(`(?m)^[a-zA-Z0-9_.\-|~]+\.[a-zA-Z0-9_]+: (\d+|P0\(|No recorded values)`)
)

// stripPreamble finds the JSON document in data. It skips a UTF-8 BOM and a
// short non-JSON preamble (such as a "200" status line) that ends in a line
// starting with '{'. It returns the JSON start offset, or an error saying what
// the data is instead.
func stripPreamble(data []byte) (int, error) {
	start := len(data) - len(bytes.TrimLeft(data, " \t\r\n\ufeff"))
	if start == len(data) {
		return 0, inputErr(InputEmpty, "empty input, not an envoy config dump")
	}
	if isBinary(data[start:]) {
		return 0, inputErr(InputBinary, "binary data (starts with % x), not an envoy config dump", sniffHead(data[start:], 8))
	}
	if c := data[start]; c == '{' || c == '[' {
		return start, nil
	}
	if err := classifyText(data[start:]); err != nil {
		return 0, err
	}
	if i := bytes.Index(data[start:], []byte("\n{")); i >= 0 && i < 512 {
		return start + i + 1, nil
	}
	return 0, inputErr(InputNotJSON, "not JSON (starts with %q), not an envoy config dump", sniffFirstLine(data[start:]))
}

func isBinary(b []byte) bool {
	b = sniffHead(b, 1024)
	if bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 && len(b) >= utf8.UTFMax {
			return true
		}
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' {
			return true
		}
		b = b[n:]
	}
	return false
}

func classifyText(b []byte) error {
	b = sniffHead(b, 64<<10)
	switch {
	case clustersText.Match(b):
		return inputErr(InputClusters, "this is admin /clusters output (text), not /config_dump"+hintFullDump)
	case listenersText.Match(b):
		return inputErr(InputListeners, "this is admin /listeners output (text), not /config_dump"+hintFullDump)
	case statsText.Match(b):
		return inputErr(InputStats, "this is admin /stats output, not /config_dump"+hintFullDump)
	}
	return nil
}

// classifyArray explains a top-level JSON array: istioctl proxy-config -o json.
func classifyArray(data []byte) error {
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil || len(items) == 0 {
		return inputErr(InputIstioctlArray, "this is a JSON array, not an envoy /config_dump object"+hintFullDump)
	}
	kind := "resources"
	has := func(keys ...string) bool {
		for _, k := range keys {
			if _, ok := items[0][k]; ok {
				return true
			}
		}
		return false
	}
	switch {
	case has("filterChains", "filter_chains", "listenerFilters", "listener_filters"):
		kind = "listeners"
	case has("virtualHosts", "virtual_hosts"):
		kind = "routes"
	case has("hostStatuses", "host_statuses"):
		kind = "endpoints"
	case has("connectTimeout", "connect_timeout", "lbPolicy", "lb_policy", "edsClusterConfig", "eds_cluster_config", "loadAssignment"):
		kind = "clusters"
	case has("tlsCertificate", "tls_certificate", "validationContext", "validation_context"):
		kind = "secrets"
	}
	return inputErr(InputIstioctlArray, "this is a JSON array of %d envoy %s (istioctl proxy-config %s -o json), not a full /config_dump%s",
		len(items), kind, strings.TrimSuffix(kind, "s"), hintFullDump)
}

// classifyObject explains a top-level JSON object without a "configs" array.
func classifyObject(data []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return inputErr(InputOtherJSON, "JSON that is not an object, not an envoy config dump")
	}
	has := func(k string) bool { _, ok := obj[k]; return ok }
	switch {
	case has("cluster_statuses"):
		return inputErr(InputClusters, "this is admin /clusters?format=json output, not /config_dump"+hintFullDump)
	case has("listener_statuses"):
		return inputErr(InputListeners, "this is admin /listeners?format=json output, not /config_dump"+hintFullDump)
	case has("stats"):
		return inputErr(InputStats, "this is admin /stats?format=json output, not /config_dump"+hintFullDump)
	case has("bootstrap"):
		return inputErr(InputIstioctlPart, "this is only the envoy bootstrap (istioctl proxy-config bootstrap -o json), not a full /config_dump"+hintFullDump)
	case has("dynamicActiveSecrets"), has("dynamic_active_secrets"):
		return inputErr(InputIstioctlPart, "this is only the envoy secrets (istioctl proxy-config secret -o json), not a full /config_dump"+hintFullDump)
	case has("apiVersion") && has("kind"):
		var kind, api string
		_ = json.Unmarshal(obj["kind"], &kind)
		_ = json.Unmarshal(obj["apiVersion"], &api)
		return inputErr(InputKubernetes, "this is a Kubernetes %s object (apiVersion %s), not an envoy config dump", kind, api)
	}
	return inputErr(InputOtherJSON, "JSON object with keys %s and no \"configs\" array, not an envoy config dump", keyList(obj))
}

func keyList(obj map[string]json.RawMessage) string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 5 {
		keys = append(keys[:5], "...")
	}
	if len(keys) == 0 {
		return "(none)"
	}
	return strings.Join(keys, ", ")
}

func sniffHead(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func sniffFirstLine(b []byte) string {
	b = sniffHead(b, 60)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return string(bytes.TrimSpace(b))
}
