package restapi

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// streamBody is a streamed response body handed to the caller. The try's
// context lives until Close (so the per-try timeout, which covered only the
// wait for headers, cannot cut the body), and a single Read that blocks for
// longer than the stall timeout fails instead of hanging forever. Time the
// caller spends between Reads does not count.
type streamBody struct {
	rc     io.ReadCloser
	cancel context.CancelCauseFunc
	stall  time.Duration
	timer  *time.Timer

	mu     sync.Mutex
	closed bool
}

func newStreamBody(rc io.ReadCloser, cancel context.CancelCauseFunc, stall time.Duration) *streamBody {
	b := &streamBody{rc: rc, cancel: cancel, stall: stall}
	b.timer = time.AfterFunc(time.Hour, func() { cancel(errBodyStalled) })
	b.timer.Stop()
	return b
}

func (b *streamBody) Read(p []byte) (int, error) {
	b.timer.Reset(b.stall)
	n, err := b.rc.Read(p)
	stalled := !b.timer.Stop() && err != nil && err != io.EOF
	if stalled {
		err = fmt.Errorf("restapi: response body delivered nothing for %s: %w", b.stall, err)
	}
	return n, err
}

// Close releases the connection and the try's context.
func (b *streamBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}
