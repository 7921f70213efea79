package cli

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Small text-scanning helpers for the Scrubber's secret patterns. They
// exist so the CLI needs no regexp (which costs its binary ~250 KB); each
// reproduces one regexp construct exactly, including its corner cases, and
// redact_diff_test.go checks the patterns against the old regexps.
// restapi/redact_scan.go has the same helpers: packages share no
// unexported code, and these are too small to export.

// spaces is regexp's \s: ASCII tab, newline, form feed, carriage return and
// space (not vertical tab).
const spaces = "\t\n\f\r "

// A secretMatcher reports whether a match starts at s[i] and, if so, where
// the secret value to replace lies: s[valStart:valEnd]. Scanning resumes at
// valEnd. No matcher matches the empty string.
type secretMatcher func(s string, i int) (valStart, valEnd int, ok bool)

// replaceSecrets replaces the value of every match of m with Redacted,
// trying each position left to right and resuming after a match, as
// regexp's ReplaceAllString does. Trying every byte (not every rune) is
// equivalent because every match begins with an ASCII byte or a UTF-8
// lead byte, and those are always where a rune starts.
func replaceSecrets(s string, m secretMatcher) string {
	var b strings.Builder
	last, found := 0, false
	for i := 0; i < len(s); {
		start, end, ok := m(s, i)
		if !ok {
			i++
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(Redacted)
		last, i, found = end, end, true
	}
	if !found {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// hasPrefixFold reports whether lit occurs at s[i], ignoring case the way
// (?i) does: by Unicode simple folding, so "ſ" (U+017F) matches "s" and the
// Kelvin sign "K" (U+212A) matches "k". It returns the index just past it.
func hasPrefixFold(s string, i int, lit string) (int, bool) {
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

// valueEnd returns the index of the first byte at or after s[i] that is in
// stop (all ASCII), or len(s): the end of a negated class run like
// [^&\s"'<>]*.
func valueEnd(s string, i int, stop string) int {
	if n := strings.IndexAny(s[i:], stop); n >= 0 {
		return i + n
	}
	return len(s)
}

// skipSpaces returns the index just past the run of \s at s[i].
func skipSpaces(s string, i int) int {
	for i < len(s) && strings.IndexByte(spaces, s[i]) >= 0 {
		i++
	}
	return i
}

// tokenEnd returns the end of the run at s[i] of runes from the class
// (?i)[A-Za-z0-9<extra>] and how many runes it holds. Under (?i) that class
// also holds the two non-ASCII runes that fold to ASCII letters, "ſ"
// (U+017F) and "K" (U+212A); they are kept so the behaviour is the old one.
func tokenEnd(s string, i int, extra string) (end, runes int) {
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
