package uploader_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/uploader"
	"github.com/stretchr/testify/require"
)

// proxied returns an env whose handler talks to Azurite through a fault
// proxy with hook.
func proxied(t *testing.T, hook func(*http.Request) emulatortest.Fault) *testEnv {
	t.Helper()
	p := emu.StartFaultProxy(t, emulatortest.FaultProxyOptions{})
	e := newEnv(t, func(c *uploader.Config) { c.Endpoint = p.Endpoint() }, nil)
	p.SetHook(hook)
	return e
}

func isPBL(r *http.Request) bool {
	return r.Method == http.MethodPut && r.URL.Query().Get("comp") == "blocklist"
}

func isPBFU(r *http.Request) bool {
	return r.Method == http.MethodPut && r.URL.Query().Get("comp") == "block" && r.Header.Get("x-ms-copy-source") != ""
}

// onceFor answers fault to the first request matching match, then nothing.
func onceFor(match func(*http.Request) bool, fault emulatortest.Fault) (func(*http.Request) emulatortest.Fault, *atomic.Int32) {
	var hits atomic.Int32
	return func(r *http.Request) emulatortest.Fault {
		if match(r) && hits.Add(1) == 1 {
			return fault
		}
		return emulatortest.Fault{}
	}, &hits
}

func TestLostAnswerOfCommitIsSuccess(t *testing.T) {
	hook, hits := onceFor(isPBL, emulatortest.FaultLostAnswer)
	e := proxied(t, hook)
	ctx := context.Background()
	s := newSessionID()
	parts, all := randomParts(3, 10<<10)
	up, sp := e.uploadParts(t, s, parts)
	require.NoError(t, e.h.CompleteUpload(ctx, up, sp))
	require.GreaterOrEqual(t, hits.Load(), int32(2), "the commit was retried after the lost answer")
	require.Equal(t, all, e.download(t, s))
	require.Empty(t, e.blobs(t, e.cfg.InprogressContainer))
}

func TestLostAnswerOfMarkerIsSuccess(t *testing.T) {
	hook, hits := onceFor(func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/upload/")
	}, emulatortest.FaultLostAnswer)
	e := proxied(t, hook)
	up, err := e.h.CreateUpload(context.Background(), newSessionID())
	require.NoError(t, err)
	require.Equal(t, int32(2), hits.Load())
	uploads, err := e.h.ListUploads(context.Background())
	require.NoError(t, err)
	require.Len(t, uploads, 1)
	require.Equal(t, up.ID, uploads[0].ID)
	// The retry found the marker there: the initiation time is still the
	// marker's, the one ListUploads reports, not the time of the retry.
	require.True(t, uploads[0].Initiated.Equal(up.Initiated), "CreateUpload said %v, ListUploads says %v", up.Initiated, uploads[0].Initiated)
}

func TestLostAnswerOfSingleShotWrites(t *testing.T) {
	for _, size := range []int{100, 300 << 10} { // one Put Blob; staged blocks + Put Block List
		hook, hits := onceFor(func(r *http.Request) bool {
			return r.Method == http.MethodPut && (isPBL(r) || r.URL.Query().Get("comp") == "")
		}, emulatortest.FaultLostAnswer)
		p := emu.StartFaultProxy(t, emulatortest.FaultProxyOptions{})
		e := newEnv(t, func(c *uploader.Config) { c.Endpoint = p.Endpoint(); c.BlockSize = 128 << 10 }, nil)
		p.SetHook(hook)
		s := newSessionID()
		_, all := randomParts(1, size*2)
		_, err := e.h.Upload(context.Background(), s, strings.NewReader(string(all)))
		require.NoError(t, err)
		require.GreaterOrEqual(t, hits.Load(), int32(2))
		require.Equal(t, all, e.download(t, s))

		hook, hits = onceFor(func(r *http.Request) bool {
			return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/summary.json") &&
				(isPBL(r) || r.URL.Query().Get("comp") == "")
		}, emulatortest.FaultLostAnswer)
		p.SetHook(hook)
		_, err = e.h.UploadSummary(context.Background(), s, strings.NewReader(string(all[:size])))
		require.NoError(t, err, "a create-only companion write whose answer is lost is still ours")
		require.GreaterOrEqual(t, hits.Load(), int32(2))
		_, err = e.h.UploadSummary(context.Background(), s, strings.NewReader("{}"))
		require.ErrorIs(t, err, uploader.ErrAlreadyExists, "a genuine second write is refused")
	}
}

