package restapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// rewindableBody hands out one reader per try over a caller's
// io.ReadSeeker, rewinding it to where it started before each new try.
//
// net/http may still be reading the previous try's body from its own
// goroutine after Do returns. Every per-try reader therefore takes a lock
// around each Read, and is closed (under that lock) before the seeker is
// rewound, so two tries never touch the caller's reader at once.
type rewindableBody struct {
	rs    io.ReadSeeker
	start int64 // offset the body starts at (the seeker's position when given)
	size  int64 // bytes from start to the end

	mu        sync.Mutex
	cur       *tryBody
	handedOut int
	seekErr   error // set when a rewind failed: the body cannot be retried

	// progress, when set, is called after every read that returned bytes,
	// so the per-try timeout measures time without progress, not the
	// length of the upload.
	progress atomic.Pointer[func()]
}

// setProgress installs (or with nil, removes) the progress callback.
func (b *rewindableBody) setProgress(f func()) {
	if f == nil {
		b.progress.Store(nil)
		return
	}
	b.progress.Store(&f)
}

// newRewindableBody measures rs from its current position to its end.
func newRewindableBody(rs io.ReadSeeker) (*rewindableBody, error) {
	start, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("the body must be seekable so its length can be measured and it can be re-sent on retries: %w", err)
	}
	end, err := rs.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("the body must be seekable so its length can be measured: %w", err)
	}
	if _, err := rs.Seek(start, io.SeekStart); err != nil {
		return nil, fmt.Errorf("the body could not be rewound after measuring it: %w", err)
	}
	if end < start {
		return nil, fmt.Errorf("the body's end (%d) is before its current position (%d)", end, start)
	}
	return &rewindableBody{rs: rs, start: start, size: end - start}, nil
}

// errBodyReplaced is what a stale try's reader returns once a newer try
// has taken over the caller's reader.
var errBodyReplaced = errors.New("restapi: request body was handed to a newer try")

// next closes the previous try's reader, rewinds, and returns a fresh one.
func (b *rewindableBody) next() (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seekErr != nil {
		return nil, b.seekErr
	}
	if b.cur != nil {
		b.cur.Close() // waits for a Read in flight on another goroutine
	}
	if b.handedOut > 0 {
		if _, err := b.rs.Seek(b.start, io.SeekStart); err != nil {
			b.seekErr = fmt.Errorf("request body cannot be rewound: %w", err)
			return nil, b.seekErr
		}
	}
	b.handedOut++
	if b.size == 0 {
		// http.NoBody (not an empty reader) makes net/http send
		// "Content-Length: 0" instead of chunked encoding.
		b.cur = nil
		return http.NoBody, nil
	}
	b.cur = &tryBody{r: io.LimitReader(b.rs, b.size), progress: &b.progress}
	return b.cur, nil
}

// release closes the last reader so nothing reads the caller's body after
// the operation returns.
func (b *rewindableBody) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cur != nil {
		b.cur.Close()
	}
}

// tryBody is one try's view of the body.
type tryBody struct {
	mu       sync.Mutex
	r        io.Reader
	closed   bool
	progress *atomic.Pointer[func()]
}

func (t *tryBody) Read(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return 0, errBodyReplaced
	}
	n, err := t.r.Read(p)
	if n > 0 {
		if f := t.progress.Load(); f != nil {
			(*f)()
		}
	}
	return n, err
}

func (t *tryBody) Close() error {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	return nil
}
