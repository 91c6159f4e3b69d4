package envoy

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The name_regex values FetchForHost sends. Envoy matches name_regex against the whole
// name with RE2 (CompiledGoogleReMatcher::match is re2::RE2::FullMatch), so each regex is
// written to match at least every name ForHost's predicate keeps; envoy/fetch_regex_test.go
// checks that over every dump in testdata and over edge cases. Go's regexp is RE2's syntax.

// maxRegexLen bounds one name_regex. Envoy compiles it with the runtime's RE2 program size
// limit (re2.max_program_size.error_level: Istio's bootstrap sets 32768; a literal costs
// about one instruction per byte) and the admin reads it from the request line, so longer
// lists of names are split over several requests.
const maxRegexLen = 12000

// listenerRegex matches the listener names ForHost(host, port) keeps: names ending in
// _port, and those anyPortListenerRegex matches. Port 0 keeps every listener: no regex.
func listenerRegex(port int) string {
	if port == 0 {
		return ""
	}
	return `(?s)` + portListenerRegex(port)
}

// portListenerRegex is listenerRegex without its flags.
func portListenerRegex(port int) string {
	return `.*_` + strconv.Itoa(port) + `|` + anyPortListenerRegex
}

// anyPortListenerRegex matches the names anyPortListener keeps: 0.0.0.0_* and [::]_*
// listeners, and those virtualListenerRegex matches.
const anyPortListenerRegex = `0\.0\.0\.0_.*|\[::\]_.*|` + virtualListenerRegex

// virtualListenerRegex matches the names virtualListener keeps: no underscore.
const virtualListenerRegex = `[^_]*`

// clusterRegex matches the cluster names ForHost(host, port) keeps by name: every name
// ParseClusterName rejects (no Istio name: PassthroughCluster, agent, ...; a direction it
// does not know; a port that is not one), every Istio name without a host, and every Istio
// name whose host could cover host (domainCovers). Ports of five digits are taken as
// possibly invalid, a small superset.
func clusterRegex(host string) string {
	anyPart := `[^|]*`
	return `(?s)` + strings.Join([]string{
		anyPart + `(?:\|` + anyPart + `){0,2}`, // fewer than four parts
		anyPart + `(?:\|` + anyPart + `){4,}`,  // more than four
		complement([]string{"outbound", "inbound", "inbound-vip"}) + `\|` + anyPart + `\|` + anyPart + `\|` + anyPart,
		anyPart + `\|(?:` + badPort + `)\|` + anyPart + `\|` + anyPart,
		anyPart + `\|` + anyPart + `\|` + anyPart + `\|(?:` + coveringHost(host) + `)?`,
	}, "|")
}

// badPort matches every port part strconv.Atoi rejects or that is outside 0-65535 (and
// some valid ones with a sign): empty, a non-digit anywhere, or digits above 65535.
const badPort = `|[^|]*[^0-9|][^|]*|0*(?:[1-9][0-9]{5,}|6553[6-9]|655[4-9][0-9]|65[6-9][0-9]{2}|6[6-9][0-9]{3}|[7-9][0-9]{4})`

// coveringHost matches the host parts H with domainCovers(H, host): H lower-cased, cut at
// a ":port", less one trailing dot, is "*", host, "*"+a suffix of host, a prefix of host+"*",
// or a short name of host (a prefix ending before a dot).
func coveringHost(host string) string {
	alts := []string{`\*` + optional(suffixes(host)), optional(prefixes(host)) + `\*`, regexp.QuoteMeta(host)}
	for i := range len(host) {
		if host[i] == '.' {
			alts = append(alts, regexp.QuoteMeta(host[:i]))
		}
	}
	return `(?i:` + strings.Join(alts, "|") + `)\.?(?::` + `[^|]*)?`
}

// suffixes matches every non-empty suffix of s: for "abc", (?:(?:a)?b)?c.
func suffixes(s string) string {
	r := ""
	for _, c := range s {
		q := regexp.QuoteMeta(string(c))
		if r == "" {
			r = q
		} else {
			r = optional(r) + q
		}
	}
	return r
}

// prefixes matches every non-empty prefix of s: for "abc", a(?:b(?:c)?)?.
func prefixes(s string) string {
	r := ""
	for len(s) > 0 {
		c, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
		q := regexp.QuoteMeta(string(c))
		if r == "" {
			r = q
		} else {
			r = q + optional(r)
		}
	}
	return r
}

func optional(r string) string {
	if r == "" {
		return ""
	}
	return `(?:` + r + `)?`
}

// complement matches every string without "|" that is not one of words, built over the
// words' trie: at each node, the end (unless a word ends there), any character that leaves
// the trie followed by anything, or a child's character followed by its complement.
func complement(words []string) string {
	return complementAt(words, "")
}

func complementAt(words []string, prefix string) string {
	children := map[byte][]string{}
	end := false
	for _, w := range words {
		if !strings.HasPrefix(w, prefix) {
			continue
		}
		if len(w) == len(prefix) {
			end = true
			continue
		}
		children[w[len(prefix)]] = append(children[w[len(prefix)]], w)
	}
	var alts []string
	if !end {
		alts = append(alts, "")
	}
	var chars []byte
	for c := range children {
		chars = append(chars, c)
	}
	sort.Slice(chars, func(i, j int) bool { return chars[i] < chars[j] })
	class := `[^|`
	for _, c := range chars {
		class += fmt.Sprintf(`\x{%x}`, c)
	}
	class += `][^|]*`
	alts = append(alts, class)
	for _, c := range chars {
		alts = append(alts, regexp.QuoteMeta(string(c))+complementAt(children[c], prefix+string(c)))
	}
	return `(?:` + strings.Join(alts, "|") + `)`
}

// exactRegexes splits names (sorted, distinct) into regexes matching exactly them, each
// at most maxRegexLen long (a longer name alone is one regex).
func exactRegexes(names []string) []string { return regexChunks("", names) }

// regexChunks is exactRegexes with first (a regex) leading the first chunk.
func regexChunks(first string, names []string) []string {
	var out []string
	var b strings.Builder
	b.WriteString(first)
	for _, n := range names {
		q := regexp.QuoteMeta(n)
		if b.Len() > 0 && b.Len()+1+len(q) > maxRegexLen {
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString(q)
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// fullMatch compiles a name_regex as Envoy applies it: anchored at both ends.
func fullMatch(expr string) *regexp.Regexp {
	return regexp.MustCompile(`^(?:` + expr + `)$`)
}
