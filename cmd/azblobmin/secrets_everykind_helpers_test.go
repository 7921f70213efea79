//go:build unix && !darwin

package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// This file holds the machinery of TestSecretsEveryKind: a vault of every
// secret the test handles (known ones and ones captured on the wire), the
// encodings each could be printed in, a scanner that looks for all of them
// in every log, error, output and panic message, and the recorder that
// captures the secrets actually sent.

// minSecretLen is the shortest value the vault accepts: anything shorter
// would match ordinary text, and no key, token or signature is that short.
const minSecretLen = 16

// minFormLen is the shortest encoded form searched for.
const minFormLen = 12

// secretForm is one way a secret can be written: its name says how, the
// value is what is searched for. Neither the value nor the text around it
// is ever printed by a failing test.
type secretForm struct{ name, value string }

// secretEntry is one secret value, of a kind such as "account key".
type secretEntry struct {
	kind  string
	forms []secretForm
}

// secretVault collects secrets; safe for concurrent use (the wire recorder
// adds to it from the HTTP client's goroutines).
type secretVault struct {
	mu       sync.Mutex
	seen     map[string]bool
	entries  []secretEntry
	perKind  map[string]int
	problems []string
}

func newSecretVault() *secretVault {
	return &secretVault{seen: map[string]bool{}, perKind: map[string]int{}}
}

// add registers value as a secret of kind, with every encoding it could
// appear in. A value too short to search for is a bug in the test, kept
// for check to report (add runs inside HTTP round trips, where failing the
// test directly is not allowed).
func (v *secretVault) add(kind, value string) {
	value = strings.TrimSpace(value)
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(value) < minSecretLen {
		v.problems = append(v.problems, fmt.Sprintf("a %s of %d characters is too short to search for", kind, len(value)))
		return
	}
	if v.seen[value] {
		return
	}
	v.seen[value] = true
	v.perKind[kind]++
	v.entries = append(v.entries, secretEntry{kind: kind, forms: secretForms(value)})
}

// snapshot returns the entries registered so far (the slice is append-only).
func (v *secretVault) snapshot() []secretEntry {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.entries[:len(v.entries):len(v.entries)]
}

// summary counts secrets by kind and forms overall.
func (v *secretVault) summary() (kinds string, secrets, forms int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	names := make([]string, 0, len(v.perKind))
	for k := range v.perKind {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s ×%d", k, v.perKind[k])
	}
	for _, e := range v.entries {
		forms += len(e.forms)
	}
	return strings.Join(parts, ", "), len(v.entries), forms
}

// secretForms lists the encodings a secret may leak in: as is, URL
// query- and path-escaped, JSON-escaped (with and without "\/"), its bytes
// in base64, base64url and hex (how slog's JSON handler and %x print a
// []byte), the decoded bytes of a base64 secret (key, signature) in hex and
// the other base64 alphabets, and either half of it (a truncated secret is
// still a leak). For a JWT the signature segment gets the same treatment:
// the header is the same in every token of an issuer, the signature is what
// makes it a credential.
func secretForms(value string) []secretForm {
	var out []secretForm
	seen := map[string]bool{}
	add := func(name, s string) {
		if len(s) >= minFormLen && !seen[s] {
			seen[s] = true
			out = append(out, secretForm{name, s})
		}
	}
	cores := []secretForm{{"", value}}
	if sig, ok := jwtSignature(value); ok {
		cores = append(cores, secretForm{"JWT signature segment, ", sig})
	}
	for _, c := range cores {
		p, s := c.name, c.value
		add(p+"raw", s)
		add(p+"query-escaped", url.QueryEscape(s))
		add(p+"path-escaped", url.PathEscape(s))
		j := jsonEscape(s)
		add(p+"JSON-escaped", j)
		add(p+`JSON-escaped with \/`, strings.ReplaceAll(j, "/", `\/`))
		add(p+"base64 of its bytes", base64.StdEncoding.EncodeToString([]byte(s)))
		add(p+"base64url of its bytes", base64.RawURLEncoding.EncodeToString([]byte(s)))
		add(p+"hex of its bytes", hex.EncodeToString([]byte(s)))
		add(p+"upper-case hex of its bytes", strings.ToUpper(hex.EncodeToString([]byte(s))))
		if raw, ok := decodeAnyBase64(s); ok {
			add(p+"decoded, hex", hex.EncodeToString(raw))
			add(p+"decoded, upper-case hex", strings.ToUpper(hex.EncodeToString(raw)))
			add(p+"decoded, base64", base64.StdEncoding.EncodeToString(raw))
			add(p+"decoded, base64url", base64.URLEncoding.EncodeToString(raw))
			add(p+"decoded, unpadded base64url", base64.RawURLEncoding.EncodeToString(raw))
		}
		if len(s) >= 32 {
			add(p+"first half", s[:len(s)/2])
			add(p+"second half", s[len(s)/2:])
		}
	}
	return out
}

