package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func collect(t *testing.T, src PartSource) []string {
	t.Helper()
	var out []string
	for n := 1; ; n++ {
		p, err := src.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		require.Equal(t, n, p.Number)
		b, err := io.ReadAll(p.Body)
		require.NoError(t, err)
		require.Equal(t, p.Size, int64(len(b)))
		out = append(out, string(b))
		p.Release()
		p.Release()
	}
}

func TestPartCount(t *testing.T) {
	assert.Equal(t, 1, PartCount(0, 5))
	assert.Equal(t, 1, PartCount(5, 5))
	assert.Equal(t, 2, PartCount(6, 5))
	assert.Equal(t, 13, PartCount(64<<20, 5<<20))
}

func TestFileParts(t *testing.T) {
	r := strings.NewReader("abcdefghijk")
	assert.Equal(t, []string{"abcd", "efgh", "ijk"}, collect(t, NewFileParts(r, 11, 4)))
	assert.Equal(t, []string{"abcd", "efgh"}, collect(t, NewFileParts(strings.NewReader("abcdefgh"), 8, 4)))
	assert.Equal(t, []string{""}, collect(t, NewFileParts(strings.NewReader(""), 0, 4)))
}

func TestStreamParts(t *testing.T) {
	assert.Equal(t, []string{"abcd", "efgh", "ijk"}, collect(t, NewStreamParts(strings.NewReader("abcdefghijk"), 4, 2)))
	assert.Equal(t, []string{"abcd", "efgh"}, collect(t, NewStreamParts(strings.NewReader("abcdefgh"), 4, 2)))
	assert.Equal(t, []string{""}, collect(t, NewStreamParts(strings.NewReader(""), 4, 2)))
}

// The stream never holds more than `buffers` parts, however long it is, and
// reuses released buffers instead of allocating new ones.
func TestStreamPartsBoundedMemory(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 100*1024)
	s := NewStreamParts(bytes.NewReader(data), 1024, 3)
	var held []Part
	for range 3 {
		p, err := s.Next(context.Background())
		require.NoError(t, err)
		held = append(held, p)
	}
	// A fourth part must wait for a buffer.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
	for i := range held {
		held[i].Release()
	}
	got := 3
	for {
		p, err := s.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		got++
		p.Release()
	}
	assert.Equal(t, 100, got)
	assert.Equal(t, 3, s.Allocated)
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestStreamPartsReadError(t *testing.T) {
	_, err := NewStreamParts(failingReader{}, 4, 1).Next(context.Background())
	require.ErrorContains(t, err, "reading part 1 of the input: disk on fire")
}
