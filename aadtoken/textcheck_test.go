package aadtoken

import (
	"strings"
	"testing"
)

// Differential tests: the checks in textcheck.go against the regexps they
// replaced (regexp_ref_test.go).

var textCheckTricky = []string{
	"", "a", "0", ".", "-", "_", ":", "/", "-a", ".a", "_a", "a.", "a-", "a_", "a:b", "a/b",
	"https://storage.azure.com/", "https://storage.azure.com/.default", "api://x", "--tenant", "a b", "a\n", "\na",
	"72f988bf-86f1-41af-91ab-2d7cd011db47", "contoso.onmicrosoft.com", "contoso_x", "é", "aé", "a\xff", "a\x00",
	"\u212a", "\u017f", "a" + strings.Repeat("b", 127), "a" + strings.Repeat("b", 128), strings.Repeat("-", 200),
	"AADSTS7000215: Invalid client secret", "xAADSTS1", "AADSTS", "AADSTSx AADSTS12", "AADSTSAADSTS123",
	"AADSTS1234567890123", "aadsts123", "AADSTS\u0661\u0662", "AADSTS 1", "AAADSTS9", "AADSTS0",
}

func TestTextChecksMatchOldRegexps(t *testing.T) {
	for _, s := range textCheckTricky {
		checkTextDifferential(t, s)
	}
}

func TestTextCheckExamples(t *testing.T) {
	if !isTenantID("72f988bf-86f1-41af-91ab-2d7cd011db47") || isTenantID("a_b") || isTenantID("a"+strings.Repeat("b", 128)) {
		t.Error("isTenantID")
	}
	if !isClientID("a_b") || isClientID("-a") {
		t.Error("isClientID")
	}
	if !isResource("https://storage.azure.com/") || isResource("--debug") || isResource("") {
		t.Error("isResource")
	}
	for in, want := range map[string]string{
		"AADSTS7000215: bad":     "AADSTS7000215",
		"x AADSTS 1 AADSTS90002": "AADSTS90002",
		"AADSTS1234567890":       "AADSTS123456789",
		"no code":                "",
	} {
		if got := findAADSTS(in); got != want {
			t.Errorf("findAADSTS(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzTextChecksDifferential(f *testing.F) {
	for _, s := range textCheckTricky {
		f.Add(s)
	}
	f.Fuzz(checkTextDifferential)
}

func checkTextDifferential(t *testing.T, s string) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want bool
	}{
		{"isResource", isResource(s), refResourceRE.MatchString(s)},
		{"isTenantID", isTenantID(s), refTenantRE.MatchString(s)},
		{"isClientID", isClientID(s), refClientIDRE.MatchString(s)},
	} {
		if c.got != c.want {
			t.Fatalf("%s(%q) = %v, regexp says %v", c.name, s, c.got, c.want)
		}
	}
	if got, want := findAADSTS(s), refAADSTSRE.FindString(s); got != want {
		t.Fatalf("findAADSTS(%q) = %q, regexp says %q", s, got, want)
	}
}