func jsonEscape(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b[1 : len(b)-1])
}

// decodeAnyBase64 decodes s in any of the four base64 alphabets.
func decodeAnyBase64(s string) ([]byte, bool) {
	if len(s) < minSecretLen {
		return nil, false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err := enc.DecodeString(s); err == nil && len(raw) >= minFormLen {
			return raw, true
		}
	}
	return nil, false
}

var jwtRE = regexp.MustCompile(`^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.([A-Za-z0-9_-]{16,})$`)

// jwtSignature returns the signature segment of a JWT.
func jwtSignature(s string) (string, bool) {
	m := jwtRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// secretShapes catch secrets by their shape, including ones the test could
// not capture by value (the token `azblobmin token` minted inside the CLI
// process, the client assertions the CLI signed).
var secretShapes = []struct {
	name string
	re   *regexp.Regexp
	// allowed, when set, accepts a match (a redacted value).
	allowed func(match string) bool
}{
	{name: "a JWT (access token, client assertion or federated token)",
		re: regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}`)},
	{name: "a SAS sig= value that was not redacted",
		re:      regexp.MustCompile(`(?i)\bsig(?:=|%3D)[^&\s"'<>;\\]{8,}`),
		allowed: func(m string) bool { return strings.Contains(m, "REDACTED") }},
	{name: "a SharedKey request signature",
		re: regexp.MustCompile(`SharedKey(?:Lite)? [a-z0-9]+:[A-Za-z0-9+/]{20,}`)},
	{name: "a bearer token",
		re: regexp.MustCompile(`Bearer [A-Za-z0-9\-._~+/]{20,}`)},
}

// finding is one secret found in one text; it names the secret's kind and
// encoding and where it is, never the secret.
type finding struct {
	kind, form string
	offset     int
}

// findSecrets returns the first occurrence of every form of entries in text.
func findSecrets(entries []secretEntry, text string) []finding {
	var out []finding
	for _, e := range entries {
		for _, f := range e.forms {
			if i := strings.Index(text, f.value); i >= 0 {
				out = append(out, finding{kind: e.kind, form: f.name, offset: i})
			}
		}
	}
	return out
}

// findShapes returns secret-shaped values in text.
func findShapes(text string) []finding {
	var out []finding
	for _, s := range secretShapes {
		for _, loc := range s.re.FindAllStringIndex(text, -1) {
			if s.allowed != nil && s.allowed(text[loc[0]:loc[1]]) {
				continue
			}
			out = append(out, finding{kind: s.name, form: "by shape", offset: loc[0]})
			break
		}
	}
	return out
}

// maskSecrets replaces every known form and every secret-shaped value in
// text with a marker naming its kind, so that a failure can show the line
// a secret was found in.
func maskSecrets(entries []secretEntry, text string) string {
	type rep struct{ value, kind string }
	var reps []rep
	for _, e := range entries {
		for _, f := range e.forms {
			reps = append(reps, rep{f.value, e.kind})
		}
	}
	sort.Slice(reps, func(i, j int) bool { return len(reps[i].value) > len(reps[j].value) })
	for _, r := range reps {
		text = strings.ReplaceAll(text, r.value, "«"+r.kind+"»")
	}
	for _, s := range secretShapes {
		text = s.re.ReplaceAllString(text, "«"+s.name+"»")
	}
	return text
}

// scannedText is one output the test collected, labelled with where it
// came from ("SharedKey: library debug log", "client secret: CLI stderr of
// upload -debug", ...).
type scannedText struct{ where, text string }

// leakScanner holds every output and checks it against every secret.
// Checking is incremental: each (output, secret) pair is searched once,
// and a last check catches secrets captured after an output was taken.
type leakScanner struct {
	vault *secretVault

	mu          sync.Mutex
	outs        []scannedText
	doneOuts    int
	doneSecrets int
	bytes       int
	pairs       int // (output, form) searches made
	leaks       int
}

func newLeakScanner(v *secretVault) *leakScanner { return &leakScanner{vault: v} }

// output records text for checking.
func (s *leakScanner) output(where, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outs = append(s.outs, scannedText{where, text})
	s.bytes += len(text)
}

// outputs returns how many texts were recorded under labels containing sub.
func (s *leakScanner) outputs(sub string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, o := range s.outs {
		if strings.Contains(o.where, sub) {
			n++
		}
	}
	return n
}

// check searches the outputs not yet checked against every secret, and the
// older outputs against the secrets added since, and fails t for each leak
// with the kind of secret, its encoding and where it appeared.
func (s *leakScanner) check(t *testing.T) {
	t.Helper()
	s.vault.mu.Lock()
	problems := append([]string(nil), s.vault.problems...)
	s.vault.problems = nil
	s.vault.mu.Unlock()
	for _, p := range problems {
		t.Errorf("test bug: %s", p)
	}
	entries := s.vault.snapshot()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, o := range s.outs {
		from := 0
		if i < s.doneOuts {
			from = s.doneSecrets
		}
		fs := findSecrets(entries[from:], o.text)
		for _, e := range entries[from:] {
			s.pairs += len(e.forms)
		}
		if i >= s.doneOuts {
			fs = append(fs, findShapes(o.text)...)
		}
		for _, f := range fs {
			s.leaks++
			t.Errorf("LEAK: %s (written as: %s) appears in %s at byte %d; that line with secrets masked: %s",
				f.kind, f.form, o.where, f.offset, maskedLine(entries, o.text, f.offset))
		}
	}
	s.doneOuts, s.doneSecrets = len(s.outs), len(entries)
}

// maskedLine returns the line of text around offset with every secret
// masked, clipped; if anything secret-like survives masking, the line is
// withheld altogether.
func maskedLine(entries []secretEntry, text string, offset int) string {
	start := strings.LastIndexByte(text[:offset], '\n') + 1
	end := len(text)
	if i := strings.IndexByte(text[offset:], '\n'); i >= 0 {
		end = offset + i
	}
	start = max(start, offset-300)
	end = min(end, offset+300)
	line := maskSecrets(entries, text[start:end])
	if len(findSecrets(entries, line)) > 0 || len(findShapes(line)) > 0 {
		return "(withheld: it still looks secret after masking)"
	}
	return fmt.Sprintf("%q", line)
}

// wireStats count what the recorder saw, to prove each credential kind
// really took the path under test.
type wireStats struct {
	urlSigs, copySourceSigs, userDelegationSAS, accountKeySAS atomic.Int64
	bearer, sharedKey, udk, tokens, assertions, clientSecrets atomic.Int64
	identityHeaders                                           atomic.Int64
}

// statsSnapshot is a copy of the counters at one moment.
type statsSnapshot struct {
	urlSigs, copySourceSigs, userDelegationSAS, accountKeySAS int64
	bearer, sharedKey, udk, tokens, assertions, clientSecrets int64
	identityHeaders                                           int64
}

func (w *wireStats) snapshot() statsSnapshot {
	return statsSnapshot{
		w.urlSigs.Load(), w.copySourceSigs.Load(), w.userDelegationSAS.Load(), w.accountKeySAS.Load(),
		w.bearer.Load(), w.sharedKey.Load(), w.udk.Load(), w.tokens.Load(), w.assertions.Load(), w.clientSecrets.Load(),
		w.identityHeaders.Load(),
	}
}

func (a statsSnapshot) minus(b statsSnapshot) statsSnapshot {
	return statsSnapshot{
		a.urlSigs - b.urlSigs, a.copySourceSigs - b.copySourceSigs, a.userDelegationSAS - b.userDelegationSAS, a.accountKeySAS - b.accountKeySAS,
		a.bearer - b.bearer, a.sharedKey - b.sharedKey, a.udk - b.udk, a.tokens - b.tokens, a.assertions - b.assertions, a.clientSecrets - b.clientSecrets,
		a.identityHeaders - b.identityHeaders,
	}
}

// wireRecorder captures the secrets in requests' headers and URLs: SAS
// signatures (query and x-ms-copy-source), bearer tokens and SharedKey
// signatures, the X-IDENTITY-HEADER. It is shared by the library's
// RoundTripper and the fault proxy hook in front of Azurite for the CLI.
type wireRecorder struct {
	vault *secretVault
	stats *wireStats
}

func (w *wireRecorder) request(r *http.Request) {
	if sig := w.sigOf(r.URL.RawQuery); sig {
		w.stats.urlSigs.Add(1)
	}
	if src := r.Header.Get("x-ms-copy-source"); src != "" {
		if u, err := url.Parse(src); err == nil && w.sigOf(u.RawQuery) {
			w.stats.copySourceSigs.Add(1)
			if u.Query().Get("skoid") != "" {
				w.stats.userDelegationSAS.Add(1)
			} else {
				w.stats.accountKeySAS.Add(1)
			}
		}
	}
	switch a := r.Header.Get("Authorization"); {
	case strings.HasPrefix(a, "Bearer "):
		w.stats.bearer.Add(1)
		w.vault.add("access token", strings.TrimPrefix(a, "Bearer "))
	case strings.HasPrefix(a, "SharedKey "):
		w.stats.sharedKey.Add(1)
		if _, mac, ok := strings.Cut(a, ":"); ok {
			w.vault.add("SharedKey request signature", mac)
		}
	}
	if h := r.Header.Get("X-IDENTITY-HEADER"); h != "" {
		w.stats.identityHeaders.Add(1)
		w.vault.add("identity header", h)
	}
}

// sigOf registers the sig of a raw query, as sent and decoded.
func (w *wireRecorder) sigOf(rawQuery string) bool {
	found := false
	for _, p := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(p, "=")
		if !strings.EqualFold(k, "sig") || v == "" {
			continue
		}
		found = true
		w.vault.add("SAS signature", v)
		if dec, err := url.QueryUnescape(v); err == nil {
			w.vault.add("SAS signature", dec)
		}
	}
	return found
}

