package conformance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/azblobmin/azblobmin/uploader"
)

// ChildEnvVar is the environment variable that turns a re-executed test
// binary into a child of RunCrashes. Its value is the child's job (JSON).
const ChildEnvVar = "AZBLOBMIN_CONFORMANCE_CHILD"

// ChildSetup tells a child process how to build a handler.
type ChildSetup struct {
	// HTTPClient is the base client for the store; the child wraps its
	// Transport (nil means http.DefaultTransport) in a Recorder.
	HTTPClient *http.Client
	// NewHandler builds a handler that sends every request through client.
	NewHandler func(ctx context.Context, client *http.Client) (Handler, error)
}

// ChildMain must be called at the start of TestMain in any test binary
// that calls RunCrashes. In an ordinary run it returns at once. In a child
// started by RunCrashes it builds a handler with setup(Env.ChildConfig),
// does the job it was given (complete an upload and freeze at a step
// boundary until killed, or complete it on a signal and report), and
// exits without running any test.
func ChildMain(setup func(config string) (*ChildSetup, error)) {
	raw, ok := os.LookupEnv(ChildEnvVar)
	if !ok {
		return
	}
	os.Exit(runChild(raw, setup))
}

// Child roles.
const (
	roleStop = "stop" // complete, freeze at Point, print READY, wait to be killed
	roleRace = "race" // print WAITING, complete when "GO" arrives on stdin, print RESULT
)

// childJob is what the parent asks of a child.
type childJob struct {
	Role       string
	Config     string
	Point      StopPoint
	K          int
	Upload     uploader.StreamUpload
	Parts      []uploader.StreamPart
	Inprogress string
}

// Lines a child prints on stdout; the parent waits for them.
const (
	lineReady   = "READY"
	lineWaiting = "WAITING"
	lineResult  = "RESULT"
)

// childResult is the RESULT line's payload.
type childResult struct {
	OK            bool
	AlreadyExists bool
	NotFound      bool
	Error         string
}

func runChild(raw string, setup func(string) (*ChildSetup, error)) int {
	var job childJob
	if err := json.Unmarshal([]byte(raw), &job); err != nil {
		fmt.Fprintf(os.Stderr, "conformance child: bad job in %s: %v\n", ChildEnvVar, err)
		return 3
	}
	cs, err := setup(job.Config)
	if err != nil {
		fmt.Fprintf(os.Stderr, "conformance child: setup: %v\n", err)
		return 3
	}
	var frozen atomic.Bool
	// freeze parks the calling goroutine until the parent kills the
	// process. It sleeps rather than blocking on a channel so the runtime
	// never declares a deadlock once every goroutine is parked.
	freeze := func() {
		for {
			time.Sleep(time.Hour)
		}
	}
	var hooks Hooks
	if job.Role == roleStop {
		st := &stopper{point: job.Point, k: job.K, parts: len(job.Parts), inprogress: job.Inprogress, session: job.Upload.SessionID,
			fire: func(what string) {
				frozen.Store(true)
				fmt.Fprintf(os.Stdout, "%s %s\n", lineReady, what)
			}}
		hooks.BeforeSend = func(*http.Request, Op) error {
			if frozen.Load() {
				freeze()
			}
			return nil
		}
		hooks.AfterAnswer = func(req *http.Request, op Op, resp *http.Response) error {
			st.afterAnswer(req, op, resp)
			if frozen.Load() {
				freeze()
			}
			return nil
		}
	}
	base := http.DefaultTransport
	client := &http.Client{}
	if cs.HTTPClient != nil {
		*client = *cs.HTTPClient
		if cs.HTTPClient.Transport != nil {
			base = cs.HTTPClient.Transport
		}
	}
	client.Transport = NewRecorder(base, hooks)
	ctx := context.Background()
	h, err := cs.NewHandler(ctx, client)
	if err != nil {
		fmt.Fprintf(os.Stderr, "conformance child: NewHandler: %v\n", err)
		return 3
	}
	switch job.Role {
	case roleStop:
	case roleRace:
		fmt.Fprintln(os.Stdout, lineWaiting)
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil || strings.TrimSpace(line) != "GO" {
			fmt.Fprintf(os.Stderr, "conformance child: waiting for GO: read %q, %v\n", line, err)
			return 3
		}
	default:
		fmt.Fprintf(os.Stderr, "conformance child: unknown role %q\n", job.Role)
		return 3
	}
	err = h.CompleteUpload(ctx, job.Upload, job.Parts)
	res := childResult{OK: err == nil}
	if err != nil {
		res.Error = err.Error()
		res.AlreadyExists = errors.Is(err, uploader.ErrAlreadyExists)
		res.NotFound = errors.Is(err, uploader.ErrNotFound)
	}
	out, _ := json.Marshal(res)
	fmt.Fprintf(os.Stdout, "%s %s\n", lineResult, out)
	return 0
}
