package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/azblobmin/azblobmin/uploader"
)

// ManyParts uploads a recording of 200 parts (4–64 KiB each) with 64
// concurrent workers in a random order, lists the parts, completes,
// and checks the bytes and that nothing of the upload is left behind.
func ManyParts(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	const n, workers = 200, 64
	h, rec := env.handler(t, Hooks{})
	s := newSessionID()
	parts, whole := recordingParts(1, n, 4<<10, 64<<10)
	up := createUpload(ctx, t, h, s)
	uploaded := uploadAll(ctx, t, h, up, parts, workers, 1)
	listed := listParts(ctx, t, h, up, n, uploaded)
	if err := h.CompleteUpload(ctx, up, listed); err != nil {
		t.Fatalf("CompleteUpload of %d parts: %v", n, err)
	}
	verifyCompleted(ctx, t, env, h, up, whole)
	if got := rec.Succeeded(OpPutBlockFromURL); got < n {
		t.Errorf("completion composed %d blocks with Put Block From URL, want at least %d (one per part)", got, n)
	}
	t.Logf("%d parts, %d bytes; %s", n, len(whole), rec.Summary())
}

// FlakyParts makes the first attempt of every part fail before the part
// reaches the store: odd parts by a connection refused on their first Put
// Blob, even parts by a read error from the part's source halfway through.
// The caller retries UploadPart (at most four times); the recording must
// come out byte-identical, with every part's latest upload.
func FlakyParts(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	const n = 48
	s := newSessionID()
	var mu sync.Mutex
	refused := map[string]bool{}
	var injected atomic.Int64
	h, rec := env.handler(t, Hooks{
		BeforeSend: func(req *http.Request, op Op) error {
			name, ok := blobPath(req, env.InprogressContainer)
			if op != OpPutBlob || !ok || !strings.HasPrefix(name, "part/"+s+"/") {
				return nil
			}
			var num int
			if _, err := fmt.Sscanf(name[strings.LastIndexByte(name, '/')+1:], "%d", &num); err != nil || num%2 == 0 {
				return nil
			}
			mu.Lock()
			defer mu.Unlock()
			if refused[name] {
				return nil
			}
			refused[name] = true
			injected.Add(1)
			return ErrInjectedRefused
		},
	})
	parts, whole := recordingParts(2, n, 8<<10, 48<<10)
	up := createUpload(ctx, t, h, s)
	uploaded := make([]uploader.StreamPart, n)
	readers := make([]*flakyReader, n)
	errs := make([]error, n)
	var callerRetries atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			num := int64(i + 1)
			first := true
			body := func() io.ReadSeeker {
				if first && num%2 == 0 {
					first = false
					readers[i] = &flakyReader{r: bytes.NewReader(parts[i]), mid: int64(len(parts[i]) / 2)}
					return readers[i]
				}
				return bytes.NewReader(parts[i])
			}
			var tries int
			uploaded[i], tries, errs[i] = uploadPart(ctx, h, up, num, body, 4)
			callerRetries.Add(int64(tries - 1))
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("uploading flaky parts: %v", err)
	}
	if got, want := injected.Load(), int64(n/2); got != want {
		t.Errorf("refused the first Put Blob of %d odd parts, want %d: the handler did not write parts as part/%s/<upload>/<n> with Put Blob", got, want, s)
	}
	for i, r := range readers {
		if r != nil && !r.failed {
			t.Errorf("part %d: the flaky source never reached its failing read: the handler did not read the part", i+1)
		}
	}
	listed := listParts(ctx, t, h, up, n, uploaded)
	if err := h.CompleteUpload(ctx, up, listed); err != nil {
		t.Fatalf("CompleteUpload: %v", err)
	}
	verifyCompleted(ctx, t, env, h, up, whole)
	t.Logf("%d parts, %d first attempts failed, %d caller retries of UploadPart; %s", n, n, callerRetries.Load(), rec.Summary())
}

// ReplacePart uploads part 1 twice with different bytes: the second upload
// replaces the first, so the recording holds the second.
func ReplacePart(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	h, _ := env.handler(t, Hooks{})
	s := newSessionID()
	up := createUpload(ctx, t, h, s)
	first, second, two := payload(31, 20<<10), payload(32, 17<<10), payload(33, 9<<10)
	for _, p := range []struct {
		n    int64
		data []byte
	}{{1, first}, {2, two}, {1, second}} {
		if _, _, err := uploadPart(ctx, h, up, p.n, func() io.ReadSeeker { return bytes.NewReader(p.data) }, 1); err != nil {
			t.Fatal(err)
		}
	}
	listed := listParts(ctx, t, h, up, 2, nil)
	if err := h.CompleteUpload(ctx, up, listed); err != nil {
		t.Fatalf("CompleteUpload: %v", err)
	}
	verifyCompleted(ctx, t, env, h, up, append(bytes.Clone(second), two...))
}
