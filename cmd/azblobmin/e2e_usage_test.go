package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUsageErrorsExit2(t *testing.T) {
	s := newStore(t)
	path, _ := randomFile(t, 10)
	const sid = "5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a"
	tests := []struct {
		args []string
		want string
	}{
		{nil, "usage: azblobmin COMMAND"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"upload"}, "want exactly one FILE (or - for stdin), got 0 arguments"},
		{[]string{"upload", path, path}, "got 2 arguments"},
		{[]string{"upload", "-part-size", "five", path}, `invalid size "five"`},
		{[]string{"upload", "-part-size", "0", path}, "-part-size 0 is out of range"},
		{[]string{"upload", "-part-size", "5GiB", path}, "out of range: want 1 byte to 4000MiB"},
		{[]string{"upload", "-concurrency", "0", path}, "-concurrency 0 is out of range"},
		{[]string{"upload", "-session-id", "NOT-A-UUID", path}, "-session-id: session id \"NOT-A-UUID\" is not a canonical UUID"},
		{[]string{"upload", "-resume-upload-id", sid, path}, "-resume-upload-id needs the -session-id"},
		{[]string{"upload", "-nope", path}, "unknown flag -nope"},
		{[]string{"upload", "-account-key=c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw==", path}, "flag -account-key is not accepted"},
		{[]string{"upload", "-connection-string", "AccountName=a;AccountKey=c2VjcmV0", path}, "set AZURE_STORAGE_CONNECTION_STRING or use -connection-string-file FILE"},
		{[]string{"uploads", "-client-secret", "p4ss"}, "set AZURE_CLIENT_SECRET"},
		{[]string{"uploads", "-url", "https://a.blob.core.windows.net/?sv=1&sig=c2lnbmF0dXJl"}, "holds a SAS signature"},
		{[]string{"uploads", "-url", "ftp://x"}, `scheme "ftp" is not supported`},
		{[]string{"uploads", "-account-key-file", "/nonexistent/key"}, "-account-key-file: cannot open /nonexistent/key"},
		{[]string{"uploads", "-account-key-file", path, "-connection-string-file", path}, "not both"},
		{[]string{"uploads", "extra"}, "unexpected arguments"},
		{[]string{"download", "-"}, "-session-id is required"},
		{[]string{"download", "-session-id", sid, "-json", "-"}, "-json cannot be used with OUT '-'"},
		{[]string{"download", "-session-id", sid}, "want exactly one OUT file"},
		{[]string{"parts", "-session-id", sid}, "-session-id and -upload-id are both required"},
		{[]string{"parts", "-session-id", sid, "-upload-id", "x"}, "-upload-id: upload id \"x\" is not a canonical UUID"},
		{[]string{"complete", "-upload-id", sid}, "are both required"},
		{[]string{"abort"}, "are both required"},
		{[]string{"gc", "-older-than", "-1h"}, "-older-than -1h0m0s is negative"},
		{[]string{"gc", "-older-than", "soon"}, `invalid value "soon" for flag -older-than`},
		{[]string{"explain", "-probe", "-method", "DELETE"}, "-probe sends only GET or HEAD"},
		{[]string{"explain", "-header", "no-colon"}, `-header "no-colon" is not 'Name: value'`},
		{[]string{"explain", "-header", "Authorization: SharedKey a:b"}, "-header Authorization is not accepted"},
		{[]string{"explain", "-azurite-debug-log", "x"}, "-azurite-debug-log needs -probe"},
		{[]string{"token", "-client-id", "nope"}, `-client-id "nope" is not a client id`},
		{[]string{"help", "nothing"}, `unknown command "nothing"`},
		{[]string{"version", "x"}, "unexpected arguments"},
	}
	for _, tt := range tests {
		r := run(t, s.env(), nil, tt.args...)
		assert.Equal(t, 2, r.code, "%v\n%s", tt.args, r)
		assert.Contains(t, r.stderr, tt.want, "%v", tt.args)
		assert.Empty(t, r.stdout, "%v: usage errors print nothing on stdout", tt.args)
		assert.NotContains(t, r.stderr, "c2VjcmV0", "%v: a secret flag's value is never echoed", tt.args)
		assert.NotContains(t, r.stderr, "c2lnbmF0dXJl", "%v: a SAS is never echoed", tt.args)
	}

	// a missing input file is a failure, not a usage error
	r := run(t, s.env(), nil, "upload", path+"x")
	assert.Equal(t, 1, r.code, r.String())
	assert.Contains(t, r.stderr, "cannot open the input: open "+path+"x: no such file or directory")

	// no URL at all
	env := baseEnv(t)
	r = run(t, env, nil, "uploads")
	assert.Equal(t, 2, r.code, r.String())
	assert.Contains(t, r.stderr, "no storage URL: give -url or set AZBLOBMIN_URL")
}

func TestHelpShowsExampleForEveryCommand(t *testing.T) {
	env := baseEnv(t)
	for _, name := range commandNames {
		r := run(t, env, nil, name, "-h")
		assert.Equal(t, 0, r.code, "%s -h\n%s", name, r)
		assert.Contains(t, r.stdout, "usage: azblobmin "+name, name)
		_, examples, ok := strings.Cut(r.stdout, "\nexample:\n")
		assert.True(t, ok, "%s -h has an example", name)
		assert.Contains(t, examples, "azblobmin "+name+" ", name)
		assert.Contains(t, r.stdout, "\nflags:\n", name)
		h := run(t, env, nil, "help", name)
		assert.Equal(t, 0, h.code, h.String())
		assert.Equal(t, r.stdout, h.stdout, "help %s is %s -h", name, name)
	}
	r := run(t, env, nil, "-h")
	assert.Equal(t, 0, r.code)
	for _, name := range commandNames {
		assert.Contains(t, r.stdout, "\n  "+name+" ")
	}
}

func TestVersion(t *testing.T) {
	env := baseEnv(t)
	var v versionOutput
	runJSON(t, append(env, "GODEBUG=fips140=off"), nil, &v, "version", "-json")
	assert.Equal(t, "2025-11-05", v.ServiceVersion)
	assert.False(t, v.FIPS140)
	assert.NotEmpty(t, v.GoVersion)

	runJSON(t, append(env, "GODEBUG=fips140=only"), nil, &v, "version", "-json")
	assert.True(t, v.FIPS140, "GODEBUG=fips140=only turns FIPS mode on")

	r := run(t, env, nil, "version")
	assert.Regexp(t, `^azblobmin \S+ \(go1\.\d+`, r.stdout)
}

// Every -json output is one valid JSON document; this covers the commands
// not exercised elsewhere with -json on an empty store.
func TestJSONOnEmptyStore(t *testing.T) {
	s := newStore(t)
	for _, args := range [][]string{
		{"uploads", "-json"},
		{"gc", "-json", "-older-than", "0s"},
		{"parts", "-json", "-session-id", "5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a", "-upload-id", "0e0c1c0a-4b1e-4a53-9d38-36f1e1e1a0b2"},
		{"explain", "-json", "-url", "https://a.blob.core.windows.net/c/b"},
	} {
		r := run(t, s.env(), nil, args...)
		require.Equal(t, 0, r.code, "%v\n%s", args, r)
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &v), "%v: %s", args, r.stdout)
		assert.True(t, strings.HasSuffix(r.stdout, "}\n"))
	}
	// The containers were created by the first command that connected.
	_, err := os.Stat(filepath.Join(t.TempDir()))
	require.NoError(t, err)
}
