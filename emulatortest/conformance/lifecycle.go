package conformance

import "testing"

// Lifecycle takes one recording of n parts (3–24 KiB each) through its
// whole life with a fresh handler: CreateUpload, UploadPart (eight at a
// time, random order), ListParts, CompleteUpload, then checks the bytes
// as stored and through Download, that the session lists no upload any
// more, and that nothing of the upload is left. No call is retried by the
// caller. Tests use it with a fault injected at one chosen request (for
// example by a proxy hook) to prove that fault is absorbed.
func Lifecycle(t testing.TB, env Env, n int, seed uint64) {
	t.Helper()
	env.mustCheck(t)
	ctx := scenarioContext(t)
	h, rec := env.handler(t, Hooks{})
	s := newSessionID()
	up, parts, whole := newRecording(ctx, t, h, s, n, seed)
	if got := uploadsOf(ctx, t, h, s); len(got) != 1 || got[0].ID != up.ID {
		t.Errorf("ListUploads reports %v for session %s, want exactly upload %s", got, s, up.ID)
	}
	listed := listParts(ctx, t, h, up, n, parts)
	if err := h.CompleteUpload(ctx, up, listed); err != nil {
		t.Fatalf("CompleteUpload of %d parts: %v; %s", n, err, rec.Summary())
	}
	verifyCompleted(ctx, t, env, h, up, whole)
	if got := uploadsOf(ctx, t, h, s); len(got) != 0 {
		t.Errorf("ListUploads still reports %v for session %s after completion", got, s)
	}
	t.Logf("lifecycle of %d parts; %s", n, rec.Summary())
}
