package envoyadmin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"sync/atomic"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// Admin serves one proxy's saved config dump as Envoy's admin does. It is safe for
// concurrent use; the counters let tests measure what a client fetched.
type Admin struct {
	raw     []byte
	indent  string
	entries []entry
	hasEDS  bool

	// Requests counts /config_dump requests answered; Bytes the response bytes written.
	Requests atomic.Int64
	Bytes    atomic.Int64

	mu   sync.Mutex
	seen []string
}

// New indexes dump (an Envoy v3 /config_dump) once; every request is answered from it.
func New(dump []byte) (*Admin, error) {
	entries, err := index(dump)
	if err != nil {
		return nil, err
	}
	a := &Admin{raw: dump, indent: indentOf(dump), entries: entries}
	for _, e := range entries {
		a.hasEDS = a.hasEDS || e.typeURL == adminV3+"EndpointsConfigDump"
	}
	return a, nil
}

// Seen returns the request URIs answered so far, in order.
func (a *Admin) Seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.seen...)
}

// ServeHTTP answers GET /config_dump[?...]; any other path is 404, as Envoy's admin does
// for an unknown handler.
func (a *Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/config_dump" {
		http.Error(w, "invalid path: "+r.URL.Path, http.StatusNotFound)
		return
	}
	a.mu.Lock()
	a.seen = append(a.seen, r.URL.RequestURI())
	a.mu.Unlock()
	code, body := a.ConfigDump(r.URL.Query())
	if code == http.StatusOK {
		w.Header().Set("Content-Type", "application/json")
	} else {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Content-Type-Options", "nosniff")
	}
	w.WriteHeader(code)
	n := writeChunked(w, body)
	a.Requests.Add(1)
	a.Bytes.Add(int64(n))
}

// writeChunk is the size of each Write of a response. A real proxy's bytes reach the
// kubelet through a socket, in small reads; the test kubelet hands each Write to the
// port-forward stream as one SPDY data frame, which holds at most 16 MiB.
const writeChunk = 64 << 10

func writeChunked(w http.ResponseWriter, body []byte) int {
	n := 0
	for len(body) > 0 {
		m, err := w.Write(body[:min(len(body), writeChunk)])
		n += m
		if err != nil {
			break
		}
		body = body[m:]
	}
	return n
}

// ConfigDump answers /config_dump with query q (already URL-decoded, as Envoy's
// AdminFilter::queryParams decodes it): the HTTP status and body.
//
// As ConfigDumpHandler::handlerConfigDump: an invalid name_regex is 400; with resource the
// answer is addResourceToDump's, else addAllConfigToDump's. Only the first value of each
// parameter counts (getFirstValue).
func (a *Admin) ConfigDump(q url.Values) (int, []byte) {
	match, err := nameMatcher(q)
	if err != nil {
		return http.StatusBadRequest, []byte(err.Error())
	}
	_, eds := q["include_eds"]
	mask, hasMask := first(q, "mask")
	resource, hasResource := first(q, "resource")
	_, hasRegex := first(q, "name_regex")
	if !hasMask && !hasResource && !hasRegex && (eds || !a.hasEDS) {
		return http.StatusOK, a.raw // the whole file, byte for byte
	}
	// Entries the answer cannot hold are left out before their resources are matched, which
	// changes nothing but the work: a mask keeps only the dump types it fits, resource=
	// only the types with that field.
	paths := maskPaths(mask)
	answers := func(e entry) bool {
		switch {
		case hasResource:
			return e.desc != nil && e.desc.Fields().ByName(protoreflect.Name(resource)) != nil
		case hasMask:
			return validPaths(e.desc, paths)
		}
		return true
	}
	entries := a.filtered(match, eds, answers)
	var configs [][]byte
	var code int
	var msg string
	if hasResource {
		configs, code, msg = resourceConfigs(entries, resource, mask, hasMask)
	} else {
		configs, code, msg = allConfigs(entries, mask, hasMask)
	}
	if code != http.StatusOK {
		return code, []byte(msg)
	}
	return http.StatusOK, a.render(configs)
}

func first(q url.Values, key string) (string, bool) {
	v, ok := q[key]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// nameMatcher is buildNameMatcher: no or an empty name_regex matches everything; otherwise
// a Google RE2 regex that must match the whole name (CompiledGoogleReMatcher::match is
// re2::RE2::FullMatch). Go's regexp implements RE2's syntax.
func nameMatcher(q url.Values) (func(string) bool, error) {
	expr, _ := first(q, "name_regex")
	if expr == "" {
		return func(string) bool { return true }, nil
	}
	if _, err := regexp.Compile(expr); err != nil {
		return nil, fmt.Errorf("INVALID_ARGUMENT: Error while parsing name_regex from %s: %s", expr, re2Error(err))
	}
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return nil, fmt.Errorf("INVALID_ARGUMENT: Error while parsing name_regex from %s: %s", expr, re2Error(err))
	}
	return re.MatchString, nil
}

