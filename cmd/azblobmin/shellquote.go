package main

import "strings"

// shellQuote quotes s for a POSIX shell when it needs it, so that the
// commands the tool suggests (how to resume, how to complete) can be pasted
// as they are.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// suggest renders a command line the user can run next: the -url flag is
// repeated only when it was given (otherwise $AZBLOBMIN_URL still applies),
// secrets never (they stay in the environment or their files).
func suggest(urlFlag string, words ...string) string {
	out := []string{"azblobmin", words[0]}
	if urlFlag != "" {
		out = append(out, "-url", shellQuote(urlFlag))
	}
	for _, w := range words[1:] {
		out = append(out, shellQuote(w))
	}
	return strings.Join(out, " ")
}
