package render

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Escape makes a string from the cluster or a dump safe to print on one line of a
// terminal: it can neither move the cursor, retitle, clear or beep the terminal, nor start
// a new line (a forged table row), nor reorder what follows it. It goes further than
// k8s.io/cli-runtime's printers.EscapeTerminal, which replaces only ESC and CR:
//
//   - newline, carriage return and tab become \n, \r and \t; ESC becomes ^[ (as kubectl);
//     every other C0 control becomes caret notation (^G) and DEL becomes ^?;
//   - C1 controls (U+0080–U+009F, NEL and CSI among them), the Unicode line and paragraph
//     separators (U+2028, U+2029), the bidi embeddings, overrides and isolates
//     (U+202A–U+202E, U+2066–U+2069) and the bidi marks (U+061C, U+200E, U+200F) become
//     \uXXXX;
//   - a byte that is not valid UTF-8 becomes \xNN.
//
// Everything else, printable Unicode included, is kept as is.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
			i++
			continue
		}
		writeEscaped(&b, r)
		i += size
	}
	return b.String()
}

// EscapeControl is Escape, under the name older callers use.
func EscapeControl(s string) string { return Escape(s) }

// Escapef formats like fmt.Sprintf with every string, error and fmt.Stringer argument
// escaped (the format itself is trusted: it may end in a newline). For stderr lines that
// name objects from the cluster or a dump.
func Escapef(format string, a ...any) string {
	return fmt.Sprintf(format, EscapeArgs(a)...)
}

// EscapeArgs returns a copy of a with every string, error and fmt.Stringer escaped.
func EscapeArgs(a []any) []any {
	out := make([]any, len(a))
	for i, v := range a {
		switch x := v.(type) {
		case string:
			out[i] = Escape(x)
		case error:
			out[i] = Escape(x.Error())
		case fmt.Stringer:
			out[i] = Escape(x.String())
		case []string:
			out[i] = escapeAll(x)
		default:
			out[i] = v
		}
	}
	return out
}

func escapeAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Escape(s)
	}
	return out
}

// needsEscape is the fast path: most names hold nothing to escape.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return !plainUTF8(s[i:])
		}
	}
	return false
}

// plainUTF8 reports whether s is valid UTF-8 with no rune Escape rewrites.
func plainUTF8(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || unsafeRune(r) {
			return false
		}
		i += size
	}
	return true
}

// unsafeRune reports the runes Escape rewrites.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r == 0x2028, r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

func writeEscaped(b *strings.Builder, r rune) {
	switch {
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\r':
		b.WriteString(`\r`)
	case r == '\t':
		b.WriteString(`\t`)
	case r < 0x20:
		b.WriteByte('^')
		b.WriteByte(byte(r) + '@')
	case r == 0x7f:
		b.WriteString("^?")
	case unsafeRune(r):
		fmt.Fprintf(b, `\u%04x`, r)
	default:
		b.WriteRune(r)
	}
}
