package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ProgressMode says how (and whether) progress is drawn.
type ProgressMode int

const (
	// ProgressOff draws nothing.
	ProgressOff ProgressMode = iota
	// ProgressTerminal redraws one line in place with a carriage return.
	ProgressTerminal
	// ProgressLines prints a full line at each tick, for logs and CI where
	// a carriage return would leave a mess.
	ProgressLines
)

// IsTerminal reports whether f is a character device (a terminal), the
// only place where a redrawn progress line makes sense.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// ChooseProgressMode decides from the command's flags and stderr: -quiet
// wins, -progress forces output even off a terminal, otherwise progress is
// drawn only on a terminal.
func ChooseProgressMode(quiet, force, stderrIsTerminal bool) ProgressMode {
	switch {
	case quiet:
		return ProgressOff
	case stderrIsTerminal:
		return ProgressTerminal
	case force:
		return ProgressLines
	default:
		return ProgressOff
	}
}

// NoParts as a parts total hides the parts counter (downloads).
const NoParts = -2

// ProgressState is one snapshot of a transfer.
type ProgressState struct {
	Label      string
	Done       int64 // bytes
	Total      int64 // bytes; < 0 when not known (stdin)
	PartsDone  int
	PartsTotal int // -1 when not known; NoParts to hide the counter
	Elapsed    time.Duration
}

// RenderProgress formats a snapshot as one line:
//
//	upload   42.0 MiB / 64.0 MiB  65.6%  21.0 MiB/s  ETA 0:01  parts 8/13
func RenderProgress(s ProgressState) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %10s", s.Label, FormatSize(s.Done))
	if s.Total >= 0 {
		fmt.Fprintf(&b, " / %s", FormatSize(s.Total))
		pct := 100.0
		if s.Total > 0 {
			pct = 100 * float64(s.Done) / float64(s.Total)
		}
		fmt.Fprintf(&b, "  %5.1f%%", pct)
	}
	rate := Rate(s.Done, s.Elapsed)
	fmt.Fprintf(&b, "  %s/s", FormatSize(int64(rate)))
	if s.Total >= 0 {
		if s.Done >= s.Total {
			fmt.Fprintf(&b, "  in %s", FormatClock(s.Elapsed))
		} else if rate > 0 {
			eta := time.Duration(float64(s.Total-s.Done) / rate * float64(time.Second))
			fmt.Fprintf(&b, "  ETA %s", FormatClock(eta))
		} else {
			b.WriteString("  ETA --:--")
		}
	}
	switch {
	case s.PartsTotal >= 0:
		fmt.Fprintf(&b, "  parts %d/%d", s.PartsDone, s.PartsTotal)
	case s.PartsTotal != NoParts:
		fmt.Fprintf(&b, "  parts %d", s.PartsDone)
	}
	return b.String()
}

// Rate returns bytes per second, 0 for an empty interval.
func Rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// FormatClock prints a duration as m:ss, or h:mm:ss from an hour up.
func FormatClock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// Progress tracks a transfer and draws it on w until Finish. Counters are
// updated from any goroutine.
type Progress struct {
	mode  ProgressMode
	w     io.Writer
	label string
	now   func() time.Time
	start time.Time

	done      atomic.Int64
	partsDone atomic.Int64
	total     atomic.Int64
	parts     atomic.Int64

	stop     chan struct{}
	wg       sync.WaitGroup
	once     sync.Once
	mu       sync.Mutex // serialises drawing
	lastLen  int
	finished bool
}

// NewProgress starts tracking. total and partsTotal may be negative when not
// known yet (see SetTotal). interval is the redraw period; nothing is drawn
// in ProgressOff mode, but the counters still work.
func NewProgress(w io.Writer, mode ProgressMode, label string, total int64, partsTotal int, interval time.Duration) *Progress {
	p := &Progress{mode: mode, w: w, label: label, now: time.Now, stop: make(chan struct{})}
	p.start = p.now()
	p.total.Store(total)
	p.parts.Store(int64(partsTotal))
	if mode != ProgressOff && interval > 0 {
		p.wg.Add(1)
		go p.loop(interval)
	}
	return p
}

func (p *Progress) loop(interval time.Duration) {
	defer p.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.draw(false)
		}
	}
}

// Add counts n more bytes transferred.
func (p *Progress) Add(n int64) { p.done.Add(n) }

// PartDone counts one more finished part.
func (p *Progress) PartDone() { p.partsDone.Add(1) }

// SetTotal records the size once it is known (at the end of stdin).
func (p *Progress) SetTotal(total int64, partsTotal int) {
	p.total.Store(total)
	p.parts.Store(int64(partsTotal))
}

// State returns the current snapshot.
func (p *Progress) State() ProgressState {
	return ProgressState{
		Label:      p.label,
		Done:       p.done.Load(),
		Total:      p.total.Load(),
		PartsDone:  int(p.partsDone.Load()),
		PartsTotal: int(p.parts.Load()),
		Elapsed:    p.now().Sub(p.start),
	}
}

func (p *Progress) draw(final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished || p.mode == ProgressOff {
		return
	}
	line := RenderProgress(p.State())
	switch p.mode {
	case ProgressTerminal:
		pad := ""
		if n := p.lastLen - len(line); n > 0 {
			pad = strings.Repeat(" ", n)
		}
		p.lastLen = len(line)
		end := ""
		if final {
			end = "\n"
		}
		fmt.Fprintf(p.w, "\r%s%s%s", line, pad, end)
	case ProgressLines:
		fmt.Fprintln(p.w, line)
	}
}

// Finish stops redrawing and, when drawing at all, prints the final state
// on its own line. It is safe to call more than once.
func (p *Progress) Finish() {
	p.once.Do(func() {
		close(p.stop)
		p.wg.Wait()
		p.draw(true)
		p.mu.Lock()
		p.finished = true
		p.mu.Unlock()
	})
}

// CountingReadSeeker reports the bytes read from a part body to a progress
// meter. Bodies are rewound for checksums and for retries, so only bytes
// beyond the furthest point read so far are counted: the total never
// exceeds the part's size.
type CountingReadSeeker struct {
	rs  io.ReadSeeker
	add func(int64)
	pos int64
	hwm int64
}

// NewCountingReadSeeker wraps rs; add is called with each newly reached
// byte count.
func NewCountingReadSeeker(rs io.ReadSeeker, add func(int64)) *CountingReadSeeker {
	return &CountingReadSeeker{rs: rs, add: add}
}

// Read implements io.Reader.
func (c *CountingReadSeeker) Read(b []byte) (int, error) {
	n, err := c.rs.Read(b)
	c.pos += int64(n)
	if c.pos > c.hwm {
		c.add(c.pos - c.hwm)
		c.hwm = c.pos
	}
	return n, err
}

// Seek implements io.Seeker.
func (c *CountingReadSeeker) Seek(offset int64, whence int) (int64, error) {
	n, err := c.rs.Seek(offset, whence)
	if err == nil {
		c.pos = n
	}
	return n, err
}
