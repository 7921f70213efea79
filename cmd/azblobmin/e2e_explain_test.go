package main

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// explainEmulator starts an Azurite of its own that writes its debug log,
// the only place Azurite reveals the string-to-sign it computed.
func explainEmulator(t *testing.T) (*emulatortest.Emulator, string) {
	t.Helper()
	log := filepath.Join(t.TempDir(), "azurite-debug.log")
	e := emulatortest.StartWith(t, emulatortest.Options{ExtraArgs: []string{"--debug", log}})
	return e, log
}

func wrongKey() string {
	raw := make([]byte, 64)
	_, _ = rand.Read(raw)
	return base64.StdEncoding.EncodeToString(raw)
}

func explainEnv(t *testing.T, e *emulatortest.Emulator, key string) []string {
	return baseEnv(t,
		"AZBLOBMIN_URL=azblob-http://"+e.Host+"/"+e.AccountName,
		"AZURE_STORAGE_KEY="+key,
	)
}

// A wrong key gets a real 403 from Azurite. explain -probe shows our
// string-to-sign and what Azurite answered; Azurite's own string-to-sign,
// read from its debug log, is identical, which pins the failure on the key.
func TestExplainProbeWrongKeyAzurite(t *testing.T) {
	e, log := explainEmulator(t)
	key := wrongKey()
	env := explainEnv(t, e, key)

	// Without the log: the 403 is shown with our string-to-sign, and the
	// verdict says the server did not report its own.
	r := run(t, env, nil, "explain", "-probe")
	require.Equal(t, 1, r.code, r.String())
	assert.Contains(t, r.stdout, "request:  GET http://"+e.Host+"/"+e.AccountName+"/?comp=list&maxresults=1\n")
	assert.Contains(t, r.stdout, "key:      SharedKey from AZURE_STORAGE_KEY (never shown)")
	assert.Contains(t, r.stdout, "server answered: HTTP 403 AuthorizationFailure [request id ")
	assert.Contains(t, r.stdout, "  1  VERB                   GET\\n\n")
	assert.Regexp(t, `13  x-ms-date header       x-ms-date:[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\\n\n`, r.stdout)
	assert.Contains(t, r.stdout, " 15  resource               /"+e.AccountName+"/"+e.AccountName+"/\\n\n")
	assert.Contains(t, r.stdout, " 17  query maxresults       maxresults:1\n")
	assert.Contains(t, r.stdout, "without saying which string it signed")
	assertNoSecret(t, "explain output", r.stdout+r.stderr, key)

	// With Azurite's debug log: the server's string-to-sign for this very
	// request (matched by request id) is identical to ours.
	r = run(t, env, nil, "explain", "-probe", "-azurite-debug-log", log)
	require.Equal(t, 1, r.code, r.String())
	assert.Contains(t, r.stdout, "ours vs the server's (from Azurite debug log "+log+"):")
	assert.Contains(t, r.stdout, "the two strings are identical")
	assert.NotContains(t, r.stdout, ">>")
	assert.Contains(t, r.stdout, "verdict: the server signed exactly the same string, so only the key can differ")
	assertNoSecret(t, "explain output", r.stdout+r.stderr, key)

	var out explainOutput
	runJSONCode(t, env, 1, &out, "explain", "-probe", "-json", "-azurite-debug-log", log)
	require.NotNil(t, out.Probe)
	assert.Equal(t, 403, out.Probe.Status)
	assert.False(t, out.Probe.Accepted)
	assert.Equal(t, "AuthorizationFailure", out.Probe.ErrorCode)
	require.NotNil(t, out.ServerStringToSign)
	assert.Equal(t, out.StringToSign, *out.ServerStringToSign)
	assert.Equal(t, 0, out.FirstDifference)
	assert.Len(t, out.Lines, 17)

	// The right key: accepted.
	r = run(t, explainEnv(t, e, e.AccountKey), nil, "explain", "-probe")
	require.Equal(t, 0, r.code, r.String())
	assert.Contains(t, r.stdout, "server answered: HTTP 200")
	assert.Contains(t, r.stdout, "verdict: the server accepted the signature (HTTP 200)")
}

