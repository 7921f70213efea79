package sharedkey

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

// stdHeaders are the standard headers of the Blob service string-to-sign, in
// their order. Content-Length is not here: it comes from req.ContentLength
// and is written between Content-Language and Content-MD5.
var stdHeaders = [...]string{
	"Content-Encoding",
	"Content-Language",
	"Content-MD5",
	"Content-Type",
	"Date",
	"If-Modified-Since",
	"If-Match",
	"If-None-Match",
	"If-Unmodified-Since",
	"Range",
}

// slotContentLanguage is the slot after which Content-Length is written.
const slotContentLanguage = 1

// StringToSignFields returns the names of the twelve positional lines at
// the top of a Shared Key string-to-sign, in order: "VERB",
// "Content-Encoding", "Content-Language", "Content-Length", "Content-MD5",
// "Content-Type", "Date", "If-Modified-Since", "If-Match", "If-None-Match",
// "If-Unmodified-Since", "Range" (the field column of SIGNING.md, section 1).
// The canonicalized x-ms-* headers and the canonicalized resource follow
// them and have no fixed position. Tools that explain a string-to-sign label
// its lines with these names. The list is built from the table
// [StringToSign] writes from, so the two cannot disagree; each call returns
// a new slice.
func StringToSignFields() []string {
	f := make([]string, 0, len(stdHeaders)+2)
	f = append(f, "VERB")
	f = append(f, stdHeaders[:slotContentLanguage+1]...)
	f = append(f, "Content-Length")
	return append(f, stdHeaders[slotContentLanguage+1:]...)
}

// xmsHeader is one x-ms-* header as it goes on the wire.
type xmsHeader struct{ name, value string }

