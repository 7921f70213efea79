package jobs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// ChildEnv is the environment variable that turns a bench binary (the
// benchreport command or this package's test binary) into a child running
// one variant of one job; it holds the ChildSpec as JSON.
const ChildEnv = "AZBLOBMIN_BENCH_CHILD"

// ChildSpec is one variant of one job, run in its own process.
type ChildSpec struct {
	// Job is "multipart" or "stream".
	Job string
	// Impl is "ours", "sdk" or "floor".
	Impl      string
	Target    Target
	Multipart MultipartSpec `json:",omitzero"`
	Stream    StreamSpec    `json:",omitzero"`
}

// How often the children sample the Go heap.
const (
	HeapSampleStream    = 2 * time.Millisecond
	HeapSampleMultipart = 10 * time.Millisecond
)

// ChildResult is what a child measured over its job window: from just
// before the job's first request (clients, containers and data already set
// up) to its last answer. Memory figures cover the whole process.
type ChildResult struct {
	UserSec, SysSec float64
	WallSec         float64
	// VmHWM is the peak resident set size from /proc/self/status; MaxRSS
	// the same from getrusage (bytes).
	VmHWM, MaxRSS int64
	// PeakHeap is the peak of Go heap objects (live and not yet swept)
	// sampled during the window (bytes), every HeapSampleStream or
	// HeapSampleMultipart. Memory the client maps outside
	// the Go heap (the SDK's UploadStream buffers are mmap'd) is only in
	// VmHWM.
	PeakHeap int64
	// Bytes is how many bytes of payload the job uploaded.
	Bytes int64
}

// CPUSec is user + system CPU seconds.
func (r ChildResult) CPUSec() float64 { return r.UserSec + r.SysSec }

// MaybeRunChild runs the child job and exits when ChildEnv is set, and
// returns otherwise. Call it first thing in main (or TestMain).
func MaybeRunChild() {
	v, ok := os.LookupEnv(ChildEnv)
	if !ok {
		return
	}
	res, err := runChild(v)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench child:", err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fmt.Fprintln(os.Stderr, "bench child:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runChild(specJSON string) (ChildResult, error) {
	var spec ChildSpec
	if err := json.Unmarshal([]byte(specJSON), &spec); err != nil {
		return ChildResult{}, fmt.Errorf("decode %s: %w", ChildEnv, err)
	}
	var (
		run     func() error
		cleanup func() error
		bytesUp int64
	)
	switch spec.Job {
	case "multipart":
		data := Data(spec.Multipart.PartSize)
		r, err := prepareMultipart(spec.Impl, spec.Target, spec.Multipart, data)
		if err != nil {
			return ChildResult{}, err
		}
		run, cleanup = r.run, r.cleanup
		bytesUp = int64(spec.Multipart.Parts) * int64(spec.Multipart.PartSize)
	case "stream":
		r, err := prepareStream(spec.Impl, spec.Target, spec.Stream)
		if err != nil {
			return ChildResult{}, err
		}
		cr := &countingReader{r: os.Stdin}
		run = func() error {
			err := r.run(cr)
			bytesUp = cr.n
			return err
		}
		cleanup = r.cleanup
	default:
		return ChildResult{}, fmt.Errorf("unknown job %q", spec.Job)
	}

	// The sampler's wake-ups count in the CPU figures too, the same for
	// every variant; the multipart job is CPU-bound and heap-stable, so it
	// samples less often.
	every := HeapSampleStream
	if spec.Job == "multipart" {
		every = HeapSampleMultipart
	}
	u0, s0 := cpuTimes()
	heap := startHeapSampler(every)
	t0 := time.Now()
	err := run()
	wall := time.Since(t0)
	u1, s1 := cpuTimes()
	peak := heap.finish()
	res := ChildResult{
		UserSec:  (u1 - u0).Seconds(),
		SysSec:   (s1 - s0).Seconds(),
		WallSec:  wall.Seconds(),
		VmHWM:    vmHWM(),
		MaxRSS:   maxRSS(),
		PeakHeap: peak,
		Bytes:    bytesUp,
	}
	if err != nil {
		return res, fmt.Errorf("%s/%s on %s: %w", spec.Job, spec.Impl, spec.Target.Name, err)
	}
	if err := cleanup(); err != nil {
		return res, fmt.Errorf("%s/%s on %s: cleanup: %w", spec.Job, spec.Impl, spec.Target.Name, err)
	}
	return res, nil
}

// countingReader counts the bytes the client read from the pipe.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// RunChild runs spec in a child process (this same executable) and returns
// its measurements. When feed is not nil it writes the child's standard
// input (the stream job's pipe) and must close it.
func RunChild(spec ChildSpec, feed func(w io.WriteCloser) error) (ChildResult, error) {
	exe, err := os.Executable()
	if err != nil {
		return ChildResult{}, err
	}
	js, err := json.Marshal(spec)
	if err != nil {
		return ChildResult{}, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), ChildEnv+"="+string(js))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var feedErr chan error
	if feed != nil {
		w, err := cmd.StdinPipe()
		if err != nil {
			return ChildResult{}, err
		}
		feedErr = make(chan error, 1)
		defer func() { <-feedErr }()
		if err := cmd.Start(); err != nil {
			w.Close()
			feedErr <- nil
			return ChildResult{}, err
		}
		go func() { feedErr <- feed(w) }()
		err = cmd.Wait()
		return decodeChild(spec, err, &stdout, &stderr)
	}
	return decodeChild(spec, cmd.Run(), &stdout, &stderr)
}

func decodeChild(spec ChildSpec, runErr error, stdout, stderr *bytes.Buffer) (ChildResult, error) {
	name := spec.Job + "/" + spec.Impl + " on " + spec.Target.Name
	if runErr != nil {
		return ChildResult{}, fmt.Errorf("child %s: %w: %s", name, runErr, bytes.TrimSpace(stderr.Bytes()))
	}
	var res ChildResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return ChildResult{}, fmt.Errorf("child %s: bad output %q: %w", name, stdout.String(), err)
	}
	if res.Bytes == 0 {
		return res, errors.New("child " + name + ": uploaded nothing")
	}
	return res, nil
}
