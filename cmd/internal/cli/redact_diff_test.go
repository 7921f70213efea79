package cli

import (
	"flag"
	"github.com/azblobmin/azblobmin/internal/textscan"
	"github.com/azblobmin/azblobmin/restapi"
	"math/rand/v2"
	"strings"
	"testing"
)

// Differential tests: the hand-written secretPatterns against the regexps
// they replaced (redact_ref_test.go), pattern by pattern and as a whole.

// scrubTricky are inputs chosen to hit the corners of each pattern; they
// are also the fuzz seeds.
var scrubTricky = []string{
	"",
	"?sig=abc", "&SIG=abc", ";sIg=abc", "sig=abc", "x sig=abc", "?sig=", "?sig=;x", "?sig=a;b&c",
	"?ſig=abc", "?sig=a?sig=b", "?sig=a\"b'c<d>e f\tg",
	"https://a.blob.core.windows.net/c/b?sv=2025-11-05&sig=abcDEF%2Bghi%3D&se=x",
	"a%26sig=abc", "?sig%3Dabc",
	"AccountKey=abc;x", "accountkey=abc", "ACCOUNTKEY=", "AccountKey=a b", "AccountKey=a\"b", "AccountKey=a&b",
	"Account\u212aey=abc", "\u212a\u017f",
	"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFyYmF6cXV4==;EndpointSuffix=core.windows.net",
	"BlobEndpoint=https://x;SharedAccessSignature=sv=2020&sig=zzzzzzzz;x=1",
	"sharedaccesssignature=", "ſharedAccessſignature=abc",
	"Authorization: SharedKey devstoreaccount1:q1w2e3r4t5y6u7i8o9p0+/=",
	"SharedKeyLite a:b", "SharedKey Lite a:b", "SharedKey  a:b", "SharedKey\ta:b", "SharedKey a:", "SharedKey :b",
	"SharedKey a\"b:c", "SharedKey a:bſK-c", "xSharedKey a:b", "ſharedKey a:b", "SharedKey a:b SharedKey c:d",
	"SharedKey a:SharedKey b:c",
	"Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.c2ln",
	"Bearer 0123456789abcde", "Bearer 0123456789abcdef", "bearer 0123456789abcdef==x", "Bearer  0123456789abcdef",
	"Bearer\t0123456789abcdef", "xBearer 0123456789abcdef", "Bearer ſſſſſſſſſſſſſſſſ", "Bearer KKKKKKKKKKKKKKKK",
	"Authentication scheme Bearer is not allowed with HTTP.",
	"client_id=x&client_secret=p4ssw0rd-very-long&grant_type=client_credentials",
	"client_assertion=eyJ.a.b&client_assertion_type=x", "assertion=abc", "ACCESS_TOKEN=abc;def", "refresh_token=",
	"client_secret=a\"b", "xclient_secret=abc", "client_ſecret=abc", "access_to\u212aen=abc", "Shared\u212aey a:b",
	`{"access_token":"abc.def.ghi","expires_in":3599}`,
	`{"access_token" : "abc"}`, `{"ACCESS_TOKEN":""}`, `{"refresh_token":"unterminated`, `{"client_secret":  x"}`,
	`{"client_assertion"` + "\n:\t\"abc\"}", `{"access_token":"a\"b"}`, `{\"access_token\":\"abc\"}`,
	`{"access_token":"a","refresh_token":"b","client_secret":"c","client_assertion":"d"}`,
	"The MAC signature found in the HTTP request 'AbCdEf0123456789+/=' is not the same as any computed signature.",
	"the mac signature found in the http request '", "The MAC signature found in the HTTP request 'unterminated",
	"The MAC ſignature found in the HTTP request 'abc'",
	"héllo ?sig=ünïcödé&x=1 AccountKey=ä;b \xff\xfe?sig=\xffabc",
}

func TestScrubberMatchesOldRegexps(t *testing.T) {
	for _, in := range scrubTricky {
		checkScrubDifferential(t, in)
	}
}

