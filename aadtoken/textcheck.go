package aadtoken

import "strings"

// Hand-written replacements for the few regexps this package used, so that
// programs using it do not link package regexp (~250 KB). Everything here is
// plain ASCII matching; textcheck_test.go checks each function against the
// regexp it replaced.

// isResource reports whether s is safe to pass to az as the resource: a
// URL or GUID, never something that could be read as a flag.
//
//	^[0-9A-Za-z][0-9A-Za-z._:/-]*$
func isResource(s string) bool { return isIdentifier(s, "._:/-", -1) }

// isTenantID reports whether s looks like a tenant GUID or domain name.
//
//	^[A-Za-z0-9][A-Za-z0-9.-]{0,127}$
func isTenantID(s string) bool { return isIdentifier(s, ".-", 128) }

// isClientID reports whether s looks like an application (client) id.
//
//	^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$
func isClientID(s string) bool { return isIdentifier(s, "._-", 128) }

// isIdentifier reports whether s is an ASCII letter or digit followed only
// by letters, digits and bytes in extra, at most maxLen bytes in all
// (maxLen < 0: any length).
func isIdentifier(s, extra string, maxLen int) bool {
	if s == "" || maxLen >= 0 && len(s) > maxLen || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isAlnum(s[i]) && strings.IndexByte(extra, s[i]) < 0 {
			return false
		}
	}
	return true
}

func isAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// findAADSTS returns the first Entra error code in s, "AADSTS" and up to
// nine digits (at least one), or "" if there is none.
//
//	AADSTS\d{1,9}
func findAADSTS(s string) string {
	const prefix = "AADSTS"
	for from := 0; ; {
		i := strings.Index(s[from:], prefix)
		if i < 0 {
			return ""
		}
		start := from + i
		end := start + len(prefix)
		for end < len(s) && end-start-len(prefix) < 9 && '0' <= s[end] && s[end] <= '9' {
			end++
		}
		if end > start+len(prefix) {
			return s[start:end]
		}
		from = start + 1
	}
}