// formBody registers the client secret and client assertion of a token
// request body.
func (w *wireRecorder) formBody(b []byte) {
	q, err := url.ParseQuery(string(b))
	if err != nil {
		return
	}
	if v := q.Get("client_secret"); v != "" {
		w.stats.clientSecrets.Add(1)
		w.vault.add("client secret", v)
	}
	if v := q.Get("client_assertion"); v != "" {
		w.stats.assertions.Add(1)
		w.vault.add("client assertion", v)
	}
}

var udkValueRE = regexp.MustCompile(`<Value>([^<]+)</Value>`)

// responseBody registers the access token of a token response and the
// value of a user delegation key.
func (w *wireRecorder) responseBody(b []byte) {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(b, &tok) == nil && tok.AccessToken != "" {
		w.stats.tokens.Add(1)
		w.vault.add("access token", tok.AccessToken)
	}
	if m := udkValueRE.FindSubmatch(b); m != nil {
		w.stats.udk.Add(1)
		w.vault.add("user delegation key", string(m[1]))
	}
}

// recordingTransport is the library's RoundTripper: it records every secret
// sent or received, and on demand corrupts the SAS of Put Block From URL
// sources (after the request was signed), so that a completion fails with a
// genuine 403 from Azurite.
type recordingTransport struct {
	base    http.RoundTripper
	rec     *wireRecorder
	corrupt atomic.Bool
}

