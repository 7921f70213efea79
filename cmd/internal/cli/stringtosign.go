package cli

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/azblobmin/azblobmin/sharedkey"
)

// fixedSTSLines names the twelve positional lines at the top of a SharedKey
// string-to-sign for the Blob service, as the signer lays them out.
var fixedSTSLines = sharedkey.StringToSignFields()

// STSLine is one line of a string-to-sign with what it stands for.
type STSLine struct {
	N     int    `json:"n"`     // 1-based
	Label string `json:"label"` // e.g. "Content-Length", "x-ms-date header", "resource", "query comp"
	Text  string `json:"text"`  // the line as signed, without its newline
}

// SplitStringToSign cuts a string-to-sign into labelled lines. The labels
// follow the SharedKey layout: twelve standard headers, then the
// canonicalized x-ms- headers, then the canonicalized resource
// (/account/path) and one line per query parameter.
func SplitStringToSign(sts string) []STSLine {
	parts := strings.Split(sts, "\n")
	out := make([]STSLine, 0, len(parts))
	inResource := false
	for i, text := range parts {
		var label string
		switch {
		case i < len(fixedSTSLines):
			label = fixedSTSLines[i]
		case inResource:
			name, _, _ := strings.Cut(text, ":")
			label = "query " + name
		case strings.HasPrefix(text, "/"):
			label = "resource"
			inResource = true
		case strings.HasPrefix(strings.ToLower(text), "x-ms-"):
			name, _, _ := strings.Cut(text, ":")
			label = name + " header"
		default:
			label = "?"
		}
		out = append(out, STSLine{N: i + 1, Label: label, Text: text})
	}
	return out
}

// Visible makes every character of a signed line readable: control
// characters, invalid UTF-8 and non-breaking or unusual spaces are shown
// as Go escapes, because a stray tab or \r is exactly the kind of
// difference that makes two signatures disagree.
func Visible(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == ' ':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.IsSpace(r) || !unicode.IsPrint(r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// serverSTSMarker is how Azure introduces its own string-to-sign in the
// AuthenticationErrorDetail of a 403 AuthenticationFailed.
const serverSTSMarker = "Server used following string to sign: '"

// ServerStringToSign extracts the string-to-sign Azure reports in an
// AuthenticationErrorDetail ("... Server used following string to sign:
// 'GET\n\n...'."). ok is false when the detail has none (Azurite never sends
// one).
func ServerStringToSign(detail string) (sts string, ok bool) {
	i := strings.Index(detail, serverSTSMarker)
	if i < 0 {
		return "", false
	}
	rest := detail[i+len(serverSTSMarker):]
	j := strings.LastIndex(rest, "'")
	if j < 0 {
		return "", false
	}
	sts = rest[:j]
	// Some gateways and SDKs pass the detail on with the newlines escaped.
	if !strings.Contains(sts, "\n") && strings.Contains(sts, `\n`) {
		sts = strings.ReplaceAll(sts, `\n`, "\n")
	}
	return strings.ReplaceAll(sts, "\r\n", "\n"), true
}

// ParseServerStringToSignFile reads a server's string-to-sign as a user
// saved it: the raw text (one line per line), a JSON string as Azurite logs
// it with --debug ("GET\n\n..."), text with literal \n escapes, or a whole
// AuthenticationErrorDetail. Trailing newlines are dropped: a string-to-sign
// never ends with one, but editors add one.
func ParseServerStringToSignFile(content string) (string, error) {
	s := strings.TrimRight(content, "\r\n")
	if s == "" {
		return "", fmt.Errorf("the file is empty; save the server's string-to-sign in it (raw, as a JSON string, or the whole AuthenticationErrorDetail)")
	}
	if sts, ok := ServerStringToSign(s); ok {
		return sts, nil
	}
	if strings.HasPrefix(s, `"`) {
		var out string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return "", fmt.Errorf("the file starts with a quote but is not a valid JSON string: %v", err)
		}
		return out, nil
	}
	if !strings.Contains(s, "\n") && strings.Contains(s, `\n`) {
		s = strings.ReplaceAll(s, `\n`, "\n")
	}
	return strings.ReplaceAll(s, "\r\n", "\n"), nil
}

// FirstDifference returns the 1-based number of the first line where ours
// and theirs differ, or 0 when they are equal.
func FirstDifference(ours, theirs string) int {
	if ours == theirs {
		return 0
	}
	a, b := strings.Split(ours, "\n"), strings.Split(theirs, "\n")
	for i := 0; i < len(a) || i < len(b); i++ {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			return i + 1
		}
	}
	return 0 // unreachable: equal line lists mean equal strings
}

