package envoy

import (
	"bytes"
	"fmt"
	"strings"
)

// Filter selects the resources ParseFiltered decodes. Each predicate gets a resource name
// (a listener, route config, cluster or SDS secret name; for endpoints the cluster name);
// a nil predicate keeps every resource of that kind, so Filter{} parses like Parse.
type Filter struct {
	Listener    func(name string) bool
	RouteConfig func(name string) bool
	Cluster     func(name string) bool
	Secret      func(name string) bool
	Endpoints   func(cluster string) bool
	// VirtualHost keeps a virtual host of a kept route config by its domains; nil keeps all.
	VirtualHost func(domains []string) bool
	// ClusterJSON also keeps a cluster whose JSON element (its configs list entry, as
	// given) it accepts: a byte test before any decoding, for selections by content.
	ClusterJSON func(raw []byte) bool
	// References also keeps what kept resources name: the route configs of kept listeners,
	// the clusters of kept listeners and routes, the SDS secrets and the endpoints of kept
	// clusters. Resources are decoded in that order so each kind sees the names it needs.
	References bool
}

// None is a predicate that keeps nothing; with References it leaves a kind to the closure.
func None(string) bool { return false }

// ParseFiltered parses the parts of a /config_dump that f selects. The whole input is
// checked like Parse checks it (the same *InputError for unreadable input), but only the
// selected resources are decoded with protojson: a dump of hundreds of MB costs little more
// than json.Valid when a trace needs a few resources of it. The Dump has the resources
// Parse would give whose names f keeps (and their virtual hosts that f keeps), in the same
// order. Node, Bootstrap and Sections are complete; UnknownTypes and LegacyTypes count only
// the decoded resources, and a resource protojson would reject is only reported when selected.
func ParseFiltered(data []byte, f Filter) (*Dump, error) {
	start, err := stripPreamble(data)
	if err != nil {
		return nil, err
	}
	body := data[start:]
	configs, ok := splitConfigs(body)
	if !ok {
		return Parse(data) // invalid or not a dump: Parse says what it is
	}
	d, err := parseSelected(configs, f)
	if err != nil {
		if _, perr := Parse(data); perr != nil {
			return nil, perr // report what Parse reports, at the section Parse reports
		}
		return nil, err
	}
	return d, nil
}

// splitConfigs indexes the entries of body's "configs" array when body is valid JSON with
// exactly one such key (matched as encoding/json matches it) holding an array. It is the
// only pass over the bytes after validJSON (json.Valid's verdict, faster): it records each
// entry's resource lists and their elements' names, so the selection never rescans them.
func splitConfigs(body []byte) ([]rawSection, bool) {
	if !validJSON(body) || body[0] != '{' {
		return nil, false
	}
	var configs []rawSection
	matches, exact := 0, false
	fields(body, 0, func(key []byte, v int) int {
		if bytes.IndexByte(key, '\\') >= 0 || !bytes.EqualFold(key, []byte("configs")) {
			return -1
		}
		matches++
		exact = string(key) == "configs" && body[v] == '['
		if !exact {
			return -1
		}
		configs = configs[:0]
		return elems(body, v, func(e int) int {
			sec, end := indexSection(body, e)
			configs = append(configs, sec)
			return end
		})
	})
	return configs, matches == 1 && exact
}

// sectionKind is the resource kind a configs entry holds, in decoding order.
type sectionKind int

const (
	kindOther sectionKind = iota
	kindListeners
	kindRoutes
	kindClusters
	kindEndpoints
	kindSecrets
	kindCount
)

func kindOf(url string) sectionKind {
	switch url {
	case adminV3 + "ListenersConfigDump":
		return kindListeners
	case adminV3 + "RoutesConfigDump":
		return kindRoutes
	case adminV3 + "ClustersConfigDump":
		return kindClusters
	case adminV3 + "EndpointsConfigDump":
		return kindEndpoints
	case adminV3 + "SecretsConfigDump":
		return kindSecrets
	}
	return kindOther
}

// parseSelected decodes configs kind by kind (see sectionKind), each entry reduced to the
// resources the filter, plus the references found so far, keep.
func parseSelected(configs []rawSection, f Filter) (*Dump, error) {
	d := &Dump{}
	b := newBuilder()
	urls := make([]string, len(configs))
	for i, sec := range configs {
		urls[i] = peekType(sec.raw)
		d.Sections = append(d.Sections, urls[i])
		if strings.HasPrefix(urls[i], typePrefix+"envoy.admin.v2alpha.") {
			return nil, inputErr(InputV2Alpha, "this is the v2alpha admin format of Envoy < 1.13 (Istio < 1.5, configs[%d] is %s); only the v3 format is supported", i, typeName(urls[i]))
		}
	}
	sel := newSelection(f)
	for kind := kindOther; kind < kindCount; kind++ {
		for i := range configs {
			if kindOf(urls[i]) != kind {
				continue
			}
			if err := b.section(d, urls[i], sel.reduce(kind, &configs[i])); err != nil {
				return nil, &InputError{Kind: InputInvalidSection, Offset: -1, Err: err,
					Msg: fmt.Sprintf("configs[%d] (%s): %v", i, typeName(urls[i]), err)}
			}
		}
		sel.keep(d, kind)
	}
	b.finish(d)
	return d, nil
}
