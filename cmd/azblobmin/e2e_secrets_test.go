//go:build unix

package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// processArgs returns the command line of a running process as the
// system shows it to every user (ps).
func processArgs(t *testing.T, pid int) string {
	t.Helper()
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); err == nil {
		return string(bytes.ReplaceAll(b, []byte{0}, []byte{' '}))
	}
	out, err := exec.Command("ps", "-o", "args=", "-p", strconv.Itoa(pid)).Output()
	require.NoError(t, err, "reading the process arguments")
	return string(out)
}

// waitProcessArgs is processArgs once the child shows want: right after
// Start it may not have exec'd yet, and its command line is then still the
// test binary's, or empty, which would make a check on it vacuous. The
// bound is a readiness limit, not a timing assertion.
func waitProcessArgs(t *testing.T, pid int, want string) string {
	t.Helper()
	args := processArgs(t, pid)
	for i := 0; i < 500 && !strings.Contains(args, want); i++ {
		time.Sleep(10 * time.Millisecond)
		args = processArgs(t, pid)
	}
	require.Contains(t, args, want, "the child's command line never showed up")
	return args
}

// The account key is in the environment, debug logging is on, the upload
// runs to completion (so the completion's per-part SAS URLs are logged):
// the key must not appear in stdout, stderr or the process arguments.
func TestUploadKeepsSecretOutOfOutputAndArgs(t *testing.T) {
	s := newStore(t)
	secret := emu.AccountKey
	_, data := randomFile(t, 3<<20+5)

	cmd := exec.Command(cliBinary, "upload", "-debug", "-part-size", "1MiB", "-")
	cmd.Env = s.env() // AZURE_STORAGE_KEY=<key>
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	// The CLI is now waiting for stdin: look at its arguments while it runs.
	args := waitProcessArgs(t, cmd.Process.Pid, "upload -debug")
	assert.Contains(t, args, "upload -debug -part-size 1MiB -")
	assertNoSecret(t, "the process arguments", args, secret)
	_, err = stdin.Write(data[:1<<20])
	require.NoError(t, err)
	time.Sleep(100 * time.Millisecond)
	assertNoSecret(t, "the process arguments", processArgs(t, cmd.Process.Pid), secret)
	_, err = stdin.Write(data[1<<20:])
	require.NoError(t, err)
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait(), "stderr:\n%s", stderr.String())

	out, errOut := stdout.String(), stderr.String()
	assert.Contains(t, errOut, "level=DEBUG", "debug logging was on")
	assert.Contains(t, errOut, `op="Put Block From URL"`, "the completion was logged")
	assert.Contains(t, out, "session id:")
	assertNoSecret(t, "stdout", out, secret)
	assertNoSecret(t, "stderr", errOut, secret)
}

// The same with the key in a file, and with a wrong key that makes every
// request fail (errors are where secrets most often leak).
func TestSecretsStayOutOfErrors(t *testing.T) {
	s := newStore(t)
	path, _ := randomFile(t, 100_000)

	keyFile := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(emu.AccountKey+"\n"), 0o600))
	env := baseEnv(t, "AZBLOBMIN_URL="+s.url)
	r := run(t, env, nil, "upload", "-debug", "-account-key-file", keyFile, path)
	require.Equal(t, 0, r.code, r.String())
	assertNoSecret(t, "output", r.stdout+r.stderr, emu.AccountKey)

	raw := make([]byte, 64)
	_, _ = rand.Read(raw)
	wrong := base64.StdEncoding.EncodeToString(raw)
	for _, extra := range [][]string{
		{"AZURE_STORAGE_KEY=" + wrong},
		{"AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=http;AccountName=" + emu.AccountName + ";AccountKey=" + wrong + ";BlobEndpoint=" + emu.Endpoint + ";"},
	} {
		env := append(baseEnv(t, "AZBLOBMIN_URL="+s.url), extra...)
		r := run(t, env, nil, "upload", "-debug", path)
		assert.Equal(t, 1, r.code, r.String())
		assert.Contains(t, r.stderr, "403 AuthorizationFailure")
		assert.Contains(t, r.stderr, "hint: run `azblobmin explain -probe`")
		assertNoSecret(t, "output", r.stdout+r.stderr, wrong)

		r = run(t, env, nil, "explain", "-probe", "-debug")
		assert.Equal(t, 1, r.code, r.String())
		assertNoSecret(t, "explain output", r.stdout+r.stderr, wrong)
		assert.NotContains(t, r.stdout+r.stderr, "SharedKey "+emu.AccountName+":", "the request signature is not shown")
	}

	// A malformed key is reported without being echoed.
	bad := "not base64 at all but long enough to be a secret!"
	env = baseEnv(t, "AZBLOBMIN_URL="+s.url, "AZURE_STORAGE_KEY="+bad)
	r = run(t, env, nil, "uploads")
	assert.Equal(t, 1, r.code, r.String())
	assert.Contains(t, r.stderr, "AZURE_STORAGE_KEY")
	assert.NotContains(t, r.stderr, bad)
}
