package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// Part is one numbered slice of the input. Body can be rewound (the
// uploader rewinds for its checksum and for retries); Release must be
// called once the part is no longer needed so that its buffer can be
// reused.
type Part struct {
	Number int   // 1-based
	Offset int64 // in the input
	Size   int64
	Body   io.ReadSeeker
	free   func()
}

// Release gives the part's buffer back. It is safe to call more than once.
func (p *Part) Release() {
	if p.free != nil {
		p.free()
		p.free = nil
	}
}

// PartSource yields the parts of an input in order. Next returns io.EOF
// after the last part.
type PartSource interface {
	Next(ctx context.Context) (Part, error)
}

// PartCount is the number of parts of partSize needed for size bytes; an
// empty input is one empty part, so that every recording has a part 1.
func PartCount(size, partSize int64) int {
	if size <= 0 {
		return 1
	}
	return int((size + partSize - 1) / partSize)
}

// FileParts cuts a seekable input of known size into sections read
// directly from it: nothing is buffered, so memory does not grow with the
// part size or the concurrency.
type FileParts struct {
	r        io.ReaderAt
	size     int64
	partSize int64
	next     int
}

// NewFileParts returns the parts of r, which holds size bytes.
func NewFileParts(r io.ReaderAt, size, partSize int64) *FileParts {
	return &FileParts{r: r, size: size, partSize: partSize, next: 1}
}

// Next implements PartSource.
func (f *FileParts) Next(ctx context.Context) (Part, error) {
	if err := ctx.Err(); err != nil {
		return Part{}, err
	}
	if f.next > PartCount(f.size, f.partSize) {
		return Part{}, io.EOF
	}
	off := int64(f.next-1) * f.partSize
	n := min(f.partSize, f.size-off)
	p := Part{Number: f.next, Offset: off, Size: n, Body: io.NewSectionReader(f.r, off, n)}
	f.next++
	return p, nil
}

// StreamParts cuts a plain reader (stdin) into parts held in memory. At
// most `buffers` part buffers exist at once, allocated only when needed and
// reused after Release, so memory is bounded by buffers × partSize however
// long the stream is. Next blocks while every buffer is in use.
type StreamParts struct {
	r        io.Reader
	partSize int64
	free     chan []byte   // released buffers
	tokens   chan struct{} // one per buffer that may still be allocated
	next     int
	off      int64
	done     bool
	// Allocated counts buffers made, for tests and benchmarks.
	Allocated int
}

// NewStreamParts reads r in parts of partSize using at most buffers
// buffers (at least 1).
func NewStreamParts(r io.Reader, partSize int64, buffers int) *StreamParts {
	buffers = max(buffers, 1)
	s := &StreamParts{
		r:        r,
		partSize: partSize,
		free:     make(chan []byte, buffers),
		tokens:   make(chan struct{}, buffers),
		next:     1,
	}
	for range buffers {
		s.tokens <- struct{}{}
	}
	return s
}

func (s *StreamParts) buffer(ctx context.Context) ([]byte, error) {
	select {
	case b := <-s.free:
		return b, nil
	default:
	}
	select {
	case b := <-s.free:
		return b, nil
	case <-s.tokens:
		s.Allocated++
		return make([]byte, s.partSize), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Next implements PartSource.
func (s *StreamParts) Next(ctx context.Context) (Part, error) {
	if s.done {
		return Part{}, io.EOF
	}
	buf, err := s.buffer(ctx)
	if err != nil {
		return Part{}, err
	}
	n, err := io.ReadFull(s.r, buf)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		s.done = true
		if n == 0 && s.next > 1 {
			s.free <- buf
			return Part{}, io.EOF
		}
	default:
		s.free <- buf
		return Part{}, fmt.Errorf("reading part %d of the input: %w", s.next, err)
	}
	p := Part{
		Number: s.next,
		Offset: s.off,
		Size:   int64(n),
		Body:   bytes.NewReader(buf[:n]),
		free:   func() { s.free <- buf },
	}
	s.next++
	s.off += int64(n)
	return p, nil
}
