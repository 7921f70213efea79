package restapi

import (
	"flag"
	"github.com/azblobmin/azblobmin/internal/textscan"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// Differential tests: the hand-written matchers of RedactText against the
// regexps they replaced (redact_ref_test.go), pass by pass and as a whole.

// redactPasses pairs each matcher with the regexp replacement it replaced.
var redactPasses = []struct {
	name  string
	match textscan.Matcher
	re    *regexp.Regexp
	repl  string
}{
	{"sigParam", sigParamAt, refSigParamRE, "${1}" + redacted},
	{"sigLine", sigLineAt, refSigLineRE, "${1}" + redacted},
	{"mac", macAt, refMacRE, "${1}" + redacted + "${2}"},
	{"authValue", authValueAt, refAuthValueRE, "${1}${2}" + redacted},
}

// redactTricky are inputs chosen to hit the corners of each pattern; they
// are also the fuzz seeds.
var redactTricky = []string{
	"",
	"sig=abc",
	"sig=",
	"SIG=abc&sv=1",
	"SiG%3dabc",
	"x?sig=abc&sig=def;sig=ghi#sig=jkl",
	"a%26sig%3Dabc%26sv%3D1",
	"a%3fsig=abc",
	"a%3Fsig%3dabc",
	"nosig=abc xsig=abc _sig=abc",
	`"sig=abc" 'sig=abc' (sig=abc) <sig=abc>`,
	"\tsig=a\nsig=b\rsig=c\fsig=d\vsig=e",
	"sig=a%26b)c",
	"?sig=sig=x",
	"?sig=&sig=x",
	"?sig=\x00\xff\xfe",
	"?ſig=abc ſig=abc",
	"ſig=abc",
	"?sıg=abc ?SİG=abc",
	"PUT\n\n\n/acct/c/b\nsig:abc\nsv:1",
	`string 'PUT\n/acct/c\nsig:abc\nsv:1'`,
	`\Nsig:abc`,
	"sig:abc\r\nsig:def",
	"x sig:abc",
	"\nSIG:abc'rest",
	"\nsig:",
	`a\\nsig:b`,
	"The MAC signature found in the HTTP request 'bWFj+/==' is not the same as any computed signature.",
	"SIGNATURE FOUND IN THE HTTP REQUEST 'abc'",
	"ſignature found in the HTTP request 'abc'",
	"signature found in the HTTP request 'unterminated",
	"signature found in the HTTP request 'a signature found in the HTTP request 'b'",
	"signature found in the HTTP request ''",
	"Authorization: SharedKey acct:bWFj+/==",
	"SharedKeyLite acct:bWFj",
	"sharedkeylite\t\tacct:bWFj=",
	"SharedKey Lite acct:bWFj",
	"SharedKeyacct:abc",
	"SharedKey acct: abc",
	"SharedKey acct:",
	"SharedKey :abc",
	"xSharedKey acct:abc",
	"_SharedKey acct:abc",
	"-SharedKey acct:abc",
	"SharedKey a:b SharedKey c:d",
	"SharedKey acct:abcſK-def",
	"SharedKey ac\xffct:abc",
	"xſharedKey acct:abc",
	"ſharedKey acct:abc",
	"-ſharedKey acct:abc",
	"SharedKEY acct:abc",
	"Bearer eyJ0eXAi.eyJzdWIi.c2ln",
	"Bearer 0123456789abcde",
	"Bearer 0123456789abcdef",
	"Bearer 0123456789abcdef===",
	"bearer\n0123456789abcdefghij==x",
	"xBearer 0123456789abcdefghij",
	"Bearer  ſſſſſſſſſſſſſſſſ",
	"Bearer KKKKKKKKKKKKKKKK=",
	"Authentication scheme Bearer is not allowed with HTTP.",
	"Bearer 0123456789abcdef Bearer fedcba9876543210",
	"GET https://a/c?sig=abc&sv=1 failed; Authorization: SharedKey acct:bWFj+/== and Bearer eyJ0eXAi.eyJzdWIi.c2ln; " +
		"signature found in the HTTP request 'bWFj' is not; string 'PUT\nsig:abc\nsv:1'",
	"héllo ?sig=ünïcödé&x=1 SharedKey äcct:abc",
}

func TestRedactTextMatchesOldRegexps(t *testing.T) {
	for _, in := range redactTricky {
		checkRedactDifferential(t, in)
	}
}

// TestRedactTextNoPanicOnFoldedS pins the one place where the new code
// differs: the old redactText panicked (index out of range) when a
// SharedKey match began with "ſ" after a word character, so a server could
// crash the client with an error message. The new code redacts it.
func TestRedactTextNoPanicOnFoldedS(t *testing.T) {
	const in = "xſharedKey acct:c2VjcmV0"
	assertPanics(t, func() { refRedactTextVerbatim(in) })
	if got, want := RedactText(in), "xſharedKey acct:"+redacted; got != want {
		t.Fatalf("RedactText(%q) = %q, want %q", in, got, want)
	}
}

func TestRedactTextExamples(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a%26sig%3Dabc%26sv%3D1", "a%26sig%3D" + redacted},
		// ";" does not end a value, so "def;sig=ghi" goes as one.
		{"x?sig=abc&sig=def;sig=ghi#sig=jkl", "x?sig=REDACTED&sig=REDACTED#sig=REDACTED"},
		{`string 'PUT\n/acct/c\nsig:abc\nsv:1'`, `string 'PUT\n/acct/c\nsig:REDACTED\nsv:1'`},
		{"request 'abc' is not", "request 'abc' is not"},
		{"signature found in the HTTP request 'abc' x", "signature found in the HTTP request 'REDACTED' x"},
		{"SharedKeyLite a:b SharedKey c:d", "SharedKeyLite a:REDACTED SharedKey c:REDACTED"},
		{"Bearer 0123456789abcde", "Bearer 0123456789abcde"},
		{"Bearer 0123456789abcdef==.x", "Bearer REDACTED.x"},
	} {
		if got := RedactText(tc.in); got != tc.want {
			t.Errorf("RedactText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzRedactTextDifferential(f *testing.F) {
	for _, s := range redactTricky {
		f.Add(s)
	}
	f.Fuzz(checkRedactDifferential)
}

func checkRedactDifferential(t *testing.T, in string) {
	t.Helper()
	for _, p := range redactPasses {
		if got, want := textscan.Replace(in, p.match, redacted), p.re.ReplaceAllString(in, p.repl); got != want {
			t.Fatalf("%s pass on %q:\n got %q\nwant %q", p.name, in, got, want)
		}
	}
	want := refRedactText(in)
	if got := RedactText(in); got != want {
		t.Fatalf("RedactText(%q):\n got %q\nwant %q", in, got, want)
	}
	// The reference with its panic fixed is the verbatim old code wherever
	// that did not panic; it panicked only on a match starting with "ſ".
	verbatim, panicked := callRecover(func() string { return refRedactTextVerbatim(in) })
	switch {
	case panicked && !strings.Contains(in, "\u017f"):
		t.Fatalf("old redactText panicked on %q, which has no ſ", in)
	case !panicked && verbatim != want:
		t.Fatalf("reference mismatch on %q: verbatim %q, fixed %q", in, verbatim, want)
	}
}

func callRecover(f func() string) (s string, panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	return f(), false
}

func assertPanics(t *testing.T, f func()) {
	t.Helper()
	if _, panicked := callRecover(func() string { f(); return "" }); !panicked {
		t.Fatal("expected a panic")
	}
}

// redactSoupCases sets how many random token soups
// TestRedactTextSoupDifferential checks; raise it for a deeper run
// (go test -run Soup -redact.soup=1000000 ./restapi).
var redactSoupCases = flag.Int("redact.soup", 5000, "random inputs for TestRedactTextSoupDifferential")

// redactSoupWords are the fragments the patterns care about. Random
// sequences of them reach combinations byte-level fuzzing rarely builds.
var redactSoupWords = []string{
	"sig", "SIG", "ſig", "=", "%3D", "%3d", "%26", "%3F", "%3f", "?", "&", ";", "#", "\"", "'", "(", ")", "<", ">",
	" ", "\t", "\n", "\r", "\f", "\v", `\n`, `\N`, `\`, ":", "sig:", "SharedKey", "ſharedKey", "Shared\u212aey", "Lite",
	"Bearer", "acct", "x", "_", "-", "bWFj+/==", "0123456789abcdef", "ſ", "\u212a", "é", "\xff",
	"signature found in the HTTP request '", "The MAC ", "==",
}

func TestRedactTextSoupDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for range *redactSoupCases {
		b.Reset()
		for n := rng.IntN(12); n >= 0; n-- {
			b.WriteString(redactSoupWords[rng.IntN(len(redactSoupWords))])
		}
		checkRedactDifferential(t, b.String())
	}
}

// BenchmarkRedactText compares the matchers with the regexps they replaced
// on a typical AuthenticationFailed message.
func BenchmarkRedactText(b *testing.B) {
	const msg = "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\n" +
		"RequestId:0b5bcd3e-1111-4222-8333-444444444444\nTime:2025-06-01T12:00:00.0000000Z " +
		"The MAC signature found in the HTTP request 'bWFjYWRkcmVzcw==' is not the same as any computed signature. Server used following string to sign: 'GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Sun, 01 Jun 2025 12:00:00 GMT\nx-ms-version:2025-11-05\n/devstoreaccount1/c\ncomp:list\nrestype:container'."
	for _, bc := range []struct {
		name string
		f    func(string) string
	}{{"hand-written", RedactText}, {"regexp", refRedactText}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.f(msg)
			}
		})
	}
}
