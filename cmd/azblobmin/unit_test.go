package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
	"github.com/azblobmin/azblobmin/uploader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShellQuoteAndSuggest(t *testing.T) {
	assert.Equal(t, "''", shellQuote(""))
	assert.Equal(t, "rec.bin", shellQuote("rec.bin"))
	assert.Equal(t, "/tmp/a-b_c.bin", shellQuote("/tmp/a-b_c.bin"))
	assert.Equal(t, "'my rec.bin'", shellQuote("my rec.bin"))
	assert.Equal(t, `'it'\''s'`, shellQuote("it's"))
	assert.Equal(t, "'a$b'", shellQuote("a$b"))
	assert.Equal(t, "'azblob://a.blob.core.windows.net#session_container=x&inprogress_container=y'",
		shellQuote("azblob://a.blob.core.windows.net#session_container=x&inprogress_container=y"))
	assert.Equal(t, "azblobmin abort -session-id s -upload-id u", suggest("", "abort", "-session-id", "s", "-upload-id", "u"))
	assert.Equal(t, "azblobmin abort -url 'azblob://a#x=1&y=2' -upload-id u", suggest("azblob://a#x=1&y=2", "abort", "-upload-id", "u"))
}

func TestFormatNumbersAndMissing(t *testing.T) {
	assert.Equal(t, "1-3, 7, 9-10", formatNumbers([]int64{1, 2, 3, 7, 9, 10}))
	assert.Equal(t, "", formatNumbers(nil))
	parts := map[int64]storedPart{1: {}, 2: {}, 5: {}, 7: {}}
	assert.Equal(t, []int64{3, 4, 6}, missingParts(parts))
	assert.Equal(t, []int64{}, missingParts(map[int64]storedPart{}))
}

func TestCheckStoredSizes(t *testing.T) {
	sp := func(n, size int64) storedPart {
		return storedPart{StreamPart: uploader.StreamPart{Number: n}, Size: size}
	}
	// 25 bytes in parts of 10: 10, 10, 5
	ok := map[int64]storedPart{1: sp(1, 10), 3: sp(3, 5)}
	assert.NoError(t, checkStoredSizes(ok, 25, 10))
	assert.NoError(t, checkStoredSizes(map[int64]storedPart{2: sp(2, -1)}, 25, 10), "unknown size is not checked")
	err := checkStoredSizes(map[int64]storedPart{3: sp(3, 10)}, 25, 10)
	assert.ErrorContains(t, err, "part 3 is already stored with 10 bytes but this input has 5 bytes there")
	err = checkStoredSizes(map[int64]storedPart{4: sp(4, 10)}, 25, 10)
	assert.ErrorContains(t, err, "already has part 4 but this input has only 3 parts")
	var mm *resumeMismatchError
	assert.ErrorAs(t, err, &mm)
}

func TestCheckStoredPartCRC(t *testing.T) {
	body := []byte("hello part")
	p := cli.Part{Number: 1, Size: int64(len(body)), Body: bytes.NewReader(body)}
	assert.NoError(t, checkStoredPart(storedPart{Size: 10}, p))
	p.Body = bytes.NewReader(body)
	err := checkStoredPart(storedPart{Size: 10, CRC64: []byte{1, 2, 3, 4, 5, 6, 7, 8}}, p)
	assert.ErrorContains(t, err, "different content")
}

func TestLayeredEnvAndSecretFiles(t *testing.T) {
	base := map[string]string{envAccountKey: "env-key", envConnectionString: "env-conn"}
	a := &app{getenv: func(k string) string { return base[k] }}
	a.env = newLayeredEnv(a.getenv)
	assert.Equal(t, "SharedKey from AZURE_STORAGE_CONNECTION_STRING", a.env.credentialSource())

	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(keyFile, []byte("  file-key-value \n"), 0o600))
	require.NoError(t, a.loadSecretFiles(keyFile, ""))
	assert.Equal(t, "file-key-value", a.env.Get(envAccountKey))
	assert.Equal(t, "", a.env.Get(envConnectionString), "an explicit key file hides the connection string")
	assert.Equal(t, "SharedKey from -account-key-file "+keyFile, a.env.credentialSource())
	assert.Equal(t, "the REDACTED", a.scrub.String("the file-key-value"))

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	_, err := readSecretFile(empty)
	assert.ErrorContains(t, err, "is empty")
	_, err = readSecretFile(dir)
	assert.ErrorContains(t, err, "not a regular file")
	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, bytes.Repeat([]byte("k"), maxSecretFile+1), 0o600))
	_, err = readSecretFile(big)
	assert.ErrorContains(t, err, "larger than 64 KiB")
}

func TestAddSecretExtractsConnectionStringParts(t *testing.T) {
	a := &app{}
	a.addSecret("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyYmF6cXV4MTIz;EndpointSuffix=core.windows.net")
	assert.Equal(t, "key REDACTED", a.scrub.String("key Zm9vYmFyYmF6cXV4MTIz"))
}

