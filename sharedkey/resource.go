package sharedkey

import (
	"errors"
	"net/url"
	"strings"
)

// appendCanonicalizedResource appends "/<account><path>" followed by one
// "\n<name>:<v1>,<v2>" line per query parameter name.
//
// The path is the escaped path exactly as net/http puts it on the request
// line (url.URL.EscapedPath, or Opaque when set), because the service signs
// the path as it received it. For a path-style emulator URL the path already
// starts with the account, so the resource names the account twice:
// "/devstoreaccount1/devstoreaccount1/container/blob" (Azurite checks exactly
// this).
func appendCanonicalizedResource(b []byte, u *url.URL, account string) ([]byte, error) {
	path := u.EscapedPath()
	if u.Opaque != "" {
		// net/http sends Opaque verbatim as the request target.
		if !strings.HasPrefix(u.Opaque, "/") || strings.HasPrefix(u.Opaque, "//") {
			return b, errors.New("sharedkey: cannot sign a URL whose opaque part is not an absolute path")
		}
		path = u.Opaque
	}
	if path == "" {
		path = "/"
	}
	if controlAt(path) >= 0 || controlAt(u.RawQuery) >= 0 {
		// net/http refuses these too ("can't write control character in
		// Request.URL"); a raw line feed would also blur the fields.
		return b, errors.New("sharedkey: the URL's path or query contains a control character; net/http would refuse to send it")
	}
	b = append(b, '/')
	b = append(b, account...)
	b = append(b, path...)
	return appendCanonicalizedQuery(b, u.RawQuery)
}

// queryParam is one name=value pair of the raw query: the name decoded (and
// lower-cased when it is not ASCII), the value still percent-encoded.
type queryParam struct{ name, rawValue string }

// appendCanonicalizedQuery appends the query parameters: names decoded and
// lower-cased, sorted; values decoded ('+' is a space, as in HTML forms and
// net/url), sorted, and joined by commas when a name repeats.
func appendCanonicalizedQuery(b []byte, raw string) ([]byte, error) {
	var store [16]queryParam
	params := store[:0]
	for rest := raw; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "&")
		if seg == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(seg, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			return b, errors.New("sharedkey: a query parameter name is not valid percent-encoding")
		}
		if !isASCII(name) {
			name = strings.ToLower(name)
		}
		if !validEscapes(rawValue) {
			return b, errors.New("sharedkey: the value of query parameter " + strings.ToLower(safeName(name)) + " is not valid percent-encoding")
		}
		// A decoded line feed would let one parameter forge the line of
		// another ("?a=1%0Ab:2" signs like "?a=1&b=2"), so refuse it.
		if strings.IndexByte(name, '\n') >= 0 || containsFoldASCII(rawValue, "%0a") {
			return b, errors.New("sharedkey: query parameter " + strings.ToLower(safeName(name)) + " contains an encoded line feed (%0A), which would make the string-to-sign ambiguous")
		}
		params = append(params, queryParam{name, rawValue})
	}
	sortParams(params)
	for i := 0; i < len(params); {
		b = append(b, '\n')
		b = appendLowerASCII(b, params[i].name)
		b = append(b, ':')
		b = appendQueryUnescaped(b, params[i].rawValue)
		j := i + 1
		for ; j < len(params) && equalFoldASCII(params[j].name, params[i].name); j++ {
			b = append(b, ',')
			b = appendQueryUnescaped(b, params[j].rawValue)
		}
		i = j
	}
	return b, nil
}

// sortParams orders by lower-cased name, then by decoded value (byte order).
func sortParams(p []queryParam) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && compareParams(p[j-1], p[j]) > 0; j-- {
			p[j-1], p[j] = p[j], p[j-1]
		}
	}
}

func compareParams(a, b queryParam) int {
	if c := compareFoldASCII(a.name, b.name); c != 0 {
		return c
	}
	// Only repeated names get here; decoding allocates but is rare.
	va, _ := url.QueryUnescape(a.rawValue)
	vb, _ := url.QueryUnescape(b.rawValue)
	return strings.Compare(va, vb)
}

func compareFoldASCII(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := toLowerASCII(a[i]), toLowerASCII(b[i])
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// containsFoldASCII reports whether s contains sub (lower-case ASCII)
// without regard to letter case.
func containsFoldASCII(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// safeName returns a query parameter name for an error message, or a
// placeholder when the name does not look like one (so that a mangled
// secret is never echoed).
func safeName(name string) string {
	if len(name) == 0 || len(name) > 32 {
		return "(unnamed)"
	}
	for i := 0; i < len(name); i++ {
		c := name[i] | 0x20
		if c < 'a' || c > 'z' {
			return "(unnamed)"
		}
	}
	return name
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func validEscapes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+2 >= len(s) {
			return false
		}
		if _, ok := unhex(s[i+1]); !ok {
			return false
		}
		if _, ok := unhex(s[i+2]); !ok {
			return false
		}
		i += 2
	}
	return true
}

// appendQueryUnescaped appends s decoded as net/url.QueryUnescape would; s
// must have passed validEscapes.
func appendQueryUnescaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			hi, _ := unhex(s[i+1])
			lo, _ := unhex(s[i+2])
			b = append(b, hi<<4|lo)
			i += 2
		default:
			b = append(b, c)
		}
	}
	return b
}
