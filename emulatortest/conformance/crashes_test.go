package conformance_test

import (
	"testing"

	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/emulatortest/conformance"
)

// TestCrashes SIGKILLs a child process completing an upload at every step
// boundary and resumes with a fresh handler, and has two child processes
// complete one upload at the same moment.
func TestCrashes(t *testing.T) {
	t.Parallel() // each test has its own Azurite
	emu := emulatortest.Start(t)
	env := sharedKeyEnv(t, emu)
	conformance.RunCrashes(t, env)
	conformance.AssertInprogressEmpty(t, env, "")
}

// TestConcurrentRecordings writes 200 recordings at once through one
// handler: all complete, none corrupt; logs throughput and the peak
// number of open connections.
func TestConcurrentRecordings(t *testing.T) {
	t.Parallel() // each test has its own Azurite
	emu := emulatortest.Start(t)
	env := sharedKeyEnv(t, emu)
	rep := conformance.RunConcurrent(t, env, conformance.ConcurrentOptions{Recordings: 200, Parts: 2, PartSize: 64 << 10})
	conformance.AssertInprogressEmpty(t, env, "")
	t.Logf("FIGURES concurrent: recordings=%d bytes=%d elapsed=%v throughput=%.1fMiB/s peak-open-connections=%d connections-opened=%d requests=%d",
		rep.Recordings, rep.Bytes, rep.Elapsed, rep.MiBPerSec, rep.PeakConns, rep.TotalConns, rep.Requests)
}
