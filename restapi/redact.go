package restapi

import (
	"github.com/azblobmin/azblobmin/internal/textscan"
	"net/url"
	"strings"
)

// redacted replaces secret values in URLs and messages.
const redacted = "REDACTED"

// secretQueryParams are the query parameters whose values are credentials.
// Only the SAS signature is secret: the other SAS fields (se, sp, sv, skoid,
// ...) say what the token allows and are what a reader needs to debug it.
var secretQueryParams = map[string]bool{
	"sig": true,
}

// RedactURL returns u with the value of sig (and any other secret query
// parameter) replaced by "REDACTED" and any user-info password removed.
// Everything else, including parameter order and encoding, is kept. A
// string that is not a URL is scrubbed textually.
func RedactURL(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return RedactText(u)
	}
	changed := false
	if parsed.User != nil {
		if _, has := parsed.User.Password(); has {
			parsed.User = url.UserPassword(parsed.User.Username(), redacted)
			changed = true
		}
	}
	if parsed.RawQuery != "" {
		if q, ok := redactRawQuery(parsed.RawQuery); ok {
			parsed.RawQuery = q
			changed = true
		}
	}
	if !changed {
		// Fragments and opaque forms are not rebuilt; scrub text as a backstop.
		return RedactText(u)
	}
	return RedactText(parsed.String())
}

// redactRawQuery rewrites secret values in a raw query string without
// re-encoding the rest.
func redactRawQuery(raw string) (string, bool) {
	parts := strings.Split(raw, "&")
	changed := false
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if secretQueryParams[strings.ToLower(key)] {
			parts[i] = k + "=" + redacted
			changed = true
		}
	}
	return strings.Join(parts, "&"), changed
}

// RedactText returns s with the secrets a Blob or Entra exchange can put in
// free text replaced by "REDACTED": SAS signatures (sig=, also %26sig= and
// #sig=, and the sig: line of a string-to-sign), the request MAC Azure
// quotes in AuthenticationErrorDetail, and SharedKey or Bearer
// Authorization values. Everything else is kept, so the text stays useful
// for debugging. The package applies it to every message the server sends
// back; callers can apply it to their own logs.
//
// Each pass below replaces what one regexp used to; redact_diff_test.go
// holds those regexps and checks that the result is the same.
func RedactText(s string) string {
	if s == "" {
		return s
	}
	s = textscan.Replace(s, sigParamAt, redacted)
	s = textscan.Replace(s, sigLineAt, redacted)
	s = textscan.Replace(s, macAt, redacted)
	s = textscan.Replace(s, authValueAt, redacted)
	return s
}

// sigParamAt matches sig=<value> in a URL or message, up to a delimiter:
//
//	(?i)((?:^|[?&;#\s"'(<]|%26|%3F)sig(?:=|%3D))[^&\s"'<>)#]*
//
// "sig" must start the text or follow one of ? & ; # " ' ( < or a space,
// or an encoded & or ? (%26, %3F); "=" may be encoded as %3D. The value
// may be empty.
func sigParamAt(s string, i int) (int, int, bool) {
	j := i // where "sig" starts
	if strings.IndexByte(`?&;#"'(<`+textscan.Spaces, s[i]) >= 0 {
		j = i + 1
	} else if k, ok := textscan.HasPrefixFold(s, i, "%26"); ok {
		j = k
	} else if k, ok := textscan.HasPrefixFold(s, i, "%3F"); ok {
		j = k
	} else if i != 0 {
		return 0, 0, false
	}
	j, ok := textscan.HasPrefixFold(s, j, "sig")
	if !ok {
		return 0, 0, false
	}
	if k, ok := textscan.HasPrefixFold(s, j, "="); ok {
		j = k
	} else if k, ok := textscan.HasPrefixFold(s, j, "%3D"); ok {
		j = k
	} else {
		return 0, 0, false
	}
	return j, textscan.ValueEnd(s, j, `&"'<>)#`+textscan.Spaces), true
}

// sigLineAt matches the "sig:<value>" line of a canonicalized resource
// (string-to-sign), whether the server sent real line breaks or escaped
// "\n":
//
//	(?im)((?:^|\\n)sig:)[^\r\n\\']*
//
// "sig:" must start a line or follow a backslash and n (or N); the value,
// possibly empty, runs to the next CR, LF, backslash or single quote.
func sigLineAt(s string, i int) (int, int, bool) {
	j := i // where "sig:" starts
	if k, ok := textscan.HasPrefixFold(s, i, `\n`); ok {
		j = k
	} else if i > 0 && s[i-1] != '\n' {
		return 0, 0, false
	}
	j, ok := textscan.HasPrefixFold(s, j, "sig:")
	if !ok {
		return 0, 0, false
	}
	return j, textscan.ValueEnd(s, j, "\r\n\\'"), true
}

// macAt matches the request MAC Azure echoes in AuthenticationErrorDetail:
// it authorizes that very request for as long as its date is accepted.
//
//	(?i)(signature found in the HTTP request ')[^']*(')
//
// The closing quote must be there; it is kept.
func macAt(s string, i int) (int, int, bool) {
	j, ok := textscan.HasPrefixFold(s, i, "signature found in the HTTP request '")
	if !ok {
		return 0, 0, false
	}
	end := strings.IndexByte(s[j:], '\'')
	if end < 0 {
		return 0, 0, false
	}
	return j, j + end, true
}

// authValueAt matches an Authorization header value, "SharedKey
// acct:<mac>" or "Bearer <token>":
//
//	(?i)\b(SharedKey(?:Lite)?\s+[^:\s]+:)[A-Za-z0-9+/=]+|\b(Bearer\s+)[A-Za-z0-9\-._~+/]{16,}=*
func authValueAt(s string, i int) (int, int, bool) {
	if !textscan.AtWordBoundary(s, i) {
		return 0, 0, false
	}
	if j, ok := textscan.HasPrefixFold(s, i, "SharedKey"); ok {
		// "Lite" is optional; without it, it could not be followed by \s.
		if k, ok := textscan.HasPrefixFold(s, j, "Lite"); ok {
			j = k
		}
		k := textscan.SkipSpaces(s, j)
		if k == j {
			return 0, 0, false
		}
		j = textscan.ValueEnd(s, k, ":"+textscan.Spaces) // the account name
		if j == k || j == len(s) || s[j] != ':' {
			return 0, 0, false
		}
		end, n := textscan.TokenEnd(s, j+1, "+/=")
		return j + 1, end, n > 0
	}
	if j, ok := textscan.HasPrefixFold(s, i, "Bearer"); ok {
		k := textscan.SkipSpaces(s, j)
		if k == j {
			return 0, 0, false
		}
		end, n := textscan.TokenEnd(s, k, "-._~+/")
		for end < len(s) && s[end] == '=' {
			end++
		}
		return k, end, n >= 16
	}
	return 0, 0, false
}
