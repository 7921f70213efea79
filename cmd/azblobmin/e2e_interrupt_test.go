//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ctrl-C during an upload: the command stops, says how to resume, exits 1,
// and the printed resume command finishes the recording byte for byte.
func TestInterruptThenResume(t *testing.T) {
	s := newStore(t)
	_, data := randomFile(t, 5<<20+99)

	cmd := exec.Command(cliBinary, "upload", "-progress", "-part-size", "1MiB", "-concurrency", "2", "-")
	cmd.Env = s.env()
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	var stdout bytes.Buffer
	var stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	// Three whole parts, then the input stalls (as a slow producer would).
	_, err = stdin.Write(data[:3<<20])
	require.NoError(t, err)
	// Wait until the CLI itself counts three parts done (its progress
	// lines, once a second), not merely until the blobs exist.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "  parts 3\n") {
		require.True(t, time.Now().Before(deadline), "parts never arrived; stderr:\n%s", stderr.String())
		time.Sleep(50 * time.Millisecond)
	}
	require.Len(t, s.blobs(s.inprogress, "part/"), 3)
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the CLI did not stop after Ctrl-C (blocked on stdin?); stderr:\n%s", stderr.String())
	}
	stdin.Close()
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee), "want exit 1, got %v", err)
	assert.Equal(t, 1, ee.ExitCode())
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok {
		assert.False(t, ws.Signaled(), "the CLI handled the interrupt and exited by itself")
	}
	errOut := stderr.String()
	assert.Contains(t, errOut, "interrupted: in-flight requests were cancelled; 3 parts are confirmed stored.")
	assert.Empty(t, stdout.String())
	m := regexp.MustCompile(`\n  (azblobmin upload -session-id \S+ -resume-upload-id \S+ -part-size 1MiB -)\n`).FindStringSubmatch(errOut)
	require.NotNil(t, m, "no resume command in:\n%s", errOut)
	assert.Regexp(t, `\n  azblobmin abort -session-id \S+ -upload-id \S+\n`, errOut)

	// The upload is still there, with its three parts.
	var ups struct {
		Uploads []uploadInfo `json:"uploads"`
	}
	runJSON(t, s.env(), nil, &ups, "uploads", "-json")
	require.Len(t, ups.Uploads, 1)
	assert.Equal(t, 3, ups.Uploads[0].Parts)

	// Run the printed command with the whole input.
	args := strings.Fields(m[1])[1:]
	var res uploadResult
	runJSON(t, s.env(), bytes.NewReader(data), &res, append([]string{args[0], "-json"}, args[1:]...)...)
	assert.Equal(t, 3, res.PartsSkipped)
	assert.Equal(t, 3, res.PartsUploaded)
	assert.True(t, res.Completed)
	assert.Equal(t, data, s.recording(res.SessionID))
}

// lockedBuffer is a bytes.Buffer that a running process writes to while the
// test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
