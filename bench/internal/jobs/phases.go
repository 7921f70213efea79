package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// phaseLog is a slog.Handler that reads restapi's per-try debug records
// ("op" and "duration") and accumulates, per operation, the number of
// tries, the sum of their durations and the span from the first start to
// the last end. It never sees headers: restapi does not log them.
type phaseLog struct {
	mu     sync.Mutex
	phases map[string]*phase
}

type phase struct {
	n           int
	sum         time.Duration
	first, last time.Time
}

func newPhaseLog() *phaseLog { return &phaseLog{phases: map[string]*phase{}} }

func (p *phaseLog) Enabled(context.Context, slog.Level) bool { return true }
func (p *phaseLog) WithAttrs([]slog.Attr) slog.Handler       { return p }
func (p *phaseLog) WithGroup(string) slog.Handler            { return p }

func (p *phaseLog) Handle(_ context.Context, r slog.Record) error {
	var (
		op string
		d  time.Duration
	)
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "op":
			op = a.Value.String()
		case "duration":
			d = a.Value.Duration()
		}
		return true
	})
	if op == "" {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ph := p.phases[op]
	if ph == nil {
		ph = &phase{first: r.Time.Add(-d)}
		p.phases[op] = ph
	}
	ph.n++
	ph.sum += d
	ph.last = r.Time
	return nil
}

// reset forgets everything recorded so far.
func (p *phaseLog) reset() {
	p.mu.Lock()
	p.phases = map[string]*phase{}
	p.mu.Unlock()
}

// Phase is the time one operation took within a measured call.
type Phase struct {
	// Requests is the number of tries of the operation.
	Requests int
	// Seconds is the wall time attributable to it: the smaller of the sum
	// of its tries' durations (for sequential calls, such as two listings)
	// and the span from its first start to its last end (for parallel calls).
	Seconds float64
}

// snapshot returns the phases recorded so far.
func (p *phaseLog) snapshot() map[string]Phase {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]Phase, len(p.phases))
	for op, ph := range p.phases {
		out[op] = Phase{Requests: ph.n, Seconds: min(ph.sum, ph.last.Sub(ph.first)).Seconds()}
	}
	return out
}
