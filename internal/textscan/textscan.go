// Package textscan holds the small text-scanning pieces that secret
// redaction is built from (restapi's error and log redaction, the CLI's
// output scrubber), so neither needs package regexp, which costs a binary
// about 250 KB. Each helper reproduces one regexp construct exactly,
// including its corner cases; the redaction tests in restapi and
// cmd/internal/cli check the matchers built from them against the regular
// expressions they replaced.
//
// It is not a general matching library: it has only what those matchers use.
package textscan

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Spaces is regexp's \s: ASCII tab, newline, form feed, carriage return and
// space (not vertical tab).
const Spaces = "\t\n\f\r "

// A Matcher reports whether a match starts at s[i] and, if so, where
// the secret value to replace lies: s[valStart:valEnd]. Scanning resumes at
// valEnd. No matcher matches the empty string.
type Matcher func(s string, i int) (valStart, valEnd int, ok bool)

// Replace replaces the value of every match of m with redacted,
// trying each position left to right and resuming after a match, as
// regexp's ReplaceAllString does. Trying every byte (not every rune) is
// equivalent because every match begins with an ASCII byte or a UTF-8
// lead byte, and those are always where a rune starts.
func Replace(s string, m Matcher, redacted string) string {
	var b strings.Builder
	last, found := 0, false
	for i := 0; i < len(s); {
		start, end, ok := m(s, i)
		if !ok {
			i++
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(redacted)
		last, i, found = end, end, true
	}
	if !found {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// HasPrefixFold reports whether lit occurs at s[i], ignoring case the way
// (?i) does: by Unicode simple folding, so "ſ" (U+017F) matches "s" and the
// Kelvin sign "K" (U+212A) matches "k". It returns the index just past it.
func HasPrefixFold(s string, i int, lit string) (int, bool) {
	for _, want := range lit {
		if i >= len(s) {
			return 0, false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !foldEqual(r, want) {
			return 0, false
		}
		i += size
	}
	return i, true
}

// foldEqual reports whether r is lit or one of lit's case variants.
func foldEqual(r, lit rune) bool {
	f := lit
	for {
		if f == r {
			return true
		}
		if f = unicode.SimpleFold(f); f == lit {
			return false
		}
	}
}

// ValueEnd returns the index of the first byte at or after s[i] that is in
// stop (all ASCII), or len(s): the end of a negated class run like
// [^&\s"'<>]*.
func ValueEnd(s string, i int, stop string) int {
	if n := strings.IndexAny(s[i:], stop); n >= 0 {
		return i + n
	}
	return len(s)
}

// SkipSpaces returns the index just past the run of \s at s[i].
func SkipSpaces(s string, i int) int {
	for i < len(s) && strings.IndexByte(Spaces, s[i]) >= 0 {
		i++
	}
	return i
}

// TokenEnd returns the end of the run at s[i] of runes from the class
// (?i)[A-Za-z0-9<extra>] and how many runes it holds. Under (?i) that class
// also holds the two non-ASCII runes that fold to ASCII letters, "ſ"
// (U+017F) and "K" (U+212A); they are kept so the behaviour is the old one.
func TokenEnd(s string, i int, extra string) (end, runes int) {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		isToken := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
			r < utf8.RuneSelf && strings.IndexByte(extra, byte(r)) >= 0 ||
			r == '\u017f' || r == '\u212a'
		if !isToken {
			break
		}
		i += size
		runes++
	}
	return i, runes
}

// AtWordBoundary is regexp's \b at s[i]: an ASCII word character
// [0-9A-Za-z_] on one side and not on the other (the text's ends count as
// non-word).
func AtWordBoundary(s string, i int) bool {
	before := i > 0 && isWordByte(s[i-1])
	after := i < len(s) && isWordByte(s[i])
	return before != after
}

func isWordByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_'
}
