package cli

import (
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Redacted replaces every secret the Scrubber removes.
const Redacted = "REDACTED"

// patterns of secrets that may show up in text even when the tool never put
// them there on purpose: a SAS signature in a URL, an account key or SAS in
// a connection string, an Authorization header value, and the request
// signature Azure quotes back in an AuthenticationFailed detail.
var secretPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`(?i)([?&;]sig=)[^&\s"'<>;]+`), "${1}" + Redacted},
	{regexp.MustCompile(`(?i)(AccountKey=)[^;\s"'<>]+`), "${1}" + Redacted},
	{regexp.MustCompile(`(?i)(SharedAccessSignature=)[^;\s"'<>]+`), "${1}" + Redacted},
	{regexp.MustCompile(`(?i)(SharedKey(?:Lite)? [^:\s"'<>]+:)[A-Za-z0-9+/=]+`), "${1}" + Redacted},
	{regexp.MustCompile(`(?i)(Bearer )[A-Za-z0-9\-._~+/]{16,}=*`), "${1}" + Redacted},
	{regexp.MustCompile(`(?i)(client_secret=|client_assertion=|assertion=|access_token=|refresh_token=)[^&\s"'<>]+`), "${1}" + Redacted},
	{regexp.MustCompile(`(?i)("(?:access_token|refresh_token|client_secret|client_assertion)"\s*:\s*")[^"]*`), "${1}" + Redacted},
	{regexp.MustCompile(`(?i)(The MAC signature found in the HTTP request ')[^']*`), "${1}" + Redacted},
}

// Scrubber removes secrets from text before it reaches a terminal or a log:
// the exact values it was told about (the account key the tool loaded, a
// connection string, a token) and anything matching the well-known secret
// shapes above. It is the last line of defence; the library is expected not
// to put secrets in errors or logs in the first place.
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
	for _, p := range secretPatterns {
		text = p.re.ReplaceAllString(text, p.repl)
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
