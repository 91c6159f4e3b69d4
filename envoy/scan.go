package envoy

import (
	"bytes"
	"encoding/json"
)

// A small scanner over JSON that json.Valid has already accepted: it finds where values
// end and walks object members and array elements without decoding them, so ParseFiltered
// can split a dump into resources and read their names at close to json.Valid's speed.
// Every function takes the index of a value's first byte and returns the index just past it.

// skipWS returns the index of the first non-whitespace byte at or after i.
func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	i++
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return len(b)
		}
		i += j
		n := 0
		for k := i - 1; b[k] == '\\'; k-- {
			n++
		}
		i++
		if n%2 == 0 {
			return i
		}
	}
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// fields walks the object at b[i] == '{'. fn gets each raw key (between the quotes) and
// the index of its value, and returns the index after the value, or -1 to have it
// skipped. fields returns the index after the object.
func fields(b []byte, i int, fn func(key []byte, v int) int) int {
	i = skipWS(b, i+1)
	for i < len(b) && b[i] != '}' {
		end := skipString(b, i)
		key := b[i+1 : end-1]
		v := skipWS(b, skipWS(b, end)+1) // past ':'
		if i = fn(key, v); i < 0 {
			i = skipValue(b, v)
		}
		if i = skipWS(b, i); i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
		}
	}
	return i + 1
}

// elems walks the array at b[i] == '['; fn gets the index of each element and returns the
// index after it, or -1 to have it skipped. elems returns the index after the array.
func elems(b []byte, i int, fn func(v int) int) int {
	i = skipWS(b, i+1)
	for i < len(b) && b[i] != ']' {
		if end := fn(i); end >= 0 {
			i = end
		} else {
			i = skipValue(b, i)
		}
		if i = skipWS(b, i); i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
		}
	}
	return i + 1
}

// stringAt decodes the string value at b[i:end]; ok is false for other values.
func stringAt(b []byte, i, end int) (s string, ok bool) {
	if b[i] != '"' {
		return "", false
	}
	raw := b[i:end]
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	return s, json.Unmarshal(raw, &s) == nil
}
