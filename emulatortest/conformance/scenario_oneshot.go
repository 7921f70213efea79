package conformance

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azblobmin/azblobmin/uploader"
)

// DownloadMissing downloads a recording that was never written: an error
// matching uploader.ErrNotFound, nothing written.
func DownloadMissing(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	h, _ := env.handler(t, Hooks{})
	assertNoRecording(ctx, t, env, h, newSessionID())
}

// SingleShotUpload sends a stream of unknown length, ten and a half blocks
// plus a few bytes, through Upload; checks the returned URL, that it was
// staged as at least eleven blocks, the bytes, a Download into a file,
// and that a second Upload of the same session fails with
// ErrAlreadyExists without touching the recording.
func SingleShotUpload(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	h, rec := env.handler(t, Hooks{})
	s := newSessionID()
	size := 10*env.BlockSize + env.BlockSize/2 + 123
	data := payload(71, int(size))
	src := &chunkyReader{r: streamOnly{bytes.NewReader(data)}, rng: rand.New(rand.NewPCG(71, 1))}
	got, err := h.Upload(ctx, s, src)
	if err != nil {
		t.Fatalf("Upload of %d bytes: %v", size, err)
	}
	if want := h.GetUploadMetadata(s).URL; got != want {
		t.Errorf("Upload returned URL %q, GetUploadMetadata says %q", got, want)
	}
	checkRecordingURL(t, env, s, got)
	blocks := int((size + env.BlockSize - 1) / env.BlockSize)
	if n := rec.Succeeded(OpPutBlock); n < blocks {
		t.Errorf("Upload of %d bytes with block size %d staged %d blocks with Put Block, want at least %d: does the handler use Env.BlockSize?", size, env.BlockSize, n, blocks)
	}
	verifyRecording(ctx, t, env, h, s, data)

	// Download into a real file, the io.WriterAt callers use.
	f, err := os.Create(filepath.Join(t.TempDir(), "recording"))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Download(ctx, s, f); err != nil {
		f.Close()
		t.Fatalf("Download(%s) into a file: %v", s, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	onDisk, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(onDisk, data); d != "" {
		t.Errorf("Download(%s) into a file: %s", s, d)
	}

	// Nothing of a single-shot upload belongs in the in-progress container.
	for _, prefix := range []string{"upload/" + s, "part/" + s + "/"} {
		left, err := env.Store.List(ctx, env.InprogressContainer, prefix)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) > 0 {
			t.Errorf("Upload left %v in the in-progress container", head(left, 5))
		}
	}

	// The recording is written once.
	if _, err := h.Upload(ctx, s, streamOnly{bytes.NewReader(payload(72, 1000))}); !errors.Is(err, uploader.ErrAlreadyExists) {
		t.Errorf("a second Upload to session %s returned %v, want an error matching uploader.ErrAlreadyExists", s, err)
	}
	verifyRecording(ctx, t, env, h, s, data)
	t.Logf("%d bytes in blocks of %d; %s", size, env.BlockSize, rec.Summary())
}

// UploadMetadata checks GetUploadMetadata: the session id, and a URL that
// names the recording blob in the session container and carries no query
// (so no SAS or other secret).
func UploadMetadata(t testing.TB, env Env) {
	env.mustCheck(t)
	h, rec := env.handler(t, Hooks{})
	s := newSessionID()
	before := rec.Total()
	md := h.GetUploadMetadata(s)
	if md.SessionID != s {
		t.Errorf("GetUploadMetadata(%s).SessionID = %q", s, md.SessionID)
	}
	checkRecordingURL(t, env, s, md.URL)
	if rec.Total() != before {
		t.Errorf("GetUploadMetadata sent %d requests, want none", rec.Total()-before)
	}
}

// checkRecordingURL checks that u is the URL of the recording of session s.
func checkRecordingURL(t testing.TB, env Env, s, u string) {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Errorf("recording URL %q does not parse: %v", u, err)
		return
	}
	if pu.RawQuery != "" || pu.Fragment != "" || pu.User != nil {
		t.Errorf("recording URL of %s carries a query, fragment or user info (it must never hold a SAS or other secret)", s)
	}
	if pu.Scheme != "http" && pu.Scheme != "https" {
		t.Errorf("recording URL %q has scheme %q, want http or https", u, pu.Scheme)
	}
	if suffix := "/" + env.SessionContainer + "/" + s; !strings.HasSuffix(pu.Path, suffix) {
		t.Errorf("recording URL %q does not end with %s", u, suffix)
	}
	if env.SessionContainerURL != "" {
		if want := strings.TrimSuffix(env.SessionContainerURL, "/") + "/" + s; u != want {
			t.Errorf("recording URL is %q, want %q", u, want)
		}
	}
}
