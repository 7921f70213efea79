package restapi

import (
	"net/url"
	"regexp"
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
		return redactText(u)
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
		return redactText(u)
	}
	return redactText(parsed.String())
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

var (
	// sig=<value> in a URL or message, up to a delimiter.
	sigParamRE = regexp.MustCompile(`(?i)((?:^|[?&;#\s"'(<]|%26|%3F)sig(?:=|%3D))[^&\s"'<>)#]*`)
	// "sig:<value>" lines in a canonicalized resource (string-to-sign),
	// whether the server sent real line breaks or escaped "\n".
	sigLineRE = regexp.MustCompile(`(?im)((?:^|\\n)sig:)[^\r\n\\']*`)
	// The request MAC Azure echoes in AuthenticationErrorDetail: it
	// authorizes that very request for as long as its date is accepted.
	macRE = regexp.MustCompile(`(?i)(signature found in the HTTP request ')[^']*(')`)
	// Authorization header values: "SharedKey acct:<mac>", "Bearer <token>".
	authValueRE = regexp.MustCompile(`(?i)\b(SharedKey(?:Lite)?\s+[^:\s]+:)[A-Za-z0-9+/=]+|\b(Bearer\s+)[A-Za-z0-9\-._~+/]{16,}=*`)
)

// redactText scrubs secrets from free text the server sent back (error
// messages can quote the request URL or headers).
func redactText(s string) string {
	if s == "" {
		return s
	}
	s = sigParamRE.ReplaceAllString(s, "${1}"+redacted)
	s = sigLineRE.ReplaceAllString(s, "${1}"+redacted)
	s = macRE.ReplaceAllString(s, "${1}"+redacted+"${2}")
	s = authValueRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := authValueRE.FindStringSubmatch(m)
		if sub[1] != "" {
			return sub[1] + redacted
		}
		return sub[2] + redacted
	})
	return s
}
