package envoyadmin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	// The admin dump messages and the resources packed in them, for masks and resource=.
	_ "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
)

const (
	typePrefix = "type.googleapis.com/"
	adminV3    = typePrefix + "envoy.admin.v3."
)

// entry is one configs element of the file: one component's dump (ClustersConfigDump, ...).
type entry struct {
	typeURL string
	desc    protoreflect.MessageDescriptor // nil when the type is not linked in
	fields  []field                        // in file order, without "@type"
}

// field is one member of an entry; a resource list also has its elements.
type field struct {
	key   string
	raw   json.RawMessage
	list  bool
	elems []elem
}

// elem is one resource of a list with the name Envoy's name matcher sees for it.
type elem struct {
	raw     json.RawMessage
	name    string
	named   bool // false: Envoy matches no name for it (a listener error without a name)
	errOnly json.RawMessage
}

// member is a JSON object member in document order.
type member struct {
	key string
	raw json.RawMessage
}

// members reads a JSON object's members in order.
func members(raw []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var out []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{key: t.(string), raw: v})
	}
	return out, nil
}

// index reads a dump's configs entries and, for the admin dump types, their resource lists.
func index(dump []byte) ([]entry, error) {
	var top struct {
		Configs []json.RawMessage `json:"configs"`
	}
	if err := json.Unmarshal(dump, &top); err != nil {
		return nil, fmt.Errorf("read config dump: %w", err)
	}
	if top.Configs == nil {
		return nil, fmt.Errorf("read config dump: no configs array")
	}
	out := make([]entry, 0, len(top.Configs))
	for i, raw := range top.Configs {
		e, err := indexEntry(raw)
		if err != nil {
			return nil, fmt.Errorf("configs[%d]: %w", i, err)
		}
		out = append(out, e)
	}
	return out, nil
}

func indexEntry(raw []byte) (entry, error) {
	ms, err := members(raw)
	if err != nil {
		return entry{}, err
	}
	var e entry
	for _, m := range ms {
		if m.key == "@type" {
			_ = json.Unmarshal(m.raw, &e.typeURL)
			continue
		}
		e.fields = append(e.fields, field{key: m.key, raw: m.raw})
	}
	e.desc = descriptorOf(e.typeURL)
	for i := range e.fields {
		f := &e.fields[i]
		fd := fieldByKey(e.desc, f.key)
		if fd == nil || !fd.IsList() || fd.Message() == nil {
			continue
		}
		var raws []json.RawMessage
		if err := json.Unmarshal(f.raw, &raws); err != nil {
			return entry{}, fmt.Errorf("%s: %w", f.key, err)
		}
		f.list = true
		for _, r := range raws {
			f.elems = append(f.elems, newElem(e.typeURL, r))
		}
	}
	return e, nil
}

// descriptorOf finds the message type of an Any type URL among the linked types.
func descriptorOf(typeURL string) protoreflect.MessageDescriptor {
	mt, err := protoregistry.GlobalTypes.FindMessageByURL(typeURL)
	if err != nil {
		return nil
	}
	return mt.Descriptor()
}

// fieldByKey finds a field by its JSON key, the proto name (as Envoy prints) or JSON name.
func fieldByKey(md protoreflect.MessageDescriptor, key string) protoreflect.FieldDescriptor {
	if md == nil {
		return nil
	}
	if fd := md.Fields().ByName(protoreflect.Name(key)); fd != nil {
		return fd
	}
	return md.Fields().ByJSONName(key)
}

type named struct {
	Name string `json:"name"`
}

// resourceNames are the members of a list element that carry its resource's name.
type resourceNames struct {
	Name           string `json:"name"`
	Listener       *named `json:"listener"`
	Cluster        *named `json:"cluster"`
	RouteConfig    *named `json:"route_config"`
	EcdsFilter     *named `json:"ecds_filter"`
	EndpointConfig *struct {
		ClusterName string `json:"cluster_name"`
	} `json:"endpoint_config"`
	ActiveState   *struct{ Listener *named } `json:"active_state"`
	WarmingState  *struct{ Listener *named } `json:"warming_state"`
	DrainingState *struct{ Listener *named } `json:"draining_state"`
	ErrorState    json.RawMessage            `json:"error_state"`
}

// newElem reads the name Envoy's dump callback matches name_regex against, per dump type:
// Listener.name, Cluster.name, RouteConfiguration.name, the secret's name,
// ClusterLoadAssignment.cluster_name, the ECDS filter's name (admin.rst, name_regex).
func newElem(typeURL string, raw json.RawMessage) elem {
	var n resourceNames
	_ = json.Unmarshal(raw, &n)
	el := elem{raw: raw, named: true}
	switch strings.TrimPrefix(typeURL, adminV3) {
	case "ListenersConfigDump":
		el.name = firstNonEmpty(n.Name, nameOf(n.Listener), stateName(n.ActiveState), stateName(n.WarmingState), stateName(n.DrainingState), failedName(n.ErrorState))
		el.named = el.name != ""
		if len(n.ErrorState) > 0 {
			// Envoy keeps the entry's own name: real 1.40 dumps also hold a nameless
			// error_state entry beside the named one, and repeat it nameless.
			el.errOnly = errorOnly(n.Name, n.ErrorState)
		}
	case "ClustersConfigDump":
		// Envoy never writes a cluster error_state (ClustersConfigDump marks it not
		// implemented); one edited into a fixture is matched by its failed cluster's name.
		el.name = firstNonEmpty(nameOf(n.Cluster), failedName(n.ErrorState))
	case "RoutesConfigDump":
		el.name = nameOf(n.RouteConfig)
	case "EndpointsConfigDump":
		if n.EndpointConfig != nil {
			el.name = n.EndpointConfig.ClusterName
		}
	case "EcdsConfigDump":
		el.name = nameOf(n.EcdsFilter)
	default: // SecretsConfigDump: the secret's name; ScopedRoutesConfigDump: see scopedRoutes
		el.name = n.Name
	}
	return el
}

func nameOf(n *named) string {
	if n == nil {
		return ""
	}
	return n.Name
}

func stateName(s *struct{ Listener *named }) string {
	if s == nil {
		return ""
	}
	return nameOf(s.Listener)
}

func failedName(errorState json.RawMessage) string {
	var e struct {
		FailedConfiguration *named `json:"failed_configuration"`
	}
	_ = json.Unmarshal(errorState, &e)
	return nameOf(e.FailedConfiguration)
}

// errorOnly is the DynamicListener Envoy writes for a listener the name matcher skipped
// but whose last update failed: ListenerManagerImpl::dumpListenerConfigs adds every
// error_state_tracker_ entry without consulting the matcher (getOrCreateDynamicListener
// sets only the name).
func errorOnly(name string, errorState json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	if name != "" {
		n, _ := json.Marshal(name)
		b.WriteString(`"name":`)
		b.Write(n)
		b.WriteByte(',')
	}
	b.WriteString(`"error_state":`)
	b.Write(errorState)
	b.WriteByte('}')
	return b.Bytes()
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