func (rt *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.rec.request(req)
	out := req
	if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" && req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		rt.rec.formBody(b)
		out = req.Clone(req.Context())
		out.Body = io.NopCloser(bytes.NewReader(b))
		out.ContentLength = int64(len(b))
	}
	if src := req.Header.Get("x-ms-copy-source"); src != "" && rt.corrupt.Load() {
		if out == req {
			out = req.Clone(req.Context())
		}
		out.Header.Set("x-ms-copy-source", rt.corruptSig(src))
	}
	resp, err := rt.base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	udk := req.URL.Query().Get("comp") == "userdelegationkey"
	if mt == "application/json" || udk {
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		rt.rec.responseBody(b)
		resp.Body = io.NopCloser(bytes.NewReader(b))
	}
	return resp, nil
}

// corruptSig replaces the sig of a source URL with another valid-looking
// one (also registered as a secret: it is shaped like one).
func (rt *recordingTransport) corruptSig(src string) string {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	bad := base64.StdEncoding.EncodeToString(raw)
	rt.rec.vault.add("SAS signature (deliberately corrupted)", bad)
	base, query, _ := strings.Cut(src, "?")
	parts := strings.Split(query, "&")
	for i, p := range parts {
		if k, _, _ := strings.Cut(p, "="); strings.EqualFold(k, "sig") {
			parts[i] = k + "=" + url.QueryEscape(bad)
		}
	}
	return base + "?" + strings.Join(parts, "&")
}

