package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The demo end to end, smaller than `make demo` to keep CI quick: Azurite
// starts, the CLI is built, a recording is uploaded in parts, listed,
// completed, downloaded and verified, and Azurite is stopped.
func TestDemoEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"-size", "8MiB", "-part-size", "1MiB", "-concurrency", "3", "-workdir", t.TempDir()}, &out, &errb)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	s := out.String()
	for i := 1; i <= 9; i++ {
		assert.Contains(t, s, "["+string(rune('0'+i))+"/9]")
	}
	assert.Contains(t, s, "9 parts stored, not completed yet")
	assert.Regexp(t, `SESSION ID\s+UPLOAD ID\s+AGE\s+PARTS\s+INITIATED\n\s+[0-9a-f-]{36}\s+[0-9a-f-]{36}\s+\d+s\s+9\s`, s, "the upload was listed while in progress")
	assert.Contains(t, s, "azblobmin parts: 9 parts, 8.0 MiB, none missing")
	assert.Regexp(t, `sha256 [0-9a-f]{64}  OK \(\d+ bytes, identical\)`, s)
	for _, p := range []string{"generate", "upload parts", "list", "complete", "download", "verify"} {
		assert.Regexp(t, regexp.MustCompile(`(?m)^  `+p+`\s+`), s, "summary row %s", p)
	}
	assert.True(t, strings.HasSuffix(s, "Azurite stopped.\n"), "Azurite is stopped at the end:\n%s", s)
	// The key reached the CLI through its environment only.
	assert.NotContains(t, s+errb.String(), "AccountKey=")
}

// A failing step still stops Azurite, and the demo exits 1.
func TestDemoStopsAzuriteOnFailure(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	// A part size over the service's limit makes the upload step fail
	// after Azurite has started.
	code := run(ctx, []string{"-size", "1KiB", "-part-size", "5000MiB", "-workdir", t.TempDir()}, &out, &errb)
	assert.Equal(t, 1, code)
	assert.Contains(t, errb.String(), "demo: FAILED: azblobmin upload")
	assert.Contains(t, out.String(), "Azurite stopped.")
}

func TestDemoUsage(t *testing.T) {
	var out, errb bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), []string{"-size", "zero"}, &out, &errb))
	assert.Equal(t, 2, run(context.Background(), []string{"extra"}, &out, &errb))
	assert.Equal(t, 0, run(context.Background(), []string{"-h"}, &out, &errb))
}
