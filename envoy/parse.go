package envoy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

const adminV3 = typePrefix + "envoy.admin.v3."

// ParseReader reads all of r and parses it with Parse.
func ParseReader(r io.Reader) (*Dump, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read envoy config dump: %w", err)
	}
	return Parse(data)
}

// Parse parses an Envoy admin v3 /config_dump (JSON, optionally after a short
// preamble such as a status line). Unreadable input gives an *InputError.
func Parse(data []byte) (*Dump, error) {
	start, err := stripPreamble(data)
	if err != nil {
		return nil, err
	}
	body := data[start:]
	var top struct {
		Configs []json.RawMessage `json:"configs"`
	}
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, syntaxErr(err, body, int64(start))
	}
	if top.Configs == nil {
		return nil, classifyObject(body)
	}
	return parseConfigs(top.Configs)
}

func parseConfigs(configs []json.RawMessage) (*Dump, error) {
	d := &Dump{}
	b := newBuilder()
	for i, raw := range configs {
		url := peekType(raw)
		d.Sections = append(d.Sections, url)
		if strings.HasPrefix(url, typePrefix+"envoy.admin.v2alpha.") {
			return nil, inputErr(InputV2Alpha, "this is the v2alpha admin format of Envoy < 1.13 (Istio < 1.5, configs[%d] is %s); only the v3 format is supported", i, typeName(url))
		}
		if err := b.section(d, url, raw); err != nil {
			return nil, &InputError{Kind: InputInvalidSection, Offset: -1, Err: err,
				Msg: fmt.Sprintf("configs[%d] (%s): %v", i, typeName(url), err)}
		}
		configs[i] = nil // release the raw copy early
	}
	b.finish(d)
	return d, nil
}

// peekType returns the "@type" of a configs entry, reading as little as possible.
func peekType(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ""
	}
	if key, err := dec.Token(); err == nil && key == "@type" {
		if v, err := dec.Token(); err == nil {
			s, _ := v.(string)
			return s
		}
	}
	var t struct {
		Type string `json:"@type"`
	}
	_ = json.Unmarshal(raw, &t)
	return t.Type
}

// builder converts admin messages into the model, sharing one resolver.
type builder struct {
	res  *resolver
	opts protojson.UnmarshalOptions
}

func newBuilder() *builder {
	res := newResolver()
	return &builder{res: res, opts: protojson.UnmarshalOptions{DiscardUnknown: true, Resolver: res}}
}

func (b *builder) decode(raw []byte, m proto.Message) error {
	return b.opts.Unmarshal(raw, m)
}

func (b *builder) section(d *Dump, url string, raw []byte) error {
	switch url {
	case adminV3 + "BootstrapConfigDump":
		m := &adminv3.BootstrapConfigDump{}
		if err := b.decode(raw, m); err != nil {
			return err
		}
		d.Node, d.Bootstrap = bootstrapFrom(m)
	case adminV3 + "ListenersConfigDump":
		m := &adminv3.ListenersConfigDump{}
		if err := b.decode(raw, m); err != nil {
			return err
		}
		d.Listeners = append(d.Listeners, listenersFrom(m)...)
	case adminV3 + "RoutesConfigDump":
		m := &adminv3.RoutesConfigDump{}
		if err := b.decode(raw, m); err != nil {
			return err
		}
		d.RouteConfigs = append(d.RouteConfigs, routeConfigsFrom(m)...)
	case adminV3 + "ClustersConfigDump":
		m := &adminv3.ClustersConfigDump{}
		if err := b.decode(raw, m); err != nil {
			return err
		}
		d.Clusters = append(d.Clusters, clustersFrom(m)...)
	case adminV3 + "EndpointsConfigDump":
		m := &adminv3.EndpointsConfigDump{}
		if err := b.decode(raw, m); err != nil {
			return err
		}
		d.Endpoints = append(d.Endpoints, endpointsFrom(m)...)
	case adminV3 + "SecretsConfigDump":
		m := &adminv3.SecretsConfigDump{}
		if err := b.decode(raw, m); err != nil {
			return err
		}
		d.Secrets = append(d.Secrets, secretsFrom(m)...)
	default:
		// A section of another Envoy admin type (scoped routes, ECDS) is not needed; one
		// of a type from elsewhere is recorded, as nested Any payloads are.
		if !strings.HasPrefix(url, adminV3) {
			b.res.unknown[url]++
		}
	}
	return nil
}

func (b *builder) finish(d *Dump) {
	d.UnknownTypes = sortedCounts(b.res.unknown)
	d.LegacyTypes = sortedCounts(b.res.legacy)
	sortDump(d)
}

// syntaxErr turns an encoding/json error into an *InputError with the
// absolute byte offset.
func syntaxErr(err error, body []byte, base int64) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := base + se.Offset
		if strings.Contains(se.Error(), "unexpected end of JSON input") {
			return &InputError{Kind: InputTruncated, Offset: off, Err: err,
				Msg: fmt.Sprintf("truncated JSON at byte %d (input ends inside the document); was the dump cut off?", off)}
		}
		return &InputError{Kind: InputSyntax, Offset: off, Err: err,
			Msg: fmt.Sprintf("invalid JSON at byte %d: %v", off, se)}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		off := base + int64(len(body))
		return &InputError{Kind: InputTruncated, Offset: off, Err: err,
			Msg: fmt.Sprintf("truncated JSON at byte %d (input ends inside the document); was the dump cut off?", off)}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if body[0] == '[' {
			return classifyArray(body)
		}
		return classifyObject(body)
	}
	return &InputError{Kind: InputSyntax, Offset: -1, Err: err, Msg: fmt.Sprintf("invalid JSON: %v", err)}
}
