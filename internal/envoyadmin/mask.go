package envoyadmin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// allConfigs is addAllConfigToDump: every entry; with a mask, each entry the mask is valid
// for (every path names fields of that dump type) trimmed to it, the others left out, and
// 400 when it fits none.
func allConfigs(entries []entry, mask string, hasMask bool) ([][]byte, int, string) {
	paths := maskPaths(mask)
	var out [][]byte
	for _, e := range entries {
		ms := e.members()
		if hasMask {
			if !validPaths(e.desc, paths) {
				continue
			}
			ms = trim(e.desc, ms, newTree(paths))
		}
		out = append(out, objectJSON(e.typeURL, ms))
	}
	if len(out) == 0 && hasMask {
		return nil, http.StatusBadRequest, fmt.Sprintf("FieldMask %s could not be successfully applied to any configs.", mask)
	}
	return out, http.StatusOK, ""
}

// resourceConfigs is addResourceToDump: the first entry (in dump order) whose type has a
// field named resource answers; a singular field is 400, a repeated one gives each of its
// elements as a configs entry of its own (packed as its message type, masked with
// trimResource when a mask is set); no such field anywhere is 404.
func resourceConfigs(entries []entry, resource, mask string, hasMask bool) ([][]byte, int, string) {
	paths := maskPaths(mask)
	for _, e := range entries {
		if e.desc == nil {
			continue
		}
		fd := e.desc.Fields().ByName(protoreflect.Name(resource))
		if fd == nil {
			continue
		}
		if !fd.IsList() {
			return nil, http.StatusBadRequest, fmt.Sprintf("%s is not a repeated field. Use ?mask=%s to get only this field", fd.Name(), fd.Name())
		}
		var out [][]byte
		for _, el := range e.list(string(fd.Name()), fd.JSONName()) {
			raw := []byte(el.raw)
			if hasMask {
				var ok bool
				if raw, ok = trimResource(fd.Message(), raw, paths); !ok {
					return nil, http.StatusBadRequest, fmt.Sprintf("FieldMask paths: %q could not be successfully used.", paths)
				}
			}
			ms, _ := members(raw)
			out = append(out, objectJSON(typePrefix+string(fd.Message().FullName()), ms))
		}
		return out, http.StatusOK, ""
	}
	return nil, http.StatusNotFound, fmt.Sprintf("%s not found in config dump", resource)
}

// members gives the entry's members, resource lists rebuilt from their kept elements.
func (e entry) members() []member {
	out := make([]member, 0, len(e.fields))
	for _, f := range e.fields {
		raw := f.raw
		if f.list {
			raw = listJSON(f.elems)
		}
		out = append(out, member{key: f.key, raw: raw})
	}
	return out
}

// list returns the kept elements of the list field with either key.
func (e entry) list(keys ...string) []elem {
	for _, f := range e.fields {
		for _, k := range keys {
			if f.key == k {
				return f.elems
			}
		}
	}
	return nil
}

