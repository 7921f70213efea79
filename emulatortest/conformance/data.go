package conformance

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
)

// payload returns n deterministic pseudo-random bytes for seed. Random
// (rather than repeated) content makes a misplaced or duplicated block
// change the bytes, so a torn recording cannot compare equal by accident.
func payload(seed uint64, n int) []byte {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	binary.LittleEndian.PutUint64(key[8:], 0x617a626c6f626d69) // "azblobmi"
	b := make([]byte, n)
	rand.NewChaCha8(key).Read(b)
	return b
}

// recordingParts splits n parts of sizes in [minSize, maxSize] from one
// seed; the concatenation is the expected recording.
func recordingParts(seed uint64, n, minSize, maxSize int) (parts [][]byte, whole []byte) {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	for i := range n {
		size := minSize
		if maxSize > minSize {
			size += rng.IntN(maxSize - minSize + 1)
		}
		p := payload(seed*100003+uint64(i)+1, size)
		parts = append(parts, p)
		whole = append(whole, p...)
	}
	return parts, whole
}

// memWriterAt is an io.WriterAt into memory, safe for the concurrent,
// out-of-order writes of a parallel ranged download. It refuses to grow
// past limit so that a runaway download fails instead of eating memory.
type memWriterAt struct {
	mu     sync.Mutex
	buf    []byte
	limit  int64
	writes int
}

func newMemWriterAt(limit int64) *memWriterAt { return &memWriterAt{limit: limit} }

func (w *memWriterAt) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("conformance: WriteAt at negative offset %d", off)
	}
	end := off + int64(len(p))
	if end > w.limit {
		return 0, fmt.Errorf("conformance: WriteAt of %d bytes at %d goes past the %d bytes the recording can hold", len(p), off, w.limit)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	if int64(len(w.buf)) < end {
		w.buf = append(w.buf, make([]byte, end-int64(len(w.buf)))...)
	}
	copy(w.buf[off:], p)
	return len(p), nil
}

func (w *memWriterAt) Bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return bytes.Clone(w.buf)
}

// diff describes how got differs from want, or returns "" when equal.
func diff(got, want []byte) string {
	if bytes.Equal(got, want) {
		return ""
	}
	n := min(len(got), len(want))
	i := 0
	for i < n && got[i] == want[i] {
		i++
	}
	return fmt.Sprintf("got %d bytes, want %d; first difference at offset %d", len(got), len(want), i)
}

// errFlakySource is what a flaky part source returns on its failing read.
var errFlakySource = errors.New("conformance: injected read error from the part's source (first attempt)")

// flakyReader is an io.ReadSeeker over data whose first read that reaches
// the middle of the data fails, whichever pass of the handler (checksum
// pass, send, retry) does it. Later reads succeed. It models a source that
// breaks once in the middle of a part.
type flakyReader struct {
	r      *bytes.Reader
	mid    int64
	failed bool
}

func (f *flakyReader) Read(p []byte) (int, error) {
	if !f.failed {
		pos, _ := f.r.Seek(0, io.SeekCurrent)
		if pos+int64(len(p)) > f.mid {
			if pos < f.mid {
				// Deliver the bytes before the middle, then fail next call.
				return f.r.Read(p[:f.mid-pos])
			}
			f.failed = true
			return 0, errFlakySource
		}
	}
	return f.r.Read(p)
}

func (f *flakyReader) Seek(off int64, whence int) (int64, error) { return f.r.Seek(off, whence) }

// streamOnly hides every method but Read, so a handler cannot learn the
// length of a single-shot upload from its source.
type streamOnly struct{ r io.Reader }

func (s streamOnly) Read(p []byte) (int, error) { return s.r.Read(p) }

// chunkyReader returns at most a varying small number of bytes per Read,
// the way a pipe or network stream does, to exercise buffer filling.
type chunkyReader struct {
	r   io.Reader
	rng *rand.Rand
}

func (c *chunkyReader) Read(p []byte) (int, error) {
	if n := 1 + c.rng.IntN(20000); len(p) > n {
		p = p[:n]
	}
	return c.r.Read(p)
}
