package plugin

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// dumpNodeKept are the bootstrap node metadata keys the envoy package reads (envoy/node.go,
// nodeFrom). The rest of the node metadata holds the pod's annotations (ANNOTATIONS) and
// values of its ISTIO_META_* environment, PROXY_CONFIG and more: a bundle drops it.
var dumpNodeKept = []string{"ISTIO_VERSION", "CLUSTER_ID", "DNS_CAPTURE", "ISTIO_META_DNS_CAPTURE", "LABELS", "NAMESPACE", "NAME"}

// redactDump returns a config dump whose BootstrapConfigDump node metadata holds only
// dumpNodeKept; every other config is kept byte for byte.
func redactDump(data []byte) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, err
	}
	var configs []json.RawMessage
	if err := json.Unmarshal(top["configs"], &configs); err != nil {
		return nil, err
	}
	for i, c := range configs {
		var head struct {
			Type string `json:"@type"`
		}
		if json.Unmarshal(c, &head) != nil || !strings.HasSuffix(head.Type, ".BootstrapConfigDump") {
			continue
		}
		out, err := redactBootstrap(c)
		if err != nil {
			return nil, err
		}
		configs[i] = out
	}
	var err error
	if top["configs"], err = json.Marshal(configs); err != nil {
		return nil, err
	}
	return json.Marshal(top)
}

func redactBootstrap(c json.RawMessage) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(c))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	bs, _ := m["bootstrap"].(map[string]any)
	node, _ := bs["node"].(map[string]any)
	if node == nil {
		return c, nil
	}
	md, ok := node["metadata"].(map[string]any)
	if !ok && node["metadata"] != nil {
		return nil, errors.New("bootstrap node metadata is not an object")
	}
	kept := map[string]any{}
	for _, k := range dumpNodeKept {
		if v, ok := md[k]; ok {
			kept[k] = v
		}
	}
	node["metadata"] = kept
	return json.Marshal(m)
}
