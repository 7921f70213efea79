package cli

import (
	"github.com/azblobmin/azblobmin/internal/textscan"
	"github.com/azblobmin/azblobmin/restapi"
	"io"
	"sort"
	"strings"
	"sync"
)

// Redacted replaces every secret the Scrubber removes.
const Redacted = "REDACTED"

// secretPatterns find secrets that may show up in text even when the tool
// never put them there on purpose: a SAS signature in a URL, an account key
// or SAS in a connection string, an Authorization header value, OAuth form
// and JSON fields, and the request signature Azure quotes back in an
// AuthenticationFailed detail. They are applied in order, each to the
// output of the one before. Each comment gives the regexp the matcher
// replaced ((?i): case is ignored); redact_diff_test.go checks they agree.
var secretPatterns = []textscan.Matcher{
	// (?i)([?&;]sig=)[^&\s"'<>;]+
	func(s string, i int) (int, int, bool) {
		if strings.IndexByte("?&;", s[i]) < 0 {
			return 0, 0, false
		}
		return valueAfter(s, i+1, "sig=", `&"'<>;`+textscan.Spaces, false)
	},
	// (?i)(AccountKey=)[^;\s"'<>]+
	func(s string, i int) (int, int, bool) {
		return valueAfter(s, i, "AccountKey=", `;"'<>`+textscan.Spaces, false)
	},
	// (?i)(SharedAccessSignature=)[^;\s"'<>]+
	func(s string, i int) (int, int, bool) {
		return valueAfter(s, i, "SharedAccessSignature=", `;"'<>`+textscan.Spaces, false)
	},
	sharedKeyAt,
	bearerAt,
	// (?i)(client_secret=|client_assertion=|assertion=|access_token=|refresh_token=)[^&\s"'<>]+
	func(s string, i int) (int, int, bool) {
		for _, name := range []string{"client_secret=", "client_assertion=", "assertion=", "access_token=", "refresh_token="} {
			if start, end, ok := valueAfter(s, i, name, `&"'<>`+textscan.Spaces, false); ok {
				return start, end, true
			}
		}
		return 0, 0, false
	},
	jsonSecretAt,
	// (?i)(The MAC signature found in the HTTP request ')[^']*
	func(s string, i int) (int, int, bool) {
		return valueAfter(s, i, "The MAC signature found in the HTTP request '", "'", true)
	},
}

// valueAfter matches lit (ignoring case) at s[i] followed by a value that
// runs to the first byte in stop: the regexp (?i)(lit)[^stop]+, or
// [^stop]* when emptyOK.
func valueAfter(s string, i int, lit, stop string, emptyOK bool) (int, int, bool) {
	j, ok := textscan.HasPrefixFold(s, i, lit)
	if !ok {
		return 0, 0, false
	}
	end := textscan.ValueEnd(s, j, stop)
	return j, end, end > j || emptyOK
}

// sharedKeyAt matches a SharedKey Authorization value, "SharedKey acct:<mac>":
//
//	(?i)(SharedKey(?:Lite)? [^:\s"'<>]+:)[A-Za-z0-9+/=]+
func sharedKeyAt(s string, i int) (int, int, bool) {
	j, ok := textscan.HasPrefixFold(s, i, "SharedKey")
	if !ok {
		return 0, 0, false
	}
	// "Lite" is optional; without it, it could not be followed by a space.
	if k, ok := textscan.HasPrefixFold(s, j, "Lite"); ok {
		j = k
	}
	if j == len(s) || s[j] != ' ' {
		return 0, 0, false
	}
	k := textscan.ValueEnd(s, j+1, `:"'<>`+textscan.Spaces) // the account name
	if k == j+1 || k == len(s) || s[k] != ':' {
		return 0, 0, false
	}
	end, n := textscan.TokenEnd(s, k+1, "+/=")
	return k + 1, end, n > 0
}

// bearerAt matches a bearer token of at least 16 characters:
//
//	(?i)(Bearer )[A-Za-z0-9\-._~+/]{16,}=*
func bearerAt(s string, i int) (int, int, bool) {
	j, ok := textscan.HasPrefixFold(s, i, "Bearer ")
	if !ok {
		return 0, 0, false
	}
	end, n := textscan.TokenEnd(s, j, "-._~+/")
	for end < len(s) && s[end] == '=' {
		end++
	}
	return j, end, n >= 16
}

// jsonSecretAt matches the value of a secret field in JSON, which may be
// empty or run to the end of the text:
//
//	(?i)("(?:access_token|refresh_token|client_secret|client_assertion)"\s*:\s*")[^"]*
func jsonSecretAt(s string, i int) (int, int, bool) {
	if s[i] != '"' {
		return 0, 0, false
	}
	for _, name := range []string{"access_token", "refresh_token", "client_secret", "client_assertion"} {
		j, ok := textscan.HasPrefixFold(s, i+1, name+`"`)
		if !ok {
			continue
		}
		j = textscan.SkipSpaces(s, j)
		if j == len(s) || s[j] != ':' {
			return 0, 0, false
		}
		j = textscan.SkipSpaces(s, j+1)
		if j == len(s) || s[j] != '"' {
			return 0, 0, false
		}
		return j + 1, textscan.ValueEnd(s, j+1, `"`), true
	}
	return 0, 0, false
}

// Scrubber removes secrets from text before it reaches a terminal or a log:
// the exact values it was told about (the account key the tool loaded, a
// connection string, a token) and anything matching the well-known secret
// shapes of secretPatterns and restapi.RedactText. It is the last line of defence; the library is
// expected not to put secrets in errors or logs in the first place.
//
// A Scrubber is safe for concurrent use.
type Scrubber struct {
	mu      sync.RWMutex
	secrets []string
}

// Add registers exact secret values to remove. Values shorter than 8
// characters are ignored: they would match ordinary text and no real key,
// token or signature is that short.
func (s *Scrubber) Add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		v = strings.TrimSpace(v)
		if len(v) < 8 {
			continue
		}
		s.secrets = append(s.secrets, v)
	}
	// Longest first, so that a secret containing another is removed whole.
	sort.Slice(s.secrets, func(i, j int) bool { return len(s.secrets[i]) > len(s.secrets[j]) })
}

// String returns text with every known secret and secret-shaped value
// replaced by Redacted.
func (s *Scrubber) String(text string) string {
	if s != nil {
		s.mu.RLock()
		for _, v := range s.secrets {
			if strings.Contains(text, v) {
				text = strings.ReplaceAll(text, v, Redacted)
			}
		}
		s.mu.RUnlock()
	}
	return restapi.RedactText(scrubPatterns(text))
}

// scrubPatterns applies secretPatterns, in order. The library's own
// restapi.RedactText then covers the shapes these do not: "Bearer" or
// "SharedKey" followed by any white space, sig after #, %26 or %3F, sig%3D.
func scrubPatterns(text string) string {
	for _, match := range secretPatterns {
		text = textscan.Replace(text, match, Redacted)
	}
	return text
}

// Writer returns a writer that scrubs each Write before passing it on. It is
// meant for line-oriented text such as slog records and messages; a secret
// split across two Writes would not be recognised, which is why it must not
// wrap binary streams (and why those never carry secrets here).
func (s *Scrubber) Writer(w io.Writer) io.Writer { return &scrubWriter{s: s, w: w} }

type scrubWriter struct {
	s *Scrubber
	w io.Writer
}

func (w *scrubWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.s.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
