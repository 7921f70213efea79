package cli

import (
	"bytes"
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestScrubberPatterns(t *testing.T) {
	var s Scrubber
	tests := []struct{ in, secret string }{
		{"GET https://a.blob.core.windows.net/c/b?sv=2025-11-05&sig=abcDEF%2Bghi%3D&se=x", "abcDEF%2Bghi%3D"},
		{"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFyYmF6cXV4==;EndpointSuffix=core.windows.net", "Zm9vYmFyYmF6cXV4=="},
		{"BlobEndpoint=https://x;SharedAccessSignature=sv=2020&sig=zzzzzzzz", "sv=2020"},
		{"Authorization: SharedKey devstoreaccount1:q1w2e3r4t5y6u7i8o9p0+/=", "q1w2e3r4t5y6u7i8o9p0"},
		{"Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.c2ln", "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9"},
		{"client_id=x&client_secret=p4ssw0rd-very-long&grant_type=client_credentials", "p4ssw0rd-very-long"},
		{`{"access_token":"abc.def.ghi","expires_in":3599}`, "abc.def.ghi"},
		{"The MAC signature found in the HTTP request 'AbCdEf0123456789+/=' is not the same as any computed signature.", "AbCdEf0123456789"},
	}
	for _, tt := range tests {
		out := s.String(tt.in)
		assert.NotContains(t, out, tt.secret, tt.in)
		assert.Contains(t, out, Redacted, tt.in)
	}
	// Ordinary text about the Bearer scheme is left alone.
	msg := "Authentication scheme Bearer is not allowed with HTTP."
	assert.Equal(t, msg, s.String(msg))
}

func TestScrubberKnownValues(t *testing.T) {
	var s Scrubber
	const key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
	s.Add(key, "short", "")
	out := s.String("the key is " + key + " and short stays")
	assert.NotContains(t, out, key)
	assert.Contains(t, out, "short stays")
	// A URL-escaped or quoted form is different text; the writer sees the
	// exact form the tool loaded, which is what matters for its own output.
	var buf bytes.Buffer
	w := s.Writer(&buf)
	n, err := w.Write([]byte("x " + key + "\n"))
	assert.NoError(t, err)
	assert.Equal(t, len(key)+3, n)
	assert.Equal(t, "x REDACTED\n", buf.String())
	// nil scrubber still applies the patterns.
	var nilS *Scrubber
	assert.NotContains(t, nilS.String("?sig=abcdefgh"), "abcdefgh")
}

func TestLoggerRedacts(t *testing.T) {
	var s Scrubber
	const key = "c2VjcmV0LWtleS12YWx1ZS10aGF0LW11c3Qtbm90LWxlYWs="
	s.Add(key)
	var buf bytes.Buffer
	log := NewLogger(&buf, &s, true)
	u, _ := url.Parse("https://a.blob.core.windows.net/c/b?sv=1&sig=SIGNATURE123")
	log.Debug("request", "url", u.String(), "u", u, "err", errors.New("bad key "+key), "k", key)
	out := buf.String()
	assert.Contains(t, out, "level=DEBUG")
	assert.NotContains(t, out, "SIGNATURE123")
	assert.NotContains(t, out, key)
	assert.Contains(t, out, "sig=REDACTED")

	buf.Reset()
	quiet := NewLogger(&buf, &s, false)
	quiet.Debug("hidden")
	quiet.Warn("shown")
	assert.NotContains(t, buf.String(), "hidden")
	assert.Contains(t, buf.String(), "shown")
}
