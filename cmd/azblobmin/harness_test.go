package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/sharedkey"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The end-to-end tests build the real binary once and run it against one
// Azurite shared by the whole test binary; each test uses its own pair of
// containers, so tests do not see each other's uploads.
var (
	cliBinary string
	emu       *emulatortest.Emulator
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "azblobmin-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "making a temporary directory:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	cliBinary = filepath.Join(dir, "azblobmin")
	if runtime.GOOS == "windows" {
		cliBinary += ".exe"
	}
	build := exec.Command("go", "build", "-o", cliBinary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building azblobmin:", err)
		return 1
	}
	emu, err = emulatortest.StartProcess(emulatortest.Options{})
	if err != nil {
		// Never a skip: without Azurite these tests cannot prove anything.
		fmt.Fprintf(os.Stderr, "starting Azurite: %v\n", err)
		return 1
	}
	defer emu.Stop()
	return m.Run()
}

// store is one test's pair of containers on the shared emulator.
type store struct {
	t          *testing.T
	session    string
	inprogress string
	url        string
	client     *restapi.Client
}

func newStore(t *testing.T) *store {
	t.Helper()
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	s := &store{t: t, session: "s" + id, inprogress: "p" + id}
	s.url = "azblob-http://" + emu.Host + "/" + emu.AccountName + "#session_container=" + s.session + "&inprogress_container=" + s.inprogress
	cred, err := sharedkey.NewCredential(emu.AccountName, emu.AccountKey)
	require.NoError(t, err)
	s.client, err = restapi.NewClient(emu.Endpoint, cred, &restapi.Options{HTTPClient: emu.HTTPClient})
	require.NoError(t, err)
	return s
}

// env is the environment the CLI runs with: the store's URL and the
// emulator's key, and nothing inherited from the developer's shell that
// could change the outcome.
func (s *store) env(extra ...string) []string {
	env := baseEnv(s.t, "AZBLOBMIN_URL="+s.url, "AZURE_STORAGE_KEY="+emu.AccountKey)
	return append(env, extra...)
}

// baseEnv is a clean environment plus extra: PATH, a fresh HOME, and
// GODEBUG when set, so that `GODEBUG=fips140=only go test` runs the CLI in
// FIPS mode too.
func baseEnv(t *testing.T, extra ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	if v := os.Getenv("GODEBUG"); v != "" {
		env = append(env, "GODEBUG="+v)
	}
	return append(env, extra...)
}

// recording returns the bytes stored as sessionID's recording, read with
// restapi directly (not through the CLI).
func (s *store) recording(sessionID string) []byte {
	s.t.Helper()
	res, err := s.client.GetBlob(context.Background(), s.session, sessionID, nil)
	require.NoError(s.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(s.t, err)
	return b
}

// blobs lists the names in container with prefix.
func (s *store) blobs(container, prefix string) []string {
	s.t.Helper()
	var names []string
	for it, err := range s.client.ListAllBlobs(context.Background(), container, &restapi.ListBlobsOptions{Prefix: prefix}) {
		if errors.Is(err, restapi.ErrNotFound) {
			return nil
		}
		require.NoError(s.t, err)
		names = append(names, it.Name)
	}
	return names
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s\n--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// run runs the CLI with env and stdin (may be nil) and waits for it.
func run(t *testing.T, env []string, stdin io.Reader, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cliBinary, args...)
	cmd.Env = env
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("running azblobmin %v: %v", args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// runJSON runs the CLI, requires exit 0, and decodes stdout into v.
func runJSON(t *testing.T, env []string, stdin io.Reader, v any, args ...string) result {
	t.Helper()
	r := run(t, env, stdin, args...)
	require.Equal(t, 0, r.code, "azblobmin %v:\n%s", args, r)
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v), "azblobmin %v: stdout is not the documented JSON:\n%s", args, r)
	require.False(t, dec.More(), "one JSON document expected")
	return r
}

// randomFile writes n random bytes to a new file and returns its path and content.
func randomFile(t *testing.T, n int) (string, []byte) {
	t.Helper()
	b := make([]byte, n)
	_, _ = rand.Read(b)
	p := filepath.Join(t.TempDir(), "rec.bin")
	require.NoError(t, os.WriteFile(p, b, 0o600))
	return p, b
}

// runJSONCode is runJSON for a command expected to exit with code.
func runJSONCode(t *testing.T, env []string, code int, v any, args ...string) result {
	t.Helper()
	r := run(t, env, nil, args...)
	require.Equal(t, code, r.code, "azblobmin %v:\n%s", args, r)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), v), "azblobmin %v: stdout is not JSON:\n%s", args, r)
	return r
}

// sigLeak matches a SAS signature that was not redacted.
var sigLeak = regexp.MustCompile(`(?i)sig=(?:[^R&\s"]|R[^E])`)

// assertNoSecret fails if secret, or a SAS signature, appears in text.
func assertNoSecret(t *testing.T, where, text, secret string) {
	t.Helper()
	assert.NotContains(t, text, secret, "the secret appears in %s", where)
	// The escaped forms a logger or URL might produce.
	assert.NotContains(t, text, strings.ReplaceAll(secret, "/", `\/`), where)
	assert.NotContains(t, text, strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(secret), where)
	assert.NotRegexp(t, sigLeak, text, "a SAS signature appears in %s", where)
}
