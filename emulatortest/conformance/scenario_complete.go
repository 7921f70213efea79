package conformance

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/uploader"
)

// newRecording creates an upload of session s with n parts from seed and
// returns it, its parts sorted by number and the expected bytes.
func newRecording(ctx context.Context, t testing.TB, h Handler, s string, n int, seed uint64) (uploader.StreamUpload, []uploader.StreamPart, []byte) {
	t.Helper()
	parts, whole := recordingParts(seed, n, 3<<10, 24<<10)
	up := createUpload(ctx, t, h, s)
	uploaded := uploadAll(ctx, t, h, up, parts, 8, seed)
	sortParts(uploaded)
	return up, uploaded, whole
}

// DoubleCompletion completes the same upload twice in a row; both calls
// return nil and there is one correct recording.
func DoubleCompletion(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	h, _ := env.handler(t, Hooks{})
	s := newSessionID()
	up, parts, whole := newRecording(ctx, t, h, s, 6, 61)
	if err := h.CompleteUpload(ctx, up, parts); err != nil {
		t.Fatalf("first CompleteUpload: %v", err)
	}
	if err := h.CompleteUpload(ctx, up, parts); err != nil {
		t.Fatalf("second CompleteUpload of the same upload: %v (completing twice must return nil)", err)
	}
	// A third completion from a fresh handler, as after a restart that
	// lost the knowledge of the first two.
	h2, _ := env.handler(t, Hooks{})
	if err := h2.CompleteUpload(ctx, up, parts); err != nil {
		t.Fatalf("CompleteUpload from a fresh handler after two completions: %v", err)
	}
	verifyCompleted(ctx, t, env, h, up, whole)
}

// completeConcurrently has each handler complete up at the same moment.
// Each must either return nil or return an error after which one retry by
// a fresh handler returns nil: never ErrAlreadyExists (it is the same
// upload), never an error that would repeat forever. Errors that needed a
// retry are logged as findings.
func completeConcurrently(ctx context.Context, t testing.TB, env Env, hs []Handler, up uploader.StreamUpload, parts []uploader.StreamPart) {
	t.Helper()
	start := make(chan struct{})
	errs := make([]error, len(hs))
	var wg sync.WaitGroup
	for i, h := range hs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = h.CompleteUpload(ctx, up, parts)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err == nil {
			continue
		}
		if errors.Is(err, uploader.ErrAlreadyExists) {
			t.Errorf("handler %d: concurrent CompleteUpload of the same upload returned ErrAlreadyExists (only a different upload may): %v", i+1, err)
			continue
		}
		t.Logf("FINDING: handler %d: concurrent CompleteUpload of the same upload returned %v; retrying once", i+1, err)
		h, _ := env.handler(t, Hooks{})
		if err := h.CompleteUpload(ctx, up, parts); err != nil {
			t.Errorf("handler %d: CompleteUpload still fails after the other completion finished: %v (a caller would retry forever)", i+1, err)
		}
	}
}

// TwoHandlersAtOnce has two independent handlers complete the same upload
// at the same moment: one correct recording, no leftovers, and no error
// that would make a caller retry forever.
func TwoHandlersAtOnce(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	h1, rec1 := env.handler(t, Hooks{})
	h2, rec2 := env.handler(t, Hooks{})
	s := newSessionID()
	up, parts, whole := newRecording(ctx, t, h1, s, 16, 62)
	completeConcurrently(ctx, t, env, []Handler{h1, h2}, up, parts)
	verifyCompleted(ctx, t, env, h2, up, whole)
	t.Logf("handler 1: %s; handler 2: %s", rec1.Summary(), rec2.Summary())
}

