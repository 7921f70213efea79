package conformance

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/azblobmin/azblobmin/uploader"
)

// scenarioTimeout bounds one scenario, so a hung handler fails the test
// with a message instead of waiting for go test's global timeout.
const scenarioTimeout = 3 * time.Minute

func scenarioContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), scenarioTimeout)
	t.Cleanup(cancel)
	return ctx
}

// newSessionID returns a canonical (lower-case, hyphenated) UUID, the only
// form a handler must accept.
func newSessionID() string { return uuid.NewString() }

// createUpload creates an upload and checks what CreateUpload returned.
func createUpload(ctx context.Context, t testing.TB, h Handler, sessionID string) uploader.StreamUpload {
	t.Helper()
	before := time.Now()
	up, err := h.CreateUpload(ctx, sessionID)
	if err != nil {
		t.Fatalf("CreateUpload(%s): %v", sessionID, err)
	}
	if up == nil {
		t.Fatalf("CreateUpload(%s) returned nil and no error", sessionID)
	}
	if up.SessionID != sessionID {
		t.Fatalf("CreateUpload(%s) returned SessionID %q", sessionID, up.SessionID)
	}
	if u, err := uuid.Parse(up.ID); err != nil || u.String() != up.ID {
		t.Fatalf("CreateUpload(%s) returned upload id %q, want a canonical UUID", sessionID, up.ID)
	}
	// The initiation time orders ListUploads; allow for clock skew between
	// client and store.
	if up.Initiated.IsZero() || up.Initiated.Before(before.Add(-5*time.Minute)) || up.Initiated.After(time.Now().Add(5*time.Minute)) {
		t.Errorf("CreateUpload(%s) returned Initiated %v, want about %v", sessionID, up.Initiated, before)
	}
	return *up
}

