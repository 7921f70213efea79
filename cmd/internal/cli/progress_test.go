package cli

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRenderProgress(t *testing.T) {
	tests := []struct {
		s    ProgressState
		want string
	}{
		{
			ProgressState{Label: "upload", Done: 42 << 20, Total: 64 << 20, PartsDone: 8, PartsTotal: 13, Elapsed: 2 * time.Second},
			"upload     42.0 MiB / 64.0 MiB   65.6%  21.0 MiB/s  ETA 0:01  parts 8/13",
		},
		{
			ProgressState{Label: "upload", Done: 64 << 20, Total: 64 << 20, PartsDone: 13, PartsTotal: 13, Elapsed: 4 * time.Second},
			"upload     64.0 MiB / 64.0 MiB  100.0%  16.0 MiB/s  in 0:04  parts 13/13",
		},
		{
			ProgressState{Label: "upload", Done: 10 << 20, Total: -1, PartsDone: 2, PartsTotal: -1, Elapsed: time.Second},
			"upload     10.0 MiB  10.0 MiB/s  parts 2",
		},
		{
			ProgressState{Label: "download", Done: 0, Total: 1 << 20, PartsDone: 0, PartsTotal: 1},
			"download        0 B / 1.0 MiB    0.0%  0 B/s  ETA --:--  parts 0/1",
		},
		{
			ProgressState{Label: "download", Done: 1 << 20, Total: 1 << 20, PartsTotal: NoParts, Elapsed: time.Second},
			"download    1.0 MiB / 1.0 MiB  100.0%  1.0 MiB/s  in 0:01",
		},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, RenderProgress(tt.s))
	}
}

func TestFormatClock(t *testing.T) {
	assert.Equal(t, "0:00", FormatClock(-time.Second))
	assert.Equal(t, "0:59", FormatClock(59*time.Second))
	assert.Equal(t, "2:05", FormatClock(125*time.Second))
	assert.Equal(t, "1:00:01", FormatClock(time.Hour+time.Second))
}

func TestChooseProgressMode(t *testing.T) {
	assert.Equal(t, ProgressOff, ChooseProgressMode(false, false, false), "not a terminal: nothing")
	assert.Equal(t, ProgressTerminal, ChooseProgressMode(false, false, true))
	assert.Equal(t, ProgressOff, ChooseProgressMode(true, true, true), "-quiet wins")
	assert.Equal(t, ProgressLines, ChooseProgressMode(false, true, false), "-progress off a terminal: lines")
}

// syncBuffer is a bytes.Buffer safe for the progress goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProgressTerminalAndOff(t *testing.T) {
	var buf syncBuffer
	p := NewProgress(&buf, ProgressTerminal, "upload", 10, 2, time.Millisecond)
	p.Add(5)
	p.PartDone()
	time.Sleep(20 * time.Millisecond)
	p.Add(5)
	p.PartDone()
	p.Finish()
	p.Finish()
	out := buf.String()
	assert.True(t, strings.HasPrefix(out, "\r"), "redraws in place")
	assert.Regexp(t, `parts 2/2 *\n$`, out, "final line ends with a newline")
	assert.Equal(t, 1, strings.Count(out, "\n"))
	p.Add(1) // after Finish: counted, not drawn
	assert.Equal(t, out, buf.String())

	var off syncBuffer
	q := NewProgress(&off, ProgressOff, "upload", 10, 2, time.Millisecond)
	q.Add(10)
	time.Sleep(5 * time.Millisecond)
	q.Finish()
	assert.Empty(t, off.String())
	assert.Equal(t, int64(10), q.State().Done)

	var lines syncBuffer
	r := NewProgress(&lines, ProgressLines, "upload", -1, -1, time.Hour)
	r.SetTotal(3, 1)
	r.Add(3)
	r.PartDone()
	r.Finish()
	assert.NotContains(t, lines.String(), "\r")
	assert.Contains(t, lines.String(), "parts 1/1\n")
}

func TestCountingReadSeekerCountsOnce(t *testing.T) {
	var total int64
	c := NewCountingReadSeeker(strings.NewReader("0123456789"), func(n int64) { total += n })
	b, err := io.ReadAll(c)
	require.NoError(t, err)
	assert.Equal(t, "0123456789", string(b))
	assert.Equal(t, int64(10), total)
	// A retry rewinds and reads again: nothing more is counted.
	_, err = c.Seek(0, io.SeekStart)
	require.NoError(t, err)
	_, _ = io.ReadAll(c)
	assert.Equal(t, int64(10), total)
	// Seek to the end for the length, back to start: still nothing.
	n, err := c.Seek(0, io.SeekEnd)
	require.NoError(t, err)
	assert.Equal(t, int64(10), n)
	assert.Equal(t, int64(10), total)
}
