package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// childTimeout bounds how long the parent waits for a child's line.
const childTimeout = 2 * time.Minute

// RunCrashes runs the process-level scenarios: a completion in a child
// process is SIGKILLed at each step boundary (after 8 of 24 blocks staged,
// right after the block list was committed, halfway through the cleanup of
// 300 parts) and a fresh handler in this process resumes it; and two
// child processes complete the same upload at the same moment. The test
// binary's TestMain must call ChildMain, and env.ChildConfig must be set.
func RunCrashes(t *testing.T, env Env) {
	env.mustCheck(t)
	if env.ChildConfig == "" {
		t.Fatalf("conformance: Env %q has no ChildConfig; RunCrashes needs it (and TestMain calling conformance.ChildMain) to start child processes", env.Name)
	}
	for _, c := range []struct {
		point       StopPoint
		n, k        int
		minS, maxS  int
		seed        uint64
		noRecording bool
	}{
		{StopAfterStaged, 24, 8, 4 << 10, 16 << 10, 81, true},
		{StopAfterCommit, 12, 0, 4 << 10, 16 << 10, 82, false},
		{StopMidCleanup, 300, 0, 1 << 10, 2 << 10, 83, false},
	} {
		t.Run("Kill/"+string(c.point), func(t *testing.T) {
			ctx := scenarioContext(t)
			h, _ := env.handler(t, Hooks{})
			s := newSessionID()
			parts, whole := recordingParts(c.seed, c.n, c.minS, c.maxS)
			up := createUpload(ctx, t, h, s)
			uploaded := uploadAll(ctx, t, h, up, parts, 32, c.seed)
			sortParts(uploaded)
			ch := startChild(t, childJob{Role: roleStop, Config: env.ChildConfig, Point: c.point, K: c.k,
				Upload: up, Parts: uploaded, Inprogress: env.InprogressContainer})
			what := ch.expect(t, lineReady)
			ch.kill(t)
			t.Logf("child killed with SIGKILL at %s (%s)", c.point, what)
			got, found, err := env.Store.Read(ctx, env.SessionContainer, s)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case c.noRecording && found:
				t.Errorf("a recording is visible after a completion killed before its block list was committed")
			case !c.noRecording && !found:
				t.Fatalf("no recording after a completion killed after its block list was committed")
			case !c.noRecording && diff(got, whole) != "":
				t.Fatalf("recording right after the killed commit: %s", diff(got, whole))
			}
			resumeFresh(ctx, t, env, up, whole)
		})
	}
	t.Run("TwoProcesses", func(t *testing.T) {
		ctx := scenarioContext(t)
		h, _ := env.handler(t, Hooks{})
		s := newSessionID()
		up, parts, whole := newRecording(ctx, t, h, s, 16, 84)
		job := childJob{Role: roleRace, Config: env.ChildConfig, Upload: up, Parts: parts}
		kids := []*child{startChild(t, job), startChild(t, job)}
		for _, k := range kids {
			k.expect(t, lineWaiting)
		}
		for _, k := range kids {
			if _, err := io.WriteString(k.stdin, "GO\n"); err != nil {
				t.Fatalf("signalling child: %v", err)
			}
		}
		for i, k := range kids {
			var res childResult
			line := k.expect(t, lineResult)
			if err := json.Unmarshal([]byte(line), &res); err != nil {
				t.Fatalf("child %d: bad RESULT %q: %v", i+1, line, err)
			}
			k.wait(t)
			t.Logf("process %d: CompleteUpload returned %s", i+1, map[bool]string{true: "nil", false: res.Error}[res.OK])
			switch {
			case res.OK:
			case res.AlreadyExists:
				t.Errorf("process %d: CompleteUpload of the same upload returned ErrAlreadyExists (only a different upload may): %s", i+1, res.Error)
			default:
				t.Logf("FINDING: process %d: concurrent CompleteUpload returned %s; retrying once", i+1, res.Error)
				h2, _ := env.handler(t, Hooks{})
				if err := h2.CompleteUpload(ctx, up, parts); err != nil {
					t.Errorf("process %d: CompleteUpload still fails after the other completion finished: %v (a caller would retry forever)", i+1, err)
				}
			}
		}
		verifyCompleted(ctx, t, env, h, up, whole)
	})
}

// child is a re-executed test binary doing a childJob.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr *syncBuffer
	done   bool
}

// syncBuffer collects a child's stderr for failure messages.
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
	const max = 4 << 10
	if s.b.Len() > max {
		return "..." + s.b.String()[s.b.Len()-max:]
	}
	return s.b.String()
}

func startChild(t testing.TB, job childJob) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("finding the test binary to re-execute: %v", err)
	}
	raw, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$", "-test.count=1")
	cmd.Env = append(os.Environ(), ChildEnvVar+"="+string(raw))
	c := &child{cmd: cmd, lines: make(chan string, 16), stderr: &syncBuffer{}}
	cmd.Stderr = c.stderr
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting child %s: %v", exe, err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	t.Cleanup(func() {
		if !c.done {
			c.cmd.Process.Kill()
			c.cmd.Wait()
		}
	})
	return c
}

// expect waits for the child's next line starting with prefix and returns
// the rest of it. Other lines are ignored.
func (c *child) expect(t testing.TB, prefix string) string {
	t.Helper()
	timer := time.NewTimer(childTimeout)
	defer timer.Stop()
	var other []string
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				c.wait(t)
				if len(other) == 0 {
					t.Fatalf("child exited without printing anything (does TestMain call conformance.ChildMain?); stderr:\n%s", c.stderr)
				}
				t.Fatalf("child exited before printing %s; it printed %q; stderr:\n%s", prefix, other, c.stderr)
			}
			if rest, found := strings.CutPrefix(line, prefix); found {
				return strings.TrimSpace(rest)
			}
			other = append(other, line)
		case <-timer.C:
			t.Fatalf("child printed no %s line within %v (it printed %q); stderr:\n%s", prefix, childTimeout, other, c.stderr)
		}
	}
}

// kill ends the child with SIGKILL, as the OOM killer or a power cut would.
func (c *child) kill(t testing.TB) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatalf("killing child: %v", err)
	}
	c.cmd.Wait()
	c.done = true
}

func (c *child) wait(t testing.TB) {
	t.Helper()
	if c.done {
		return
	}
	err := c.cmd.Wait()
	c.done = true
	if err != nil {
		t.Errorf("child exited with %v; stderr:\n%s", err, c.stderr)
	}
}