// re2Codes are RE2's texts (RE2::ErrorCodeText) for Go's regexp/syntax codes, the two
// libraries parsing the same syntax.
var re2Codes = map[syntax.ErrorCode]string{
	syntax.ErrInternalError: "unexpected error", syntax.ErrInvalidCharClass: "invalid character class",
	syntax.ErrInvalidCharRange: "invalid character class range", syntax.ErrInvalidEscape: "invalid escape sequence",
	syntax.ErrInvalidNamedCapture: "invalid named capture group", syntax.ErrInvalidPerlOp: "invalid perl operator",
	syntax.ErrInvalidRepeatOp: "bad repetition operator", syntax.ErrInvalidRepeatSize: "invalid repetition size",
	syntax.ErrInvalidUTF8: "invalid UTF-8", syntax.ErrMissingBracket: "missing ]", syntax.ErrMissingParen: "missing )",
	syntax.ErrMissingRepeatArgument: "no argument for repetition operator", syntax.ErrTrailingBackslash: "trailing \\",
	syntax.ErrUnexpectedParen: "unexpected )",
}

// re2Error words a parse error as Envoy reports RE2's: "<code text>: <offending part>"
// (checked against real Envoy 1.40 by internal/realenvoy TestAdminAPIIsEnvoys).
func re2Error(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		if text, ok := re2Codes[se.Code]; ok {
			return text + ": " + se.Expr
		}
	}
	return err.Error()
}

// filtered is what each component's dump callback returns for the matcher: every entry
// (the EndpointsConfigDump only with include_eds), its resource lists reduced to the
// resources whose name matches, empty lists dropped as proto JSON drops them.
func (a *Admin) filtered(match func(string) bool, eds bool, answers func(entry) bool) []entry {
	out := make([]entry, 0, len(a.entries))
	for _, e := range a.entries {
		if e.typeURL == adminV3+"EndpointsConfigDump" && !eds || !answers(e) {
			continue
		}
		if e.typeURL == adminV3+"BootstrapConfigDump" {
			out = append(out, e) // the bootstrap callback ignores the matcher
			continue
		}
		fe := entry{typeURL: e.typeURL, desc: e.desc}
		for _, f := range e.fields {
			if f.list {
				f.elems = filterElems(e.typeURL, f.elems, match)
				if len(f.elems) == 0 {
					continue
				}
			}
			fe.fields = append(fe.fields, f)
		}
		out = append(out, fe)
	}
	return out
}

// filterElems keeps the resources whose name matches. Listeners follow
// dumpListenerConfigs: an unnamed error entry always stays, and a skipped listener that
// has an error_state comes back, after the matched ones, as its name and error only.
// Scoped route configs follow ScopedRoutesConfigProviderManager::dumpConfigs: the entry
// stays and its scoped_route_configs are matched by name.
func filterElems(typeURL string, elems []elem, match func(string) bool) []elem {
	var kept, errs []elem
	for _, el := range elems {
		switch {
		case typeURL == adminV3+"ScopedRoutesConfigDump":
			kept = append(kept, elem{raw: filterScoped(el.raw, match)})
		case typeURL == adminV3+"ListenersConfigDump" && !el.named:
			kept = append(kept, el)
		case match(el.name):
			kept = append(kept, el)
		case typeURL == adminV3+"ListenersConfigDump" && el.errOnly != nil:
			errs = append(errs, elem{raw: el.errOnly, name: el.name, named: true})
		}
	}
	return append(kept, errs...)
}

func filterScoped(raw json.RawMessage, match func(string) bool) json.RawMessage {
	ms, err := members(raw)
	if err != nil {
		return raw
	}
	out := make([]member, 0, len(ms))
	for _, m := range ms {
		if m.key == "scoped_route_configs" {
			var configs []json.RawMessage
			_ = json.Unmarshal(m.raw, &configs)
			var keep []json.RawMessage
			for _, c := range configs {
				var n named
				_ = json.Unmarshal(c, &n)
				if match(n.Name) {
					keep = append(keep, c)
				}
			}
			if len(keep) == 0 {
				continue
			}
			m.raw, _ = json.Marshal(keep)
		}
		out = append(out, m)
	}
	return objectJSON("", out)
}

// render writes {"configs": [...]} indented like the served file; no configs is "{}", as
// proto JSON prints an empty ConfigDump.
func (a *Admin) render(configs [][]byte) []byte {
	var b bytes.Buffer
	if len(configs) == 0 {
		b.WriteString("{}")
	} else {
		b.WriteString(`{"configs":[`)
		for i, c := range configs {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(c)
		}
		b.WriteString("]}")
	}
	var out bytes.Buffer
	out.Grow(b.Len() * 5 / 4)
	if err := json.Indent(&out, b.Bytes(), "", a.indent); err != nil {
		return b.Bytes()
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// objectJSON writes an object with "@type" first (when typeURL is set) and ms in order.
func objectJSON(typeURL string, ms []member) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	if typeURL != "" {
		t, _ := json.Marshal(typeURL)
		b.WriteString(`"@type":`)
		b.Write(t)
		n++
	}
	for _, m := range ms {
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.raw)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// indentOf guesses the file's indentation unit from its second line (Envoy: one space;
// istiod and hack/dumpgen: two).
func indentOf(dump []byte) string {
	_, rest, ok := bytes.Cut(dump, []byte("\n"))
	if !ok {
		return " "
	}
	n := len(rest) - len(bytes.TrimLeft(rest, " "))
	if n == 0 {
		return " "
	}
	return strings.Repeat(" ", n)
}
