package restapi

import "regexp"

// The regexp-based redaction that RedactText replaced, kept verbatim as the
// reference for the differential tests in redact_diff_test.go. Tests may
// import regexp; the package itself must not (it costs the CLI ~250 KB).

var (
	refSigParamRE  = regexp.MustCompile(`(?i)((?:^|[?&;#\s"'(<]|%26|%3F)sig(?:=|%3D))[^&\s"'<>)#]*`)
	refSigLineRE   = regexp.MustCompile(`(?im)((?:^|\\n)sig:)[^\r\n\\']*`)
	refMacRE       = regexp.MustCompile(`(?i)(signature found in the HTTP request ')[^']*(')`)
	refAuthValueRE = regexp.MustCompile(`(?i)\b(SharedKey(?:Lite)?\s+[^:\s]+:)[A-Za-z0-9+/=]+|\b(Bearer\s+)[A-Za-z0-9\-._~+/]{16,}=*`)
)

// refRedactTextVerbatim is the old redactText, unchanged. It panics on a
// match that begins with "ſ" (U+017F, which (?i) folds to "s") after a word
// character, e.g. "xſharedKey a:b": FindStringSubmatch re-runs the pattern
// on the match alone, where \b no longer holds, and gets nil.
func refRedactTextVerbatim(s string) string {
	if s == "" {
		return s
	}
	s = refSigParamRE.ReplaceAllString(s, "${1}"+redacted)
	s = refSigLineRE.ReplaceAllString(s, "${1}"+redacted)
	s = refMacRE.ReplaceAllString(s, "${1}"+redacted+"${2}")
	s = refAuthValueRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := refAuthValueRE.FindStringSubmatch(m)
		if sub[1] != "" {
			return sub[1] + redacted
		}
		return sub[2] + redacted
	})
	return s
}

// refRedactText is the old redactText with that panic fixed: the groups of
// each match are taken from the match itself instead of a second search.
// Where the verbatim version does not panic the two agree (checked by the
// differential fuzz target).
func refRedactText(s string) string {
	if s == "" {
		return s
	}
	s = refSigParamRE.ReplaceAllString(s, "${1}"+redacted)
	s = refSigLineRE.ReplaceAllString(s, "${1}"+redacted)
	s = refMacRE.ReplaceAllString(s, "${1}"+redacted+"${2}")
	return refAuthValueRE.ReplaceAllString(s, "${1}${2}"+redacted)
}
