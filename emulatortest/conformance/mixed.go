package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// MixedOptions shape RunMixed. Zero values take the defaults.
type MixedOptions struct {
	Recordings  int    // default 50
	Concurrency int    // recordings in flight at once; default 8
	MaxParts    int    // parts of a multipart recording, 1..MaxParts; default 12
	MaxPartSize int    // bytes; default 256 KiB
	Seed        uint64 // default 1
}

// MixedReport is what RunMixed did.
type MixedReport struct {
	Recordings, Multipart, SingleShot int
	Bytes                             int64
	Elapsed                           time.Duration
	Requests, Retries                 int    // as seen by the handler's Recorder
	Traffic                           string // Recorder.Summary()
}

// RunMixed writes opts.Recordings recordings of mixed sizes through one
// handler, Concurrency at a time: three in four multipart (1..MaxParts
// parts of 1 KiB..MaxPartSize, the last part often small), one in four a
// single-shot Upload of up to three blocks. No call is retried by the
// caller. Every recording must complete, read back byte-identical (from
// the store and through Download), and leave nothing in the in-progress
// container. It is meant to run through a fault-injecting proxy (Env's
// NewHandler pointing the handler at the proxy, Env's Store at the store
// itself).
func RunMixed(t testing.TB, env Env, opts MixedOptions) MixedReport {
	env.mustCheck(t)
	if opts.Recordings <= 0 {
		opts.Recordings = 50
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.MaxParts <= 0 {
		opts.MaxParts = 12
	}
	if opts.MaxPartSize <= 0 {
		opts.MaxPartSize = 256 << 10
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	ctx := scenarioContext(t)
	h, rec := env.handler(t, Hooks{})
	rep := MixedReport{Recordings: opts.Recordings}
	var mu sync.Mutex
	errs := make([]error, opts.Recordings)
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				multi, n, err := mixedOne(ctx, env, h, opts, i)
				errs[i] = err
				mu.Lock()
				rep.Bytes += int64(n)
				if multi {
					rep.Multipart++
				} else {
					rep.SingleShot++
				}
				mu.Unlock()
			}
		}()
	}
	for i := range opts.Recordings {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	rep.Elapsed = time.Since(start)
	rep.Requests, rep.Retries, rep.Traffic = rec.Total(), rec.Retries(), rec.Summary()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
		}
	}
	if err := errors.Join(errs...); err != nil {
		t.Errorf("%d of %d recordings failed:\n%v", failed, opts.Recordings, err)
	}
	t.Logf("mixed: %d recordings (%d multipart, %d single-shot), %d bytes in %v; %s",
		rep.Recordings, rep.Multipart, rep.SingleShot, rep.Bytes, rep.Elapsed.Round(time.Millisecond), rep.Traffic)
	return rep
}

// mixedOne writes and checks recording i. It reports errors rather than
// failing the test, since it runs on a worker goroutine.
func mixedOne(ctx context.Context, env Env, h Handler, opts MixedOptions, i int) (multipart bool, size int, err error) {
	seed := opts.Seed*1_000_003 + uint64(i)
	rng := rand.New(rand.NewPCG(seed, 99))
	s := newSessionID()
	var want []byte
	if i%4 == 3 {
		want = payload(seed, 1+rng.IntN(int(3*env.BlockSize)))
		src := &chunkyReader{r: streamOnly{bytes.NewReader(want)}, rng: rng}
		if _, err := h.Upload(ctx, s, src); err != nil {
			return false, len(want), fmt.Errorf("recording %d (single-shot, %d bytes): Upload: %w", i, len(want), err)
		}
	} else {
		multipart = true
		n := 1 + rng.IntN(opts.MaxParts)
		parts, whole := recordingParts(seed, n, 1<<10, opts.MaxPartSize)
		if n > 1 && rng.IntN(2) == 0 {
			// The last part of a real recording is usually short.
			parts[n-1] = parts[n-1][:1+rng.IntN(len(parts[n-1]))]
			whole = bytes.Join(parts, nil)
		}
		want = whole
		up, err := h.CreateUpload(ctx, s)
		if err != nil {
			return true, len(want), fmt.Errorf("recording %d: CreateUpload: %w", i, err)
		}
		for j := range parts {
			if _, err := h.UploadPart(ctx, *up, int64(j+1), bytes.NewReader(parts[j])); err != nil {
				return true, len(want), fmt.Errorf("recording %d: UploadPart(%d of %d): %w", i, j+1, n, err)
			}
		}
		listed, err := h.ListParts(ctx, *up)
		if err != nil {
			return true, len(want), fmt.Errorf("recording %d: ListParts: %w", i, err)
		}
		if len(listed) != n {
			return true, len(want), fmt.Errorf("recording %d: ListParts returned %d parts, want %d", i, len(listed), n)
		}
		if err := h.CompleteUpload(ctx, *up, listed); err != nil {
			return true, len(want), fmt.Errorf("recording %d (%d parts): CompleteUpload: %w", i, n, err)
		}
		left, err := leftovers(ctx, env, *up)
		if err != nil {
			return true, len(want), fmt.Errorf("recording %d: listing leftovers: %w", i, err)
		}
		if len(left) > 0 {
			return true, len(want), fmt.Errorf("recording %d: completion left %v in the in-progress container", i, head(left, 5))
		}
	}
	got, found, err := env.Store.Read(ctx, env.SessionContainer, s)
	if err != nil || !found {
		return multipart, len(want), fmt.Errorf("recording %d: reading it from the store: found=%v err=%v", i, found, err)
	}
	if d := diff(got, want); d != "" {
		return multipart, len(want), fmt.Errorf("recording %d as stored: %s", i, d)
	}
	w := newMemWriterAt(int64(len(want))*2 + 1<<20)
	if err := h.Download(ctx, s, w); err != nil {
		return multipart, len(want), fmt.Errorf("recording %d: Download: %w", i, err)
	}
	if d := diff(w.Bytes(), want); d != "" {
		return multipart, len(want), fmt.Errorf("recording %d: Download: %s", i, d)
	}
	return multipart, len(want), nil
}

// AssertInprogressEmpty fails t unless the in-progress container holds no
// blob whose name starts with prefix ("" for the whole container). Use it
// at the end of a run that owns the container.
func AssertInprogressEmpty(t testing.TB, env Env, prefix string) {
	t.Helper()
	names, err := env.Store.List(t.Context(), env.InprogressContainer, prefix)
	if err != nil {
		t.Fatalf("listing the in-progress container: %v", err)
	}
	if len(names) > 0 {
		t.Errorf("the in-progress container %s holds %d blob(s) under %q, want none: %v", env.InprogressContainer, len(names), prefix, head(names, 10))
	}
}
