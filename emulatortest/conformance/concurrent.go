package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// ConcurrentOptions shape RunConcurrent. Zero values take the defaults.
type ConcurrentOptions struct {
	Recordings int // default 200
	Parts      int // parts per recording; default 2
	PartSize   int // bytes per part; default 64 KiB
}

// ConcurrentReport is what RunConcurrent measured.
type ConcurrentReport struct {
	Recordings int
	Bytes      int64
	Elapsed    time.Duration // create, upload parts and complete, all recordings
	MiBPerSec  float64       // recording bytes per second over Elapsed
	PeakConns  int64         // most TCP connections open at once
	TotalConns int64         // TCP connections opened
	Requests   int
	Traffic    string
}

// RunConcurrent writes opts.Recordings multipart recordings at the same
// time through one handler (one goroutine per recording: create, upload
// its parts, complete), then checks every recording's bytes and that
// nothing is left in the in-progress container. It reports throughput and
// the peak number of open connections, counted on a clone of the Env's
// transport, which must therefore be an *http.Transport (or nil).
func RunConcurrent(t testing.TB, env Env, opts ConcurrentOptions) ConcurrentReport {
	env.mustCheck(t)
	if opts.Recordings <= 0 {
		opts.Recordings = 200
	}
	if opts.Parts <= 0 {
		opts.Parts = 2
	}
	if opts.PartSize <= 0 {
		opts.PartSize = 64 << 10
	}
	ctx := scenarioContext(t)
	base, ok := env.baseTransport().(*http.Transport)
	if !ok {
		t.Fatalf("RunConcurrent counts connections on the Env's transport, which must be an *http.Transport, not %T", env.baseTransport())
	}
	var conns ConnCounter
	rec := NewRecorder(conns.Wrap(base), Hooks{})
	h := env.NewHandler(t, env.clientWith(rec))

	type recording struct {
		s     string
		parts [][]byte
		whole []byte
	}
	recs := make([]recording, opts.Recordings)
	for i := range recs {
		parts, whole := recordingParts(uint64(500_000+i), opts.Parts, opts.PartSize, opts.PartSize)
		recs[i] = recording{newSessionID(), parts, whole}
	}
	errs := make([]error, len(recs))
	startGate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range recs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startGate
			errs[i] = concurrentOne(ctx, h, recs[i].s, recs[i].parts)
		}()
	}
	start := time.Now()
	close(startGate)
	wg.Wait()
	rep := ConcurrentReport{Recordings: len(recs), Elapsed: time.Since(start)}
	rep.PeakConns, rep.TotalConns = conns.Peak(), conns.Total()
	rep.Requests, rep.Traffic = rec.Total(), rec.Summary()
	for _, r := range recs {
		rep.Bytes += int64(len(r.whole))
	}
	rep.MiBPerSec = float64(rep.Bytes) / (1 << 20) / rep.Elapsed.Seconds()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent recordings failed:\n%v", err)
	}

	// Check every recording, as stored and through Download, a few at a time.
	sem := make(chan struct{}, 16)
	for i, r := range recs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			got, found, err := env.Store.Read(ctx, env.SessionContainer, r.s)
			switch {
			case err != nil || !found:
				errs[i] = fmt.Errorf("recording %d (%s): found=%v err=%v", i, r.s, found, err)
			case diff(got, r.whole) != "":
				errs[i] = fmt.Errorf("recording %d (%s) is corrupt: %s", i, r.s, diff(got, r.whole))
			default:
				w := newMemWriterAt(int64(len(r.whole))*2 + 1<<20)
				if err := h.Download(ctx, r.s, w); err != nil {
					errs[i] = fmt.Errorf("recording %d (%s): Download: %w", i, r.s, err)
				} else if d := diff(w.Bytes(), r.whole); d != "" {
					errs[i] = fmt.Errorf("recording %d (%s): Download: %s", i, r.s, d)
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Errorf("%v", err)
	}
	for _, r := range recs {
		left, err := env.Store.List(ctx, env.InprogressContainer, "part/"+r.s+"/")
		if err != nil {
			t.Fatal(err)
		}
		marker, err := env.Store.List(ctx, env.InprogressContainer, "upload/"+r.s+"/")
		if err != nil {
			t.Fatal(err)
		}
		if len(left)+len(marker) > 0 {
			t.Errorf("session %s left %v in the in-progress container", r.s, head(append(marker, left...), 5))
		}
	}
	t.Logf("concurrent: %d recordings x %d parts x %d bytes = %d bytes in %v: %.1f MiB/s; peak open connections %d, opened %d; %s",
		rep.Recordings, opts.Parts, opts.PartSize, rep.Bytes, rep.Elapsed.Round(time.Millisecond), rep.MiBPerSec, rep.PeakConns, rep.TotalConns, rep.Traffic)
	return rep
}

func concurrentOne(ctx context.Context, h Handler, s string, parts [][]byte) error {
	up, err := h.CreateUpload(ctx, s)
	if err != nil {
		return fmt.Errorf("session %s: CreateUpload: %w", s, err)
	}
	for j, p := range parts {
		if _, err := h.UploadPart(ctx, *up, int64(j+1), bytes.NewReader(p)); err != nil {
			return fmt.Errorf("session %s: UploadPart(%d): %w", s, j+1, err)
		}
	}
	listed, err := h.ListParts(ctx, *up)
	if err != nil {
		return fmt.Errorf("session %s: ListParts: %w", s, err)
	}
	if err := h.CompleteUpload(ctx, *up, listed); err != nil {
		return fmt.Errorf("session %s: CompleteUpload: %w", s, err)
	}
	return nil
}
