package conformance

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/azblobmin/azblobmin/uploader"
)

// StopPoint names a step boundary inside CompleteUpload at which the suite
// interrupts a completion.
type StopPoint string

// The step boundaries of a completion.
const (
	// StopAfterStaged: after K blocks were staged with Put Block From URL
	// (K successful answers), before the block list is committed.
	StopAfterStaged StopPoint = "after-staged"
	// StopAfterCommit: right after Put Block List succeeded, before cleanup.
	StopAfterCommit StopPoint = "after-commit"
	// StopMidCleanup: after the first Blob Batch of the cleanup, or after
	// half of the individual deletes when the handler does not batch.
	StopMidCleanup StopPoint = "mid-cleanup"
)

// stopper watches a completion's answers and calls fire once, at the
// first answer that reaches its StopPoint.
type stopper struct {
	point      StopPoint
	k          int // blocks staged before StopAfterStaged fires
	parts      int // parts of the upload (StopMidCleanup fires after half of its blobs)
	inprogress string
	session    string

	count atomic.Int64
	once  sync.Once
	fire  func(what string)
}

func (s *stopper) afterAnswer(req *http.Request, op Op, resp *http.Response) error {
	if s.point == StopAfterCommit && op == OpPutBlockList && resp.Header.Get("x-ms-error-code") == "BlobAlreadyExists" {
		// A faulty link lost the answer to a Put Block List that committed
		// (the store keeps the request's effect); the create-only retry is
		// refused. The block list is committed all the same.
		s.once.Do(func() { s.fire("block list committed (its answer lost; the retry found the recording)") })
		return nil
	}
	if resp.StatusCode/100 != 2 {
		return nil
	}
	switch s.point {
	case StopAfterStaged:
		if op == OpPutBlockFromURL && s.count.Add(1) == int64(s.k) {
			s.once.Do(func() { s.fire(fmt.Sprintf("%d blocks staged", s.k)) })
		}
	case StopAfterCommit:
		if op == OpPutBlockList {
			s.once.Do(func() { s.fire("block list committed") })
		}
	case StopMidCleanup:
		switch op {
		case OpBatch:
			s.once.Do(func() { s.fire("first cleanup batch answered") })
		case OpDeleteBlob:
			name, ok := blobPath(req, s.inprogress)
			if !ok || (!strings.Contains(name, "/"+s.session+"/") && !strings.HasSuffix(name, "/"+s.session)) {
				return nil
			}
			if n := s.count.Add(1); n == int64((s.parts+1)/2) {
				s.once.Do(func() { s.fire(fmt.Sprintf("%d of %d blobs deleted", n, s.parts+1)) })
			}
		}
	}
	return nil
}

// interruptCompletion uploads n parts, starts CompleteUpload and cancels
// its context at point; it returns the upload, the expected bytes and the
// error CompleteUpload returned.
func interruptCompletion(t testing.TB, env Env, point StopPoint, n, k, minSize, maxSize int, seed uint64) (uploader.StreamUpload, []byte, error) {
	t.Helper()
	ctx := scenarioContext(t)
	s := newSessionID()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var fired atomic.Value
	st := &stopper{point: point, k: k, parts: n, inprogress: env.InprogressContainer, session: s,
		fire: func(what string) { fired.Store(what); cancel() }}
	h, rec := env.handler(t, Hooks{AfterAnswer: st.afterAnswer})
	parts, whole := recordingParts(seed, n, minSize, maxSize)
	up := createUpload(ctx, t, h, s)
	uploaded := uploadAll(ctx, t, h, up, parts, 32, seed)
	sortParts(uploaded)
	err := h.CompleteUpload(cctx, up, uploaded)
	what, _ := fired.Load().(string)
	if what == "" {
		t.Fatalf("the completion never reached %s (CompleteUpload returned %v; %s)", point, err, rec.Summary())
	}
	t.Logf("interrupted at %s (%s): CompleteUpload returned %v; %s", point, what, err, rec.Summary())
	return up, whole, err
}

// ResumeAfterStaged cancels a completion after 8 of 24 blocks were staged.
// The interrupted call must report an error and no recording may be
// visible; a fresh handler then resumes from ListUploads and ListParts.
func ResumeAfterStaged(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	up, whole, err := interruptCompletion(t, env, StopAfterStaged, 24, 8, 4<<10, 16<<10, 41)
	if err == nil {
		t.Errorf("CompleteUpload returned nil although its context was cancelled before the block list was committed")
	}
	if _, found, rerr := env.Store.Read(ctx, env.SessionContainer, up.SessionID); rerr != nil {
		t.Fatalf("reading recording: %v", rerr)
	} else if found {
		t.Errorf("a recording %s is visible after a completion interrupted before its block list was committed", up.SessionID)
	}
	resumeFresh(ctx, t, env, up, whole)
}

// InterruptAfterCommit cancels a completion right after its block list was
// committed: the recording is whole already, and a fresh handler's resume
// must succeed without touching it and clean up.
func InterruptAfterCommit(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	up, whole, _ := interruptCompletion(t, env, StopAfterCommit, 12, 0, 4<<10, 16<<10, 42)
	got, found, err := env.Store.Read(ctx, env.SessionContainer, up.SessionID)
	if err != nil || !found {
		t.Fatalf("recording %s after its block list was committed: found=%v err=%v", up.SessionID, found, err)
	}
	if d := diff(got, whole); d != "" {
		t.Fatalf("recording %s right after commit: %s", up.SessionID, d)
	}
	resumeFresh(ctx, t, env, up, whole)
}

// InterruptMidCleanup cancels a completion of 300 parts halfway through its
// cleanup (after the first of two batches of deletes): the marker must
// still be there for a fresh handler to find, and the resume must finish
// the cleanup.
func InterruptMidCleanup(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	up, whole, _ := interruptCompletion(t, env, StopMidCleanup, 300, 0, 1<<10, 2<<10, 43)
	resumeFresh(ctx, t, env, up, whole)
}