// TestResumeSkipsStagedBlocks interrupts a completion after some blocks are
// staged, then completes from a fresh handler that finds the upload by
// listing: only the missing blocks are staged again.
func TestResumeSkipsStagedBlocks(t *testing.T) {
	const n, failAfter = 30, 12
	var staged atomic.Int32
	p := emu.StartFaultProxy(t, emulatortest.FaultProxyOptions{})
	e := newEnv(t, func(c *uploader.Config) {
		c.Endpoint = p.Endpoint()
		c.CompleteConcurrency = 1 // deterministic: exactly failAfter blocks get staged
		c.Retry.MaxTries = 1
	}, nil)
	p.SetHook(func(r *http.Request) emulatortest.Fault {
		if isPBFU(r) && staged.Add(1) > failAfter {
			return emulatortest.Fault500
		}
		return emulatortest.Fault{}
	})
	ctx := context.Background()
	s := newSessionID()
	parts, all := randomParts(n, 4<<10)
	up, sp := e.uploadParts(t, s, parts)
	err := e.h.CompleteUpload(ctx, up, sp)
	require.Error(t, err)
	require.False(t, errors.Is(err, uploader.ErrAlreadyExists))
	_, err = e.h.StreamSessionRecording(ctx, s)
	require.ErrorIs(t, err, uploader.ErrNotFound, "nothing committed")
	p.SetHook(nil)

	fresh := newEnv(t, func(c *uploader.Config) {
		c.SessionContainer, c.InprogressContainer = e.cfg.SessionContainer, e.cfg.InprogressContainer
	}, nil)
	uploads, err := fresh.h.ListUploads(ctx)
	require.NoError(t, err)
	require.Len(t, uploads, 1)
	listed, err := fresh.h.ListParts(ctx, uploads[0])
	require.NoError(t, err)
	require.Len(t, listed, n)
	require.NoError(t, fresh.h.CompleteUpload(ctx, uploads[0], listed))
	var pbfu int64
	for k, v := range fresh.count.Counts() {
		if strings.HasPrefix(k, "PUT /devstoreaccount1/"+e.cfg.SessionContainer+"/") {
			pbfu += v
		}
	}
	// n-failAfter Put Block From URL, plus one Put Block List.
	require.Equal(t, int64(n-failAfter+1), pbfu, "blocks staged by the first attempt are reused")
	require.Equal(t, all, fresh.download(t, s))
	require.Empty(t, fresh.blobs(t, e.cfg.InprogressContainer))
}

// TestPartsDeletedUnderAConcurrentCompletion: a completion that loses its
// sources to a faster completion's cleanup still succeeds.
func TestCompletionAfterOtherCleanedUp(t *testing.T) {
	var mu sync.Mutex
	var gate chan struct{}
	p := emu.StartFaultProxy(t, emulatortest.FaultProxyOptions{})
	e := newEnv(t, func(c *uploader.Config) { c.Endpoint = p.Endpoint(); c.CompleteConcurrency = 1 }, nil)
	ctx := context.Background()
	s := newSessionID()
	parts, all := randomParts(4, 4<<10)
	up, sp := e.uploadParts(t, s, parts)

	// Hold the slow completion's second staging until the fast one is done.
	gate = make(chan struct{})
	var seen atomic.Int32
	p.SetHook(func(r *http.Request) emulatortest.Fault {
		if isPBFU(r) && seen.Add(1) == 2 {
			mu.Lock()
			g := gate
			mu.Unlock()
			<-g
		}
		return emulatortest.Fault{}
	})
	slow := make(chan error, 1)
	go func() { slow <- e.h.CompleteUpload(ctx, up, sp) }()
	for seen.Load() < 2 {
		runtimeGosched()
	}
	fast := newEnv(t, func(c *uploader.Config) {
		c.SessionContainer, c.InprogressContainer = e.cfg.SessionContainer, e.cfg.InprogressContainer
	}, nil)
	require.NoError(t, fast.h.CompleteUpload(ctx, up, sp))
	close(gate)
	require.NoError(t, <-slow)
	require.Equal(t, all, e.download(t, s))
	require.Empty(t, e.blobs(t, e.cfg.InprogressContainer))
}