func listJSON(elems []elem) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, el := range elems {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(el.raw)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// maskPaths is FieldMaskUtil::FromString: comma-separated paths, empty ones skipped.
func maskPaths(mask string) []string {
	var out []string
	for _, p := range strings.Split(mask, ",") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitPath splits a path at dots, skipping empty parts (protobuf's Split default).
func splitPath(path string) []string {
	var out []string
	for _, p := range strings.Split(path, ".") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// validPaths is FieldMaskUtil::GetFieldDescriptors for every path: each part names a field,
// and every part but the last a singular message field. A type this package does not know
// fits no mask.
func validPaths(md protoreflect.MessageDescriptor, paths []string) bool {
	if md == nil {
		return false
	}
	for _, p := range paths {
		d := md
		parts := splitPath(p)
		for i, part := range parts {
			fd := d.Fields().ByName(protoreflect.Name(part))
			if fd == nil {
				return false
			}
			if i < len(parts)-1 {
				if fd.IsList() || fd.IsMap() || fd.Message() == nil {
					return false
				}
				d = fd.Message()
			}
		}
	}
	return true
}

// maskTree is protobuf's FieldMaskTree: a leaf covers its whole field.
type maskTree struct{ children map[string]*maskTree }

func newTree(paths []string) *maskTree {
	root := &maskTree{}
	for _, p := range paths {
		root.add(splitPath(p))
	}
	return root
}

// add is FieldMaskTree::AddPath: a path under an existing leaf adds nothing, and a path
// ending at an existing inner node makes it a leaf.
func (t *maskTree) add(parts []string) {
	if len(parts) == 0 {
		return
	}
	node, newBranch := t, false
	for _, p := range parts {
		if !newBranch && node != t && len(node.children) == 0 {
			return
		}
		if node.children == nil {
			node.children = map[string]*maskTree{}
		}
		c := node.children[p]
		if c == nil {
			c, newBranch = &maskTree{}, true
			node.children[p] = c
		}
		node = c
	}
	node.children = nil
}

// trim is FieldMaskTree::TrimMessage over JSON members: fields not in the tree are cleared
// (all of them when the tree is empty), and a singular message field whose node has
// children is trimmed in turn.
func trim(md protoreflect.MessageDescriptor, ms []member, t *maskTree) []member {
	var out []member
	for _, m := range ms {
		fd := fieldByKey(md, m.key)
		if fd == nil {
			continue
		}
		c, ok := t.children[string(fd.Name())]
		if !ok {
			continue
		}
		if len(c.children) > 0 && fd.Message() != nil && !fd.IsList() && !fd.IsMap() {
			m.raw = trimNested(fd.Message(), m.raw, c)
		}
		out = append(out, m)
	}
	return out
}

// trimNested trims a message value; an Any is trimmed as google.protobuf.Any (type_url and
// value), which is why a mask cannot reach inside one without resource=.
func trimNested(md protoreflect.MessageDescriptor, raw json.RawMessage, t *maskTree) json.RawMessage {
	ms, err := members(raw)
	if err != nil {
		return raw
	}
	if md.FullName() == "google.protobuf.Any" {
		if _, ok := t.children["value"]; ok {
			return raw
		}
		var keep []member
		for _, m := range ms {
			if _, ok := t.children["type_url"]; ok && m.key == "@type" {
				keep = append(keep, m)
			}
		}
		return objectJSON("", keep)
	}
	return objectJSON("", trim(md, ms, t))
}

// trimResource is trimResourceMessage: paths whose first part is the resource's singular
// Any field (cluster, route_config, endpoint_config, secret, ...) are applied to the
// packed message, the rest to the resource itself; false when a path does not fit.
func trimResource(md protoreflect.MessageDescriptor, raw []byte, paths []string) ([]byte, bool) {
	var outer, inner []string
	anyField := ""
	for _, p := range paths {
		frags := strings.Split(p, ".")
		fd := md.Fields().ByName(protoreflect.Name(frags[0]))
		if fd != nil && fd.Message() != nil && !fd.IsList() && fd.Message().FullName() == "google.protobuf.Any" {
			anyField = frags[0]
			outer = append(outer, frags[0])
			inner = append(inner, strings.Join(frags[1:], "."))
			continue
		}
		outer = append(outer, p)
	}
	ms, err := members(raw)
	if err != nil {
		return nil, false
	}
	for i, m := range ms {
		if anyField == "" || m.key != anyField {
			continue
		}
		packed, ok := trimPacked(m.raw, inner)
		if !ok {
			return nil, false
		}
		ms[i].raw = packed
	}
	if !validPaths(md, outer) {
		return nil, false
	}
	return objectJSON("", trim(md, ms, newTree(outer))), true
}

// trimPacked unpacks an Any ({"@type": ..., fields}), trims it and packs it back.
func trimPacked(raw json.RawMessage, paths []string) (json.RawMessage, bool) {
	ms, err := members(raw)
	if err != nil {
		return nil, false
	}
	var typeURL string
	var fields []member
	for _, m := range ms {
		if m.key == "@type" {
			_ = json.Unmarshal(m.raw, &typeURL)
			continue
		}
		fields = append(fields, m)
	}
	md := descriptorOf(typeURL)
	if md == nil || !validPaths(md, paths) {
		return nil, false
	}
	return objectJSON(typeURL, trim(md, fields, newTree(paths))), true
}