// errorTexts renders err and everything it wraps in every common verb:
// %#v of a wrapper shows only pointers, so each wrapped error is rendered
// on its own.
func errorTexts(err error) []string {
	var out []string
	queue := []error{err}
	for n := 0; len(queue) > 0 && n < 64; n++ {
		e := queue[0]
		queue = queue[1:]
		if e == nil {
			continue
		}
		out = append(out, e.Error(), fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e), fmt.Sprintf("%q", e), fmt.Sprintf("%x", e))
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			queue = append(queue, u.Unwrap())
		case interface{ Unwrap() []error }:
			queue = append(queue, u.Unwrap()...)
		}
	}
	return out
}

// renderings prints v in every verb a log line or message might use.
func renderings(v any) []string {
	out := make([]string, 0, 7)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out = append(out, fmt.Sprintf(verb, v))
	}
	return out
}

// panicMessage panics with v, recovers, and returns what the runtime would
// print as the panic message (it calls Error or String when v has one).
func panicMessage(v any) (msg string) {
	defer func() {
		switch r := recover().(type) {
		case error:
			msg = r.Error()
		case fmt.Stringer:
			msg = r.String()
		case string:
			msg = r
		default:
			msg = fmt.Sprintf("%#v", r) // more than the runtime prints
		}
	}()
	panic(v)
}

// bufferAt is an io.WriterAt in memory.
type bufferAt struct {
	mu  sync.Mutex
	buf []byte
}

func (b *bufferAt) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if end := int(off) + len(p); end > len(b.buf) {
		b.buf = append(b.buf, make([]byte, end-len(b.buf))...)
	}
	copy(b.buf[off:], p)
	return len(p), nil
}

func (b *bufferAt) bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.buf...)
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
