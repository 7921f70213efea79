package uploader_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/sharedkey"
	"github.com/azblobmin/azblobmin/uploader"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// testEnv is one handler on the shared Azurite, in containers of its own.
type testEnv struct {
	h     *uploader.Handler
	cfg   uploader.Config
	count *emulatortest.CountingTransport
	raw   *restapi.Client // for inspecting the containers directly
}

func uniqueName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

func devCredential(t testing.TB) *sharedkey.Credential {
	cred, err := sharedkey.NewCredential(emulatortest.DevAccountName, emulatortest.DevAccountKey)
	require.NoError(t, err)
	return cred
}

// newEnv makes a handler whose requests go through a counting transport
// (over base when set, else Azurite's client transport).
func newEnv(t testing.TB, mod func(*uploader.Config), base http.RoundTripper) *testEnv {
	t.Helper()
	if base == nil {
		base = http.DefaultTransport
	}
	client, count := emulatortest.NewCountingClient(base)
	u, err := url.Parse(exampleURL + "#session_container=" + uniqueName("sess") + "&inprogress_container=" + uniqueName("inpr"))
	require.NoError(t, err)
	var cfg uploader.Config
	require.NoError(t, cfg.SetFromURL(u))
	cfg.Authorizer = devCredential(t)
	cfg.HTTPClient = client
	cfg.Retry = restapi.RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxDelay: 100 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	h, err := uploader.NewHandler(context.Background(), cfg)
	require.NoError(t, err)
	raw, err := restapi.NewClient(emu.Endpoint, devCredential(t), &restapi.Options{HTTPClient: emu.HTTPClient})
	require.NoError(t, err)
	count.Reset() // count only what the test itself causes
	return &testEnv{h: h, cfg: h.Config(), count: count, raw: raw}
}

// blobs lists every blob name in container.
func (e *testEnv) blobs(t testing.TB, container string) []string {
	t.Helper()
	var names []string
	for it, err := range e.raw.ListAllBlobs(context.Background(), container, nil) {
		require.NoError(t, err)
		names = append(names, it.Name)
	}
	return names
}

// uploadParts uploads parts 1..len(parts) of a new upload and returns it.
func (e *testEnv) uploadParts(t testing.TB, sessionID string, parts [][]byte) (uploader.StreamUpload, []uploader.StreamPart) {
	t.Helper()
	ctx := context.Background()
	up, err := e.h.CreateUpload(ctx, sessionID)
	require.NoError(t, err)
	var sp []uploader.StreamPart
	for i, p := range parts {
		part, err := e.h.UploadPart(ctx, *up, int64(i+1), bytes.NewReader(p))
		require.NoError(t, err)
		sp = append(sp, *part)
	}
	return *up, sp
}

// randomParts makes n parts of size bytes each (the last one shorter).
func randomParts(n, size int) ([][]byte, []byte) {
	var all []byte
	parts := make([][]byte, n)
	for i := range parts {
		sz := size
		if i == n-1 {
			sz = size/2 + 1
		}
		p := make([]byte, sz)
		_, _ = rand.Read(p)
		parts[i] = p
		all = append(all, p...)
	}
	return parts, all
}

// download returns a recording through Download into a file and checks
// StreamSessionRecording gives the same bytes.
func (e *testEnv) download(t testing.TB, sessionID string) []byte {
	t.Helper()
	ctx := context.Background()
	f, err := os.Create(filepath.Join(t.TempDir(), "rec"))
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, e.h.Download(ctx, sessionID, f))
	got, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	rc, err := e.h.StreamSessionRecording(ctx, sessionID)
	require.NoError(t, err)
	defer rc.Close()
	streamed, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.Equal(t, got, streamed)
	return got
}

func newSessionID() string { return uuid.NewString() }

func runtimeGosched() { time.Sleep(time.Millisecond) }