// FormatStringToSign renders a string-to-sign for a terminal, one numbered
// and labelled line each, with the newline that ends each line written out
// as \n so that an empty line is visibly empty:
//
//	1  VERB                 GET\n
//	2  Content-Encoding     \n
func FormatStringToSign(sts string) string {
	lines := SplitStringToSign(sts)
	var b strings.Builder
	for i, l := range lines {
		nl := `\n`
		if i == len(lines)-1 {
			nl = "" // the string-to-sign does not end with a newline
		}
		fmt.Fprintf(&b, "%3d  %-22s %s%s\n", l.N, l.Label, Visible(l.Text), nl)
	}
	return b.String()
}

// FormatSTSComparison renders ours next to theirs, line by line, marking the
// first line that differs with ">>" and every other differing line with
// "!". It returns the rendering and the first differing line (0 if equal).
func FormatSTSComparison(ours, theirs string) (string, int) {
	first := FirstDifference(ours, theirs)
	a, b := SplitStringToSign(ours), strings.Split(theirs, "\n")
	n := max(len(a), len(b))
	width := 4
	for _, l := range a {
		width = max(width, utf8.RuneCountInString(Visible(l.Text))+2)
	}
	width = min(width, 60)
	var out strings.Builder
	fmt.Fprintf(&out, "     %3s  %-22s %-*s %s\n", "", "", width, "ours", "server")
	for i := 0; i < n; i++ {
		var label, x, y string
		if i < len(a) {
			label, x = a[i].Label, Visible(a[i].Text)+`\n`
		} else {
			x = "(missing)"
		}
		if i < len(b) {
			y = Visible(b[i]) + `\n`
		} else {
			y = "(missing)"
		}
		if i == len(a)-1 {
			x = strings.TrimSuffix(x, `\n`)
		}
		if i == len(b)-1 {
			y = strings.TrimSuffix(y, `\n`)
		}
		mark := "  "
		switch {
		case i+1 == first:
			mark = ">>"
		case i >= len(a) || i >= len(b) || a[i].Text != b[i]:
			mark = " !"
		}
		fmt.Fprintf(&out, "%s %3d  %-22s %-*s %s\n", mark, i+1, label, width, x, y)
	}
	if first == 0 {
		out.WriteString("the two strings are identical\n")
	} else {
		fmt.Fprintf(&out, ">> first difference at line %d\n", first)
	}
	return out.String(), first
}

// DescribeDifference names the difference between ours and theirs in one
// sentence when it is simple — one extra line on either side, or one line
// changed — which is what a header added, dropped or rewritten on the way
// looks like. It returns "" for equal strings and for anything else.
func DescribeDifference(ours, theirs string) string {
	if ours == theirs {
		return ""
	}
	a, b := strings.Split(ours, "\n"), strings.Split(theirs, "\n")
	if k, ok := oneExtra(a, b); ok {
		return fmt.Sprintf("the server's string has one extra line, %d: %q (added to the request after it was signed?)", k+1, Visible(b[k]))
	}
	if k, ok := oneExtra(b, a); ok {
		return fmt.Sprintf("the server's string lacks our line %d: %q (removed from the request after it was signed?)", k+1, Visible(a[k]))
	}
	if len(a) == len(b) {
		diff := -1
		for i := range a {
			if a[i] != b[i] {
				if diff >= 0 {
					return ""
				}
				diff = i
			}
		}
		return fmt.Sprintf("only line %d differs: ours %q, the server's %q", diff+1, Visible(a[diff]), Visible(b[diff]))
	}
	return ""
}

// oneExtra reports whether long is short with one line inserted, and where.
func oneExtra(short, long []string) (int, bool) {
	if len(long) != len(short)+1 {
		return 0, false
	}
	k := 0
	for k < len(short) && short[k] == long[k] {
		k++
	}
	for i := k; i < len(short); i++ {
		if short[i] != long[i+1] {
			return 0, false
		}
	}
	return k, true
}