// The right key, but a proxy adds a header after signing: Azurite refuses
// it, and the comparison with Azurite's string-to-sign marks the first
// line that differs, which is the injected header.
func TestExplainProbeMarksTamperedHeader(t *testing.T) {
	e, log := explainEmulator(t)
	up, err := url.Parse("http://" + e.Host)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(up)
	director := proxy.Director
	proxy.Director = func(r *http.Request) {
		director(r)
		r.Header.Set("x-ms-meta-added-by-proxy", "yes")
	}
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	pu, _ := url.Parse(srv.URL)

	env := baseEnv(t,
		"AZURE_STORAGE_KEY="+e.AccountKey,
	)
	target := "http://" + pu.Host + "/" + e.AccountName + "/"
	r := run(t, env, nil, "explain", "-probe", "-url", target, "-azurite-debug-log", log)
	require.Equal(t, 1, r.code, r.String())
	assert.Contains(t, r.stdout, "server answered: HTTP 403 AuthorizationFailure")
	// x-ms-meta-* sorts between x-ms-date and x-ms-version: line 14.
	marked := regexp.MustCompile(`(?m)^>>\s+14\s+x-ms-version header\s+x-ms-version:2025-11-05\\n\s+x-ms-meta-added-by-proxy:yes\\n$`)
	assert.Regexp(t, marked, r.stdout, "line 14 is where the proxy's header went in")
	assert.Contains(t, r.stdout, ">> first difference at line 14\n")
	assert.Contains(t, r.stdout, "they first differ at line 14 (x-ms-version header).")
	assert.Contains(t, r.stdout, `The server's string has one extra line, 14: "x-ms-meta-added-by-proxy:yes"`)
	assert.Contains(t, r.stdout, "Something changed the request after it was signed")
}

// Without -probe, explain needs no key at all and shows what would be signed.
func TestExplainOffline(t *testing.T) {
	env := baseEnv(t)
	r := run(t, env, nil, "explain", "-method", "put",
		"-url", "https://myaccount.blob.core.windows.net/session/a%20b?comp=block&blockid=AAAA",
		"-header", "x-ms-date: Fri, 21 Nov 2025 03:30:00 GMT",
		"-header", "X-Ms-Blob-Type:  BlockBlob ",
		"-header", "Content-Type: application/octet-stream",
		"-content-length", "1024")
	require.Equal(t, 0, r.code, r.String())
	want := `string-to-sign (18 lines; each \n is a newline in the signed text):
  1  VERB                   PUT\n
  2  Content-Encoding       \n
  3  Content-Language       \n
  4  Content-Length         1024\n
  5  Content-MD5            \n
  6  Content-Type           application/octet-stream\n
  7  Date                   \n
  8  If-Modified-Since      \n
  9  If-Match               \n
 10  If-None-Match          \n
 11  If-Unmodified-Since    \n
 12  Range                  \n
 13  x-ms-blob-type header  x-ms-blob-type:BlockBlob\n
 14  x-ms-date header       x-ms-date:Fri, 21 Nov 2025 03:30:00 GMT\n
 15  x-ms-version header    x-ms-version:2025-11-05\n
 16  resource               /myaccount/session/a%20b\n
 17  query blockid          blockid:AAAA\n
 18  query comp             comp:block
`
	assert.Contains(t, r.stdout, want)
	assert.Contains(t, r.stdout, "added:    x-ms-version: 2025-11-05\n")
	assert.Contains(t, r.stdout, "no request sent")

	// Compared with a server string saved in a file (Azure's detail form).
	serverSTS := strings.Replace(strings.Join([]string{"PUT", "", "", "1024", "", "application/octet-stream", "", "", "", "", "", "",
		"x-ms-blob-type:BlockBlob", "x-ms-date:Fri, 21 Nov 2025 03:30:00 GMT", "x-ms-version:2025-11-05",
		"/myaccount/session/a b", "blockid:AAAA", "comp:block"}, "\n"), "", "", 0)
	file := filepath.Join(t.TempDir(), "detail.txt")
	require.NoError(t, os.WriteFile(file, []byte("The MAC signature found in the HTTP request 'c2ln' is not the same as any computed signature. Server used following string to sign: '"+serverSTS+"'."), 0o600))
	var out explainOutput
	runJSON(t, env, nil, &out, "explain", "-json", "-method", "PUT",
		"-url", "https://myaccount.blob.core.windows.net/session/a%20b?comp=block&blockid=AAAA",
		"-header", "x-ms-date: Fri, 21 Nov 2025 03:30:00 GMT", "-header", "x-ms-blob-type: BlockBlob",
		"-header", "Content-Type: application/octet-stream", "-content-length", "1024",
		"-server-string-to-sign", file)
	assert.Equal(t, 16, out.FirstDifference, "the resource line: a%%20b against a b")
	assert.Contains(t, out.Verdict, "line 16 (resource)")
	assert.Nil(t, out.Probe)
}
