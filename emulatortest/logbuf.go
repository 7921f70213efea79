package emulatortest

import "sync"

// tailBuffer keeps the last max bytes written to it. Azurite's output is only
// needed to explain a failure, and a long run must not grow memory without
// bound.
type tailBuffer struct {
	mu      sync.Mutex
	max     int
	buf     []byte
	dropped bool
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
		b.dropped = true
	}
	return len(p), nil
}

// tail returns at most n trailing bytes, marked when output was cut.
func (b *tailBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf
	cut := b.dropped
	if len(s) > n {
		s = s[len(s)-n:]
		cut = true
	}
	if cut {
		return "…" + string(s)
	}
	return string(s)
}