func TestScrubberPatternExamples(t *testing.T) {
	var s Scrubber
	for _, tc := range []struct{ in, want string }{
		{"?sig=a;b&c", "?sig=REDACTED&c"}, // restapi.RedactText takes ";b" as part of the value
		{"AccountKey=abc;AccountName=x", "AccountKey=REDACTED;AccountName=x"},
		{"SharedKeyLite a:b SharedKey c:d", "SharedKeyLite a:REDACTED SharedKey c:REDACTED"},
		{"Bearer 0123456789abcde", "Bearer 0123456789abcde"},
		{"Bearer 0123456789abcdef==.x", "Bearer REDACTED.x"},
		{"ACCESS_TOKEN=abc;def&x", "ACCESS_TOKEN=REDACTED&x"},
		{`{"access_token" : "", "refresh_token":"r"}`, `{"access_token" : "REDACTED", "refresh_token":"REDACTED"}`},
		{"request 'unterminated", "request 'unterminated"},
		{"The MAC signature found in the HTTP request 'unterminated", "The MAC signature found in the HTTP request 'REDACTED"},
		// Shapes only restapi.RedactText catches.
		{"Authorization: Bearer  0123456789abcdef", "Authorization: Bearer  REDACTED"},
		{"Bearer\t0123456789abcdef", "Bearer\tREDACTED"},
		{"SharedKey\tacct:bWFjbWFj", "SharedKey\tacct:REDACTED"},
		{"copy=https%3A%2F%2Fa%2Fc%2Fb%3Fsv%3D1%26sig%3Dc2lnc2ln", "copy=https%3A%2F%2Fa%2Fc%2Fb%3Fsv%3D1%26sig%3DREDACTED"},
		{"https://a/c/b#sig=c2lnc2ln", "https://a/c/b#sig=REDACTED"},
		{"sig=c2lnc2ln&sv=1", "sig=REDACTED&sv=1"},
	} {
		if got := s.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzScrubDifferential(f *testing.F) {
	for _, s := range scrubTricky {
		f.Add(s)
	}
	f.Fuzz(checkScrubDifferential)
}

func checkScrubDifferential(t *testing.T, in string) {
	t.Helper()
	if len(secretPatterns) != len(refSecretPatterns) {
		t.Fatalf("%d patterns, %d reference regexps", len(secretPatterns), len(refSecretPatterns))
	}
	for i, match := range secretPatterns {
		ref := refSecretPatterns[i]
		if got, want := textscan.Replace(in, match, Redacted), ref.re.ReplaceAllString(in, ref.repl); got != want {
			t.Fatalf("pattern %d (%s) on %q:\n got %q\nwant %q", i, ref.re, in, got, want)
		}
	}
	if got, want := scrubPatterns(in), refScrubPatterns(in); got != want {
		t.Fatalf("scrubPatterns(%q):\n got %q\nwant %q", in, got, want)
	}
	var nilScrubber *Scrubber
	if got, want := nilScrubber.String(in), restapi.RedactText(refScrubPatterns(in)); got != want {
		t.Fatalf("String(%q):\n got %q\nwant %q", in, got, want)
	}
}

// scrubSoupCases sets how many random token soups
// TestScrubberSoupDifferential checks; raise it for a deeper run
// (go test -run Soup -scrub.soup=1000000 ./cmd/internal/cli).
var scrubSoupCases = flag.Int("scrub.soup", 5000, "random inputs for TestScrubberSoupDifferential")

// scrubSoupWords are the fragments the patterns care about. Random
// sequences of them reach combinations byte-level fuzzing rarely builds.
var scrubSoupWords = []string{
	"sig=", "SIG=", "ſig=", "?", "&", ";", "\"", "'", "<", ">", " ", "\t", "\n", "\v", ":", "=", "x", "-", "_",
	"AccountKey=", "Account\u212aey=", "SharedAccessSignature=", "SharedKey", "Shared\u212aey", "ſharedKey", "Lite",
	"Bearer ", "bearer ", "0123456789abcdef", "ſ", "\u212a", "é", "\xff", "bWFj+/==", "==",
	"client_secret=", "client_assertion=", "assertion=", "access_token=", "refresh_token=", "client_",
	`"access_token"`, `"refresh_token"`, `"client_secret"`, `"client_assertion"`, `"ACCESS_TO` + "\u212a" + `EN"`,
	"The MAC signature found in the HTTP request '",
}

func TestScrubberSoupDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	for range *scrubSoupCases {
		b.Reset()
		for n := rng.IntN(12); n >= 0; n-- {
			b.WriteString(scrubSoupWords[rng.IntN(len(scrubSoupWords))])
		}
		checkScrubDifferential(t, b.String())
	}
}

// BenchmarkScrubPatterns compares the matchers with the regexps they
// replaced on a typical debug log record.
func BenchmarkScrubPatterns(b *testing.B) {
	const line = `time=2025-06-01T12:00:00.000Z level=DEBUG msg=request op="Put Block From URL" method=PUT ` +
		`url="https://acct.blob.core.windows.net/sessions/abc?comp=block&blockid=MDAwMDE%3D" ` +
		`source="https://acct.blob.core.windows.net/inprogress/part/abc/1?sv=2025-11-05&se=2025-06-01T12%3A10%3A00Z&sr=b&sp=r&sig=c2lnbmF0dXJl" status=201 duration=12ms` + "\n"
	var s *Scrubber
	for _, bc := range []struct {
		name string
		f    func(string) string
	}{{"hand-written", s.String}, {"regexp", refScrubPatterns}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.f(line)
			}
		})
	}
}
