package conformance_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// recordingTB is a testing.TB that records failures instead of failing
// the real test, so a test can assert that the suite fails, and how.
// Methods it does not override (TempDir, Helper, Name, ...) go to the
// real test.
type recordingTB struct {
	testing.TB
	mu       sync.Mutex
	failed   bool
	msgs     []string
	cleanups []func()
}

func (r *recordingTB) record(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.msgs = append(r.msgs, msg)
}

func (r *recordingTB) Error(args ...any)                 { r.record(fmt.Sprint(args...)) }
func (r *recordingTB) Errorf(format string, args ...any) { r.record(fmt.Sprintf(format, args...)) }
func (r *recordingTB) Fail()                             { r.record("Fail called") }
func (r *recordingTB) Fatal(args ...any)                 { r.record(fmt.Sprint(args...)); runtime.Goexit() }
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.record(fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (r *recordingTB) FailNow() { r.record("FailNow called"); runtime.Goexit() }
func (r *recordingTB) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}
func (r *recordingTB) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

// Context is cancelled only by the real test's end.
func (r *recordingTB) Context() context.Context { return r.TB.Context() }

func (r *recordingTB) messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

func (r *recordingTB) reported(sub string) bool {
	for _, m := range r.messages() {
		if strings.Contains(m, sub) {
			return true
		}
	}
	return false
}

// runRecorded runs f with a recordingTB on its own goroutine (so Fatal's
// Goexit ends only f), then runs the cleanups f registered.
func runRecorded(t *testing.T, f func(tb testing.TB)) *recordingTB {
	rt := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(rt)
	}()
	<-done
	for i := len(rt.cleanups) - 1; i >= 0; i-- {
		rt.cleanups[i]()
	}
	return rt
}