// uploadPart uploads one part, retrying as a caller would when UploadPart
// fails (at most tries times), and checks the StreamPart.
func uploadPart(ctx context.Context, h Handler, up uploader.StreamUpload, n int64, body func() io.ReadSeeker, tries int) (uploader.StreamPart, int, error) {
	var lastErr error
	for try := 1; try <= tries; try++ {
		p, err := h.UploadPart(ctx, up, n, body())
		if err != nil {
			lastErr = err
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if p == nil {
			return uploader.StreamPart{}, try, fmt.Errorf("UploadPart(%d) returned nil and no error", n)
		}
		if p.Number != n {
			return *p, try, fmt.Errorf("UploadPart(%d) returned part number %d", n, p.Number)
		}
		if p.ETag == "" {
			return *p, try, fmt.Errorf("UploadPart(%d) returned an empty ETag", n)
		}
		return *p, try, nil
	}
	return uploader.StreamPart{}, tries, fmt.Errorf("UploadPart(%d) failed %d times, last: %w", n, tries, lastErr)
}

// uploadAll uploads parts[i] as part i+1, with workers goroutines taking
// the parts in a random order, each calling ReserveUploadPart first. It
// returns the parts sorted by number.
func uploadAll(ctx context.Context, t testing.TB, h Handler, up uploader.StreamUpload, parts [][]byte, workers int, seed uint64) []uploader.StreamPart {
	t.Helper()
	order := rand.New(rand.NewPCG(seed, 7)).Perm(len(parts))
	jobs := make(chan int)
	out := make([]uploader.StreamPart, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for range min(workers, len(parts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				n := int64(i + 1)
				if err := h.ReserveUploadPart(ctx, up, n); err != nil {
					errs[i] = fmt.Errorf("ReserveUploadPart(%d): %w", n, err)
					continue
				}
				out[i], _, errs[i] = uploadPart(ctx, h, up, n, func() io.ReadSeeker { return bytes.NewReader(parts[i]) }, 1)
			}
		}()
	}
	for _, i := range order {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("uploading %d parts of %s: %v", len(parts), up.ID, err)
	}
	return out
}

// listParts calls ListParts and checks that it returns exactly the parts
// 1..n, sorted, with the ETags UploadPart returned (when want is given).
func listParts(ctx context.Context, t testing.TB, h Handler, up uploader.StreamUpload, n int, want []uploader.StreamPart) []uploader.StreamPart {
	t.Helper()
	got, err := h.ListParts(ctx, up)
	if err != nil {
		t.Fatalf("ListParts(%s): %v", up.ID, err)
	}
	if len(got) != n {
		t.Fatalf("ListParts(%s) returned %d parts, want %d", up.ID, len(got), n)
	}
	for i, p := range got {
		if p.Number != int64(i+1) {
			t.Fatalf("ListParts(%s)[%d] is part %d, want %d (parts must be sorted by number)", up.ID, i, p.Number, i+1)
		}
		if p.ETag == "" {
			t.Errorf("ListParts(%s): part %d has an empty ETag", up.ID, p.Number)
		}
		if want != nil && want[i].ETag != "" && p.ETag != want[i].ETag {
			t.Errorf("ListParts(%s): part %d has ETag %s, UploadPart returned %s", up.ID, p.Number, p.ETag, want[i].ETag)
		}
		if p.LastModified.IsZero() {
			t.Errorf("ListParts(%s): part %d has no LastModified", up.ID, p.Number)
		}
	}
	return got
}

// verifyRecording checks the recording as stored (read directly from the
// store) and as the handler's Download returns it.
func verifyRecording(ctx context.Context, t testing.TB, env Env, h Handler, sessionID string, want []byte) {
	t.Helper()
	got, found, err := env.Store.Read(ctx, env.SessionContainer, sessionID)
	if err != nil {
		t.Fatalf("reading recording %s from the store: %v", sessionID, err)
	}
	if !found {
		t.Fatalf("recording %s does not exist in container %s", sessionID, env.SessionContainer)
	}
	if d := diff(got, want); d != "" {
		t.Fatalf("recording %s as stored is wrong: %s", sessionID, d)
	}
	w := newMemWriterAt(int64(len(want))*2 + 1<<20)
	if err := h.Download(ctx, sessionID, w); err != nil {
		t.Fatalf("Download(%s): %v", sessionID, err)
	}
	if d := diff(w.Bytes(), want); d != "" {
		t.Fatalf("Download(%s) wrote the wrong bytes: %s", sessionID, d)
	}
}

// assertNoRecording checks that no recording exists for sessionID, in the
// store and through the handler's Download.
func assertNoRecording(ctx context.Context, t testing.TB, env Env, h Handler, sessionID string) {
	t.Helper()
	if _, found, err := env.Store.Read(ctx, env.SessionContainer, sessionID); err != nil {
		t.Fatalf("reading recording %s from the store: %v", sessionID, err)
	} else if found {
		t.Errorf("recording %s exists in container %s, want none", sessionID, env.SessionContainer)
	}
	w := newMemWriterAt(1 << 20)
	err := h.Download(ctx, sessionID, w)
	if !errors.Is(err, uploader.ErrNotFound) {
		t.Errorf("Download(%s) of a missing recording returned %v, want an error matching uploader.ErrNotFound", sessionID, err)
	}
	if len(w.Bytes()) != 0 {
		t.Errorf("Download(%s) of a missing recording wrote %d bytes", sessionID, len(w.Bytes()))
	}
}

// leftovers lists the blobs of one upload still in the in-progress
// container: its marker and its parts.
func leftovers(ctx context.Context, env Env, up uploader.StreamUpload) ([]string, error) {
	marker := path.Join("upload", up.SessionID, up.ID)
	names, err := env.Store.List(ctx, env.InprogressContainer, marker)
	if err != nil {
		return nil, err
	}
	var left []string
	for _, n := range names {
		if n == marker {
			left = append(left, n)
		}
	}
	parts, err := env.Store.List(ctx, env.InprogressContainer, marker2parts(up))
	if err != nil {
		return nil, err
	}
	return append(left, parts...), nil
}

func marker2parts(up uploader.StreamUpload) string {
	return path.Join("part", up.SessionID, up.ID) + "/"
}

// verifyCompleted checks what completing up must leave behind: its
// recording holding exactly want (verifyRecording) and nothing of up in the
// in-progress container (assertNoLeftovers).
func verifyCompleted(ctx context.Context, t testing.TB, env Env, h Handler, up uploader.StreamUpload, want []byte) {
	t.Helper()
	verifyRecording(ctx, t, env, h, up.SessionID, want)
	assertNoLeftovers(ctx, t, env, up)
}

// assertNoLeftovers checks that the in-progress container holds no blob of
// up.
func assertNoLeftovers(ctx context.Context, t testing.TB, env Env, up uploader.StreamUpload) {
	t.Helper()
	left, err := leftovers(ctx, env, up)
	if err != nil {
		t.Fatalf("listing leftovers of upload %s: %v", up.ID, err)
	}
	if len(left) > 0 {
		t.Errorf("after completion the in-progress container %s still holds %d blobs of upload %s: %v",
			env.InprogressContainer, len(left), up.ID, head(left, 5))
	}
}

func head(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("... and %d more", len(s)-n))
	}
	return s
}

