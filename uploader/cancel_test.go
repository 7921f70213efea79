package uploader_test

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/uploader"
	"github.com/stretchr/testify/require"
)

// failingReader gives n bytes, then err.
type failingReader struct {
	n   int
	err error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, r.err
	}
	k := min(len(p), r.n)
	r.n -= k
	return k, nil
}

// cancellingReader cancels ctx after n bytes, then keeps giving data.
type cancellingReader struct {
	n      int
	cancel context.CancelFunc
}

func (r *cancellingReader) Read(p []byte) (int, error) {
	r.n -= len(p)
	if r.n <= 0 {
		r.cancel()
	}
	return len(p), nil
}

// noHandlerGoroutines fails if any goroutine is still running uploader code.
func noHandlerGoroutines(t *testing.T) {
	t.Helper()
	// A bound for a hang, not for speed: goroutines normally end within
	// milliseconds of the call.
	deadline := time.Now().Add(30 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		var leaked []string
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "uploader.(*Handler)") && !strings.Contains(g, "noHandlerGoroutines") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines outlived the call:\n%s", strings.Join(leaked, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestUploadStopsOnReaderErrorAndCancel(t *testing.T) {
	const block = 64 << 10
	e := newEnv(t, func(c *uploader.Config) { c.BlockSize = block; c.UploadConcurrency = 3 }, nil)
	boom := errors.New("source went away")

	s := newSessionID()
	_, err := e.h.Upload(context.Background(), s, &failingReader{n: 10*block + 5, err: boom})
	require.ErrorIs(t, err, boom)
	noHandlerGoroutines(t)
	_, err = e.h.StreamSessionRecording(context.Background(), s)
	require.ErrorIs(t, err, uploader.ErrNotFound, "nothing committed")

	ctx, cancel := context.WithCancel(context.Background())
	s = newSessionID()
	_, err = e.h.Upload(ctx, s, &cancellingReader{n: 20 * block, cancel: cancel})
	require.ErrorIs(t, err, context.Canceled)
	noHandlerGoroutines(t)
	_, err = e.h.StreamSessionRecording(context.Background(), s)
	require.ErrorIs(t, err, uploader.ErrNotFound)

	// A stream beyond the block limit (MaxParts, lowered to 5 here) is refused.
	uploader.SetMaxBlocks(e.h, 5)
	_, err = e.h.Upload(context.Background(), newSessionID(), io.LimitReader(&failingReader{n: 1 << 30}, 5*block+1))
	require.ErrorIs(t, err, uploader.ErrInvalidArgument)
	require.ErrorContains(t, err, "raise Config.BlockSize")
	noHandlerGoroutines(t)
	s = newSessionID()
	_, err = e.h.Upload(context.Background(), s, io.LimitReader(&failingReader{n: 1 << 30}, 5*block))
	require.NoError(t, err, "exactly at the limit is fine")
	require.Len(t, e.download(t, s), 5*block)
}

func TestCompleteStopsOnCancel(t *testing.T) {
	e := newEnv(t, func(c *uploader.Config) { c.CompleteConcurrency = 4 }, nil)
	s := newSessionID()
	parts, _ := randomParts(40, 1000)
	up, sp := e.uploadParts(t, s, parts)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err := e.h.CompleteUpload(ctx, up, sp)
	if err != nil { // fast machines may finish in time; either way no leak
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
	noHandlerGoroutines(t)
	require.NoError(t, e.h.CompleteUpload(context.Background(), up, sp))
}
