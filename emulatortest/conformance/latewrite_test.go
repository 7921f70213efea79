package conformance_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/emulatortest/conformance"
	"github.com/azblobmin/azblobmin/uploader"
)

// TestLateDuplicatePartWrite covers a late duplicate of a part write: the
// first attempt of a Put Blob of part 3 was abandoned by the client (its
// per-try timeout), the retry succeeded, and the abandoned attempt reaches
// the store later with the same bytes (a new ETag). The test writes that
// duplicate itself, directly, at two moments: between ListParts and
// CompleteUpload, and after the completion cleaned up.
func TestLateDuplicatePartWrite(t *testing.T) {
	t.Parallel() // each test has its own Azurite
	emu := emulatortest.Start(t)
	env := sharedKeyEnv(t, emu)
	direct := directClient(t, emu)
	h, ok := env.NewHandler(t, emu.HTTPClient).(*uploader.Handler)
	if !ok {
		t.Fatal("not an *uploader.Handler")
	}
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(5, 5))
	var parts [][]byte
	var whole []byte
	for range 5 {
		p := make([]byte, 8<<10+rng.IntN(8<<10))
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		parts = append(parts, p)
		whole = append(whole, p...)
	}
	start := func(t *testing.T) (uploader.StreamUpload, []uploader.StreamPart) {
		t.Helper()
		up, err := h.CreateUpload(ctx, uuid.NewString())
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range parts {
			if _, err := h.UploadPart(ctx, *up, int64(i+1), bytes.NewReader(p)); err != nil {
				t.Fatal(err)
			}
		}
		listed, err := h.ListParts(ctx, *up)
		if err != nil || len(listed) != len(parts) {
			t.Fatalf("ListParts: %d parts, %v", len(listed), err)
		}
		return *up, listed
	}
	duplicate := func(t *testing.T, up uploader.StreamUpload) {
		t.Helper()
		name := fmt.Sprintf("part/%s/%s/3", up.SessionID, up.ID)
		if _, err := direct.PutBlob(ctx, env.InprogressContainer, name, bytes.NewReader(parts[2]), nil); err != nil {
			t.Fatalf("writing the late duplicate of %s: %v", name, err)
		}
	}
	check := func(t *testing.T, up uploader.StreamUpload) {
		t.Helper()
		got, found, err := env.Store.Read(ctx, env.SessionContainer, up.SessionID)
		if err != nil || !found || !bytes.Equal(got, whole) {
			t.Fatalf("recording %s: found=%v err=%v equal=%v", up.SessionID, found, err, bytes.Equal(got, whole))
		}
		for _, prefix := range []string{"part/" + up.SessionID + "/", "upload/" + up.SessionID + "/"} {
			left, err := env.Store.List(ctx, env.InprogressContainer, prefix)
			if err != nil {
				t.Fatal(err)
			}
			if len(left) > 0 {
				t.Errorf("left in the in-progress container: %v", left)
			}
		}
	}

	t.Run("BetweenListAndComplete", func(t *testing.T) {
		up, listed := start(t)
		duplicate(t, up)
		if err := h.CompleteUpload(ctx, up, listed); err != nil {
			t.Fatalf("CompleteUpload with the parts listed before an identical late write of part 3: %v", err)
		}
		check(t, up)
	})

	t.Run("DuringCompletion", func(t *testing.T) {
		// The duplicate lands after CompleteUpload listed the parts itself
		// and just before it stages part 3.
		var target atomic.Value // the part blob whose staging triggers the write
		target.Store("")
		var fired atomic.Bool
		rec := conformance.NewRecorder(emu.HTTPClient.Transport, conformance.Hooks{
			BeforeSend: func(req *http.Request, op conformance.Op) error {
				src := req.Header.Get("x-ms-copy-source")
				name := target.Load().(string)
				if op == conformance.OpPutBlockFromURL && name != "" && strings.Contains(src, name+"?") && fired.CompareAndSwap(false, true) {
					if _, err := direct.PutBlob(req.Context(), env.InprogressContainer, name, bytes.NewReader(parts[2]), nil); err != nil {
						return err
					}
				}
				return nil
			},
		})
		c := *emu.HTTPClient
		c.Transport = rec
		hh := env.NewHandler(t, &c)
		up, listed := start(t)
		target.Store(fmt.Sprintf("part/%s/%s/3", up.SessionID, up.ID))
		err := hh.CompleteUpload(ctx, up, listed)
		if !fired.Load() {
			t.Fatalf("part 3 was never staged from %s", target.Load())
		}
		if err != nil {
			// The copy's If-Match failed on the new ETag; the uploader must
			// read the part again and stage its current version itself.
			t.Fatalf("an identical late write of part 3 while CompleteUpload was staging made it fail: %v", err)
		}
		check(t, up)
	})

	t.Run("AfterCompletion", func(t *testing.T) {
		up, listed := start(t)
		if err := h.CompleteUpload(ctx, up, listed); err != nil {
			t.Fatal(err)
		}
		duplicate(t, up)
		rep, err := h.GarbageCollect(ctx, uploader.GCOptions{})
		if err != nil {
			t.Fatalf("GarbageCollect: %v", err)
		}
		if rep.StrayParts != 1 || len(rep.Completed)+len(rep.Aborted)+len(rep.Failed) != 0 {
			t.Errorf("GarbageCollect found %d stray parts (want 1), completed %d, aborted %d, failed %d",
				rep.StrayParts, len(rep.Completed), len(rep.Aborted), len(rep.Failed))
		}
		check(t, up)
	})
}
