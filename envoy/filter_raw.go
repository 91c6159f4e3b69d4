package envoy

// rawSection is one configs entry as the scanner found it: its bytes and its resource lists.
type rawSection struct {
	raw   []byte
	lists []rawList
}

// rawList is a resource list member of an entry: the array's span in raw and its elements.
type rawList struct {
	kind       sectionKind
	start, end int
	elems      []rawElem
}

// rawElem is one list element: its span in raw, the names it carries and, for route
// configs, the span of its virtual_hosts array (ve is 0 when there is none).
type rawElem struct {
	start, end int
	names      []string
	vh, ve     int
}

// listKinds maps every resource list member name to its kind; the names are distinct.
var listKinds = func() map[string]sectionKind {
	out := map[string]sectionKind{}
	for k, spec := range specs {
		if spec != nil {
			for l := range spec.lists {
				out[l] = sectionKind(k)
			}
		}
	}
	return out
}()

// indexSection scans the configs entry at body[i] and returns it and its end.
func indexSection(body []byte, i int) (rawSection, int) {
	if body[i] != '{' {
		end := skipValue(body, i)
		return rawSection{raw: body[i:end]}, end
	}
	var sec rawSection
	end := fields(body, i, func(key []byte, v int) int {
		kind, ok := listKinds[string(key)]
		if !ok || body[v] != '[' {
			return -1
		}
		l := rawList{kind: kind, start: v - i}
		l.end = elems(body, v, func(e int) int {
			el := rawElem{start: e - i}
			end := elemInfo(body, e, specs[kind].paths, &el)
			el.end = end - i
			if el.ve > 0 {
				el.vh, el.ve = el.vh-i, el.ve-i
			}
			l.elems = append(l.elems, el)
			return end
		}) - i
		sec.lists = append(sec.lists, l)
		return l.end + i
	})
	sec.raw = body[i:end]
	return sec, end
}

// reduce returns a configs entry of kind whose resource lists hold only the elements the
// selection keeps; everything else is copied byte for byte.
func (s *selection) reduce(kind sectionKind, sec *rawSection) []byte {
	if kind == kindOther || !s.filters(kind) {
		return sec.raw
	}
	raw := sec.raw
	var out []byte
	last := 0
	for _, l := range sec.lists {
		if l.kind != kind {
			continue // a list of another kind: protojson judges it as Parse does
		}
		out = append(append(out, raw[last:l.start]...), '[')
		n := 0
		for i := range l.elems {
			el := &l.elems[i]
			if !s.keepElem(kind, el.names) && !s.keepJSON(kind, raw[el.start:el.end], el.names) {
				continue
			}
			if n > 0 {
				out = append(out, ',')
			}
			n++
			out = s.appendElem(out, raw, el)
		}
		out = append(out, ']')
		last = l.end
	}
	return append(out, raw[last:]...)
}

// keepElem keeps an element whose name could not be read (the decoded model is trimmed
// again by name) and one with any kept name.
func (s *selection) keepElem(kind sectionKind, names []string) bool {
	if len(names) == 0 {
		return true
	}
	for _, n := range names {
		if s.keepName(kind, n) {
			return true
		}
	}
	return false
}

// keepJSON keeps a cluster that Filter.ClusterJSON accepts, recording its names so the
// decoded model keeps it too.
func (s *selection) keepJSON(kind sectionKind, raw []byte, names []string) bool {
	if kind != kindClusters || s.f.ClusterJSON == nil || !s.f.ClusterJSON(raw) {
		return false
	}
	for _, n := range names {
		s.refs[kind][n] = true
	}
	return true
}

// elemInfo walks the element at b[i] along paths, recording names and the virtual_hosts
// span (absolute), and returns its end.
func elemInfo(b []byte, i int, paths *pathNode, el *rawElem) int {
	if b[i] != '{' {
		return skipValue(b, i)
	}
	return fields(b, i, func(key []byte, v int) int {
		c := paths.next[string(key)]
		switch {
		case c == nil:
			return -1
		case c.next != nil && b[v] == '{':
			return elemInfo(b, v, c, el)
		case c.name:
			end := skipValue(b, v)
			if name, ok := stringAt(b, v, end); ok {
				el.names = append(el.names, name)
			}
			return end
		case c.vhosts && b[v] == '[':
			el.vh, el.ve = v, skipValue(b, v)
			return el.ve
		}
		return -1
	})
}

// appendElem appends the element with its virtual hosts filtered.
func (s *selection) appendElem(out, raw []byte, el *rawElem) []byte {
	if s.f.VirtualHost == nil || el.ve == 0 {
		return append(out, raw[el.start:el.end]...)
	}
	out = append(append(out, raw[el.start:el.vh]...), '[')
	n := 0
	elems(raw, el.vh, func(e int) int {
		domains, vend := domainsOf(raw, e)
		if s.keepDomains(domains) {
			if n > 0 {
				out = append(out, ',')
			}
			n++
			out = append(out, raw[e:vend]...)
		}
		return vend
	})
	return append(append(out, ']'), raw[el.ve:el.end]...)
}

// domainsOf reads the domains of the virtual host at raw[i] and returns its end.
func domainsOf(raw []byte, i int) ([]string, int) {
	if raw[i] != '{' {
		return nil, skipValue(raw, i)
	}
	var domains []string
	end := fields(raw, i, func(key []byte, v int) int {
		if string(key) != "domains" || raw[v] != '[' {
			return -1
		}
		return elems(raw, v, func(e int) int {
			end := skipValue(raw, e)
			if d, ok := stringAt(raw, e, end); ok {
				domains = append(domains, d)
			}
			return end
		})
	})
	return domains, end
}
