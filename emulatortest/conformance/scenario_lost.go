package conformance

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// loseFirstAnswer returns a handler whose hook loses the answer to the
// first successful op on a blob of container that match accepts, after the
// store acted on it, and assertLost, which fails t unless the hook lost
// that answer. Through a fault-injecting proxy the environment may have
// lost it first (the hook then sees only the retry's 409); a retry of op is
// accepted as proof of that.
func loseFirstAnswer(t testing.TB, env Env, op Op, container string, match func(name string) bool) (h Handler, rec *Recorder, assertLost func(what string)) {
	var lost atomic.Int64
	h, rec = env.handler(t, Hooks{
		AfterAnswer: func(req *http.Request, got Op, resp *http.Response) error {
			name, ok := blobPath(req, container)
			if got == op && ok && match(name) && resp.StatusCode/100 == 2 && lost.CompareAndSwap(0, 1) {
				return ErrInjectedReset
			}
			return nil
		},
	})
	assertLost = func(what string) {
		t.Helper()
		switch {
		case lost.Load() == 1:
		case rec.Sent(op) > 1 && rec.Retries() > 0:
			t.Logf("the first answer to the %s was lost by the environment before the scenario's hook could lose it", what)
		default:
			t.Fatalf("no successful %s was seen, so losing its answer was not tested; %s", what, rec.Summary())
		}
	}
	return h, rec, assertLost
}

// LostMarkerAnswer loses the answer to the Put Blob that creates the
// upload marker, after the store wrote it. CreateUpload must still succeed
// (a retry that finds its own marker is a success), and exactly one upload
// must be listed for the session.
func LostMarkerAnswer(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	s := newSessionID()
	h, rec, assertLost := loseFirstAnswer(t, env, OpPutBlob, env.InprogressContainer, func(name string) bool {
		return strings.HasPrefix(name, "upload/"+s+"/")
	})
	up := createUpload(ctx, t, h, s)
	assertLost("Put Blob of the marker upload/" + s + "/<upload>")
	if got := uploadsOf(ctx, t, h, s); len(got) != 1 || got[0].ID != up.ID {
		t.Fatalf("after a lost marker answer ListUploads reports %v for the session, want exactly upload %s", got, up.ID)
	}
	parts, whole := recordingParts(51, 3, 3<<10, 24<<10)
	uploaded := uploadAll(ctx, t, h, up, parts, 3, 51)
	if err := h.CompleteUpload(ctx, up, uploaded); err != nil {
		t.Fatalf("CompleteUpload: %v", err)
	}
	verifyCompleted(ctx, t, env, h, up, whole)
	t.Logf("%s", rec.Summary())
}

// LostBlockListAnswer loses the answer to the Put Block List that commits
// the recording, after the store committed it. CompleteUpload must return
// nil (not an "already exists" error caused by its own retry), and the one
// recording must be correct.
func LostBlockListAnswer(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	s := newSessionID()
	h, rec, assertLost := loseFirstAnswer(t, env, OpPutBlockList, env.SessionContainer, func(name string) bool {
		return name == s
	})
	up := createUpload(ctx, t, h, s)
	parts, whole := recordingParts(52, 5, 3<<10, 24<<10)
	uploaded := uploadAll(ctx, t, h, up, parts, 5, 52)
	err := h.CompleteUpload(ctx, up, uploaded)
	assertLost("Put Block List of " + env.SessionContainer + "/" + s)
	if err != nil {
		t.Fatalf("CompleteUpload after the answer to its committed Put Block List was lost: %v; %s", err, rec.Summary())
	}
	verifyCompleted(ctx, t, env, h, up, whole)
	t.Logf("%s", rec.Summary())
}

// LostEveryFirstAnswer loses the first successful answer of every distinct
// request (same method, blob, comp and block id) of a whole recording's
// life: marker, parts, staging, commit, cleanup, download. Every call must
// still succeed without a retry by the caller, with the right bytes.
func LostEveryFirstAnswer(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	s := newSessionID()
	var mu sync.Mutex
	seen := map[string]bool{}
	var lost atomic.Int64
	h, rec := env.handler(t, Hooks{
		AfterAnswer: func(req *http.Request, op Op, resp *http.Response) error {
			if resp.StatusCode/100 != 2 || !strings.Contains(req.URL.Path, s) {
				return nil
			}
			q := req.URL.Query()
			key := req.Method + " " + req.URL.Path + " " + q.Get("comp") + " " + q.Get("blockid") + " " + req.Header.Get("Range") + req.Header.Get("x-ms-range")
			mu.Lock()
			defer mu.Unlock()
			if seen[key] {
				return nil
			}
			seen[key] = true
			lost.Add(1)
			return ErrInjectedReset
		},
	})
	up := createUpload(ctx, t, h, s)
	parts, whole := recordingParts(53, 6, 3<<10, 24<<10)
	uploaded := uploadAll(ctx, t, h, up, parts, 3, 53)
	listed := listParts(ctx, t, h, up, len(parts), uploaded)
	if err := h.CompleteUpload(ctx, up, listed); err != nil {
		t.Fatalf("CompleteUpload with every first answer lost: %v; %s", err, rec.Summary())
	}
	verifyCompleted(ctx, t, env, h, up, whole)
	t.Logf("%d answers lost; %s", lost.Load(), rec.Summary())
}
