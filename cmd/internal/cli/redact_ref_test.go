package cli

import "regexp"

// The regexp table Scrubber used before the hand-written matchers, kept
// verbatim as the reference for the differential tests in
// redact_diff_test.go. Tests may import regexp; the CLI must not.
var refSecretPatterns = []struct {
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

// refScrubPatterns is the pattern half of the old Scrubber.String.
func refScrubPatterns(text string) string {
	for _, p := range refSecretPatterns {
		text = p.re.ReplaceAllString(text, p.repl)
	}
	return text
}