func TestClientIDFromURL(t *testing.T) {
	assert.Equal(t, "11111111-2222-3333-4444-555555555555", clientIDFromURL("azblob://a.blob.core.windows.net#session_container=s&azure_client_id=11111111-2222-3333-4444-555555555555"))
	assert.Equal(t, "", clientIDFromURL("azblob://a.blob.core.windows.net"))
}

func TestExplainTarget(t *testing.T) {
	a := &app{getenv: func(string) string { return "" }}
	a.env = newLayeredEnv(a.getenv)
	tests := []struct{ in, url, account string }{
		{"azblob://acct.blob.core.windows.net", "https://acct.blob.core.windows.net/?comp=list&maxresults=1", "acct"},
		{"azblob://acct.blob.core.windows.net#session_container=x", "https://acct.blob.core.windows.net/?comp=list&maxresults=1", "acct"},
		{"azblob-http://127.0.0.1:10000/devstoreaccount1", "http://127.0.0.1:10000/devstoreaccount1/?comp=list&maxresults=1", "devstoreaccount1"},
		{"http://127.0.0.1:10000/devstoreaccount1/", "http://127.0.0.1:10000/devstoreaccount1/?comp=list&maxresults=1", "devstoreaccount1"},
		{"https://acct.blob.core.windows.net/c/b%20x?comp=block", "https://acct.blob.core.windows.net/c/b%20x?comp=block", "acct"},
		{"http://localhost:10000/devstoreaccount1/c?restype=container", "http://localhost:10000/devstoreaccount1/c?restype=container", "devstoreaccount1"},
	}
	for _, tt := range tests {
		u, acct, err := a.explainTarget(tt.in, "")
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.url, u, tt.in)
		assert.Equal(t, tt.account, acct, tt.in)
	}
	_, acct, err := a.explainTarget("https://custom.example.com/c/b", "realacct")
	require.NoError(t, err)
	assert.Equal(t, "realacct", acct)
	_, _, err = a.explainTarget("", "")
	assert.ErrorContains(t, err, "no URL")
	_, _, err = a.explainTarget("gopher://x/y", "")
	assert.ErrorContains(t, err, `scheme "gopher" is not supported`)
}

func TestVerdict(t *testing.T) {
	sts := "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:d\n/a/a/"
	o := &explainOutput{StringToSign: sts, Lines: cli.SplitStringToSign(sts), Account: "a", Credential: "SharedKey from AZURE_STORAGE_KEY"}
	assert.Contains(t, verdict(o), "no request sent")

	o.Probe = &probeResult{Status: 200, Accepted: true}
	assert.Equal(t, "the server accepted the signature (HTTP 200)", verdict(o))
	o.Probe = &probeResult{Status: 404, Accepted: true, ErrorCode: "ContainerNotFound"}
	assert.Contains(t, verdict(o), "HTTP 404 ContainerNotFound, which is not an authentication failure")

	o.Probe = &probeResult{Status: 403, ErrorCode: "AuthenticationFailed", ClockSkewSeconds: 3600}
	v := verdict(o)
	assert.Contains(t, v, "without saying which string it signed")
	assert.Contains(t, v, "This machine's clock is 1h0m0s off the server's")

	o.Probe.ClockSkewSeconds = 0
	same := sts
	o.ServerStringToSign, o.FirstDifference = &same, 0
	assert.Contains(t, verdict(o), "only the key can differ: the key (SharedKey from AZURE_STORAGE_KEY) is wrong")

	other := strings.Replace(sts, "x-ms-date:d", "x-ms-date:e", 1)
	o.ServerStringToSign, o.FirstDifference = &other, cli.FirstDifference(sts, other)
	assert.Contains(t, verdict(o), `they first differ at line 13 (x-ms-date header). Only line 13 differs: ours "x-ms-date:d", the server's "x-ms-date:e".`)
}

// Flags may follow the positional argument, as in `upload FILE -url ...`,
// and "--" ends the flags.
func TestParseInterspersed(t *testing.T) {
	a := &app{stdout: &bytes.Buffer{}}
	a.out = a.stdout
	c := &command{name: "x"}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	u := fs.String("url", "", "")
	pos, err := a.parse(c, fs, []string{"file", "-url", "u1"})
	require.NoError(t, err)
	assert.Equal(t, []string{"file"}, pos)
	assert.Equal(t, "u1", *u)
	pos, err = a.parse(c, fs, []string{"-url", "u2", "--", "-url", "x"})
	require.NoError(t, err)
	assert.Equal(t, []string{"-url", "x"}, pos)
	assert.Equal(t, "u2", *u)
	_, err = a.parse(c, fs, []string{"-bogus"})
	assert.EqualError(t, err, "unknown flag -bogus")
}

// run in-process: exit codes for the cases that need no network.
func TestRunExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{nil, exitUsage},
		{[]string{"-h"}, exitOK},
		{[]string{"version"}, exitOK},
		{[]string{"nope"}, exitUsage},
		{[]string{"upload", "-token=abc"}, exitUsage},
		{[]string{"explain", "-url", "https://a.blob.core.windows.net/c/b"}, exitOK},
	} {
		var out, errb bytes.Buffer
		a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
		assert.Equal(t, tc.code, a.run(context.Background(), tc.args), "%v: %s", tc.args, errb.String())
	}
}