// uploadsOf returns the uploads ListUploads reports for sessionID, and
// checks that the whole list is sorted by initiation time.
func uploadsOf(ctx context.Context, t testing.TB, h Handler, sessionID string) []uploader.StreamUpload {
	t.Helper()
	all, err := h.ListUploads(ctx)
	if err != nil {
		t.Fatalf("ListUploads: %v", err)
	}
	if !slices.IsSortedFunc(all, func(a, b uploader.StreamUpload) int { return a.Initiated.Compare(b.Initiated) }) {
		t.Errorf("ListUploads did not sort %d uploads by initiation time", len(all))
	}
	var mine []uploader.StreamUpload
	for _, u := range all {
		if u.SessionID == sessionID {
			mine = append(mine, u)
		}
	}
	return mine
}

// resumeFresh plays a restarted process: a fresh handler lists the
// unfinished uploads of sessionID and completes each from its listed
// parts. Then exactly one correct recording must exist and no blob of up
// may be left.
func resumeFresh(ctx context.Context, t testing.TB, env Env, up uploader.StreamUpload, want []byte) {
	t.Helper()
	h, rec := env.handler(t, Hooks{})
	pending := uploadsOf(ctx, t, h, up.SessionID)
	for _, u := range pending {
		if u.ID != up.ID {
			t.Errorf("ListUploads reports upload %s for session %s, which only ever had upload %s", u.ID, up.SessionID, up.ID)
			continue
		}
		parts, err := h.ListParts(ctx, u)
		if err != nil {
			t.Fatalf("resume: ListParts(%s): %v", u.ID, err)
		}
		if err := h.CompleteUpload(ctx, u, parts); err != nil {
			t.Fatalf("resume: CompleteUpload(%s) with %d listed parts: %v", u.ID, len(parts), err)
		}
	}
	t.Logf("resume: fresh handler found %d unfinished upload(s); %s", len(pending), rec.Summary())
	verifyRecording(ctx, t, env, h, up.SessionID, want)
	if len(pending) == 0 {
		left, err := leftovers(ctx, env, up)
		if err != nil {
			t.Fatalf("listing leftovers of upload %s: %v", up.ID, err)
		}
		if len(left) > 0 {
			t.Errorf("the upload's marker is gone but %d of its blobs remain (%v): no ListUploads will ever find them again; the cleanup must delete the marker last",
				len(left), head(left, 5))
		}
		return
	}
	assertNoLeftovers(ctx, t, env, up)
}

// sortParts orders parts by number, as a caller passes them to
// CompleteUpload.
func sortParts(parts []uploader.StreamPart) {
	slices.SortFunc(parts, func(a, b uploader.StreamPart) int { return cmp.Compare(a.Number, b.Number) })
}