// ConflictingUpload completes a second, different upload of a session that
// already has a recording: CompleteUpload (and a single-shot Upload) must
// fail with ErrAlreadyExists and leave the recording's bytes untouched;
// AbortUpload then removes the second upload.
func ConflictingUpload(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	h, _ := env.handler(t, Hooks{})
	s := newSessionID()
	upA, partsA, wholeA := newRecording(ctx, t, h, s, 3, 63)
	if err := h.CompleteUpload(ctx, upA, partsA); err != nil {
		t.Fatalf("CompleteUpload of the first upload: %v", err)
	}
	upB, partsB, _ := newRecording(ctx, t, h, s, 4, 64)
	if err := h.CompleteUpload(ctx, upB, partsB); !errors.Is(err, uploader.ErrAlreadyExists) {
		t.Errorf("CompleteUpload of a second upload of session %s returned %v, want an error matching uploader.ErrAlreadyExists", s, err)
	}
	if _, err := h.Upload(ctx, s, bytes.NewReader(payload(65, 10<<10))); !errors.Is(err, uploader.ErrAlreadyExists) {
		t.Errorf("Upload to session %s that has a recording returned %v, want an error matching uploader.ErrAlreadyExists", s, err)
	}
	verifyRecording(ctx, t, env, h, s, wholeA)
	if err := h.AbortUpload(ctx, upB); err != nil {
		t.Fatalf("AbortUpload of the conflicting upload: %v", err)
	}
	assertNoLeftovers(ctx, t, env, upA)
	assertNoLeftovers(ctx, t, env, upB)
	if got := uploadsOf(ctx, t, h, s); len(got) != 0 {
		t.Errorf("ListUploads still reports %d upload(s) of session %s after completion and abort", len(got), s)
	}
}

// EmptyUpload completes an upload with no parts: nil, no recording (so
// Download reports not found), marker removed.
func EmptyUpload(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	h, _ := env.handler(t, Hooks{})
	for _, parts := range [][]uploader.StreamPart{nil, {}} {
		s := newSessionID()
		up := createUpload(ctx, t, h, s)
		if err := h.CompleteUpload(ctx, up, parts); err != nil {
			t.Fatalf("CompleteUpload with no parts: %v", err)
		}
		assertNoRecording(ctx, t, env, h, s)
		assertNoLeftovers(ctx, t, env, up)
	}
}

// AbortUpload aborts an upload with parts: nothing of it remains, it is
// not listed, and there is no recording.
func AbortUpload(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	h, _ := env.handler(t, Hooks{})
	s := newSessionID()
	up, _, _ := newRecording(ctx, t, h, s, 3, 66)
	if err := h.AbortUpload(ctx, up); err != nil {
		t.Fatalf("AbortUpload: %v", err)
	}
	assertNoLeftovers(ctx, t, env, up)
	if got := uploadsOf(ctx, t, h, s); len(got) != 0 {
		t.Errorf("ListUploads reports %v after AbortUpload", got)
	}
	assertNoRecording(ctx, t, env, h, s)
}

// ListUploads creates three uploads and checks that ListUploads reports
// each (with the Initiated time CreateUpload returned, to the second), in
// initiation order, then aborts them.
func ListUploads(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	h, _ := env.handler(t, Hooks{})
	var created []uploader.StreamUpload
	for range 3 {
		created = append(created, createUpload(ctx, t, h, newSessionID()))
	}
	all, err := h.ListUploads(ctx)
	if err != nil {
		t.Fatalf("ListUploads: %v", err)
	}
	if !slices.IsSortedFunc(all, func(a, b uploader.StreamUpload) int { return a.Initiated.Compare(b.Initiated) }) {
		t.Errorf("ListUploads did not sort %d uploads by initiation time", len(all))
	}
	for _, c := range created {
		i := slices.IndexFunc(all, func(u uploader.StreamUpload) bool { return u.ID == c.ID })
		if i < 0 {
			t.Errorf("ListUploads does not report upload %s of session %s", c.ID, c.SessionID)
			continue
		}
		if all[i].SessionID != c.SessionID {
			t.Errorf("ListUploads reports upload %s with session %s, want %s", c.ID, all[i].SessionID, c.SessionID)
		}
		if d := all[i].Initiated.Sub(c.Initiated); d < -2*time.Second || d > 2*time.Second {
			t.Errorf("ListUploads reports upload %s initiated at %v, CreateUpload said %v", c.ID, all[i].Initiated, c.Initiated)
		}
	}
	for _, c := range created {
		if err := h.AbortUpload(ctx, c); err != nil {
			t.Errorf("AbortUpload(%s): %v", c.ID, err)
		}
		assertNoLeftovers(ctx, t, env, c)
	}
}