// StringToSign returns the text a Shared Key signature of req covers, for Blob
// service versions 2015-02-21 and later:
//
//	VERB \n Content-Encoding \n Content-Language \n Content-Length \n
//	Content-MD5 \n Content-Type \n Date \n If-Modified-Since \n If-Match \n
//	If-None-Match \n If-Unmodified-Since \n Range \n
//	CanonicalizedHeaders CanonicalizedResource
//
// Header values are taken as net/http will send them (leading and trailing
// spaces and tabs removed); header keys are matched without regard to letter
// case, so keys set without Go's canonical casing are found too.
// Content-Length is req.ContentLength, empty when zero or unknown. See
// SIGNING.md for every rule and worked examples.
//
// It returns an error, without echoing header values, for requests net/http
// would refuse to send or that the service could not sign unambiguously: a
// header given twice, an invalid header name, a control character in a
// value, an invalid method, or a query that is not valid percent-encoding.
func StringToSign(req *http.Request, accountName string) (string, error) {
	if err := checkAccountName(accountName); err != nil {
		return "", err
	}
	b, _, err := appendStringToSign(nil, req, accountName)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// appendStringToSign appends the string-to-sign of req to b; account must
// have passed checkAccountName. strayAuth reports an Authorization header
// under a non-canonical key, which Authorize must remove lest net/http send
// two. It allocates nothing beyond growing b for requests with at most 16
// x-ms-* headers and 16 query parameters and no percent-encoded query names.
func appendStringToSign(b []byte, req *http.Request, account string) (_ []byte, strayAuth bool, _ error) {
	if req == nil || req.URL == nil {
		return b, false, errors.New("sharedkey: cannot sign a nil request or a request without a URL")
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet // what net/http sends for an empty Method
	}
	if !isToken(method) {
		return b, false, errors.New("sharedkey: request method is not a valid HTTP token")
	}

	var std [len(stdHeaders)]string
	var seen [len(stdHeaders)]bool
	var store [16]xmsHeader
	xms := store[:0]
	size := len(method) + len(account) + 32
	for key, values := range req.Header {
		if len(values) == 0 {
			continue // net/http sends nothing for a key without values
		}
		if hasXMSPrefix(key) {
			if !isToken(key) {
				return b, false, fmt.Errorf("sharedkey: header name %q is not a valid HTTP token", key)
			}
			if len(values) > 1 {
				return b, false, fmt.Errorf("sharedkey: header %s has %d values; the service signs one value per x-ms-* header, so set it once", key, len(values))
			}
			v, err := wireValue(key, values[0])
			if err != nil {
				return b, false, err
			}
			xms = append(xms, xmsHeader{key, v})
			size += len(key) + len(v) + 2
			continue
		}
		i := stdHeaderIndex(key)
		if i < 0 {
			if len(key) == len("Authorization") && key != "Authorization" && equalFoldASCII(key, "Authorization") {
				strayAuth = true
			}
			continue // not covered by the signature
		}
		if seen[i] || len(values) > 1 {
			return b, false, fmt.Errorf("sharedkey: header %s is set more than once (values or keys differing only in letter case); set it once", stdHeaders[i])
		}
		v, err := wireValue(key, values[0])
		if err != nil {
			return b, false, err
		}
		seen[i], std[i] = true, v
		size += len(v)
	}
	sortHeaders(xms)
	for i := 1; i < len(xms); i++ {
		if compareHeaderNames(xms[i-1].name, xms[i].name) == 0 {
			return b, false, fmt.Errorf("sharedkey: header %s is set twice under keys that differ only in letter case; set it once", lowerASCII(xms[i].name))
		}
	}

	size += len(req.URL.Path) + len(req.URL.RawPath) + len(req.URL.Opaque) + len(req.URL.RawQuery) + 16
	b = slices.Grow(b, size)

	b = append(b, method...)
	b = append(b, '\n')
	for i, v := range std {
		b = append(b, v...)
		b = append(b, '\n')
		if i == slotContentLanguage {
			if req.ContentLength > 0 {
				b = strconv.AppendInt(b, req.ContentLength, 10)
			}
			b = append(b, '\n')
		}
	}
	for _, h := range xms {
		b = appendLowerASCII(b, h.name)
		b = append(b, ':')
		b = append(b, h.value...)
		b = append(b, '\n')
	}
	b, err := appendCanonicalizedResource(b, req.URL, account)
	return b, strayAuth, err
}

// wireValue returns a header value as net/http writes it: it refuses what
// the transport refuses (control characters other than tab) and trims
// leading and trailing spaces and tabs as the transport does.
func wireValue(key, v string) (string, error) {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return "", fmt.Errorf("sharedkey: header %s has a control character in its value at byte %d; net/http would refuse to send it", key, i)
		}
	}
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v, nil
}

// sortHeaders sorts by the service's header order. Insertion sort: a request
// carries a handful of x-ms-* headers, and it allocates nothing.
func sortHeaders(h []xmsHeader) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && compareHeaderNames(h[j-1].name, h[j].name) > 0; j-- {
			h[j-1], h[j] = h[j], h[j-1]
		}
	}
}

func hasXMSPrefix(k string) bool {
	return len(k) >= 5 && k[0]|0x20 == 'x' && k[1] == '-' && k[2]|0x20 == 'm' && k[3]|0x20 == 's' && k[4] == '-'
}

// stdHeaderIndex returns the slot of a standard signed header, matching the
// key without regard to letter case, or -1.
func stdHeaderIndex(k string) int {
	for i, name := range stdHeaders {
		if len(name) == len(k) && equalFoldASCII(name, k) {
			return i
		}
	}
	return -1
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if toLowerASCII(a[i]) != toLowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func toLowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func appendLowerASCII(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b = append(b, toLowerASCII(s[i]))
	}
	return b
}

func lowerASCII(s string) string { return string(appendLowerASCII(nil, s)) }

// tokenChars are the characters of an HTTP token (RFC 9110, section 5.6.2),
// the only ones net/http accepts in a header name or method.
var tokenChars = func() (t [256]bool) {
	for _, c := range []byte("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		t[c] = true
	}
	return t
}()

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return true
}
