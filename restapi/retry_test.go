package restapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var payload = bytes.Repeat([]byte("0123456789abcdef"), 64<<10/16) // 64 KiB

func TestRetry503ThenOK(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		if n == 0 {
			w.Header().Set("x-ms-error-code", "ServerBusy")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `<?xml version="1.0"?><Error><Code>ServerBusy</Code><Message>busy</Message></Error>`)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	auth := &fakeAuth{}
	c, ns := testClient(t, rec, auth, nil)
	_, err := c.PutBlob(context.Background(), "box", "b", bytes.NewReader(payload), nil)
	require.NoError(t, err)
	reqs := rec.requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, payload, r.Body, "every try sends the whole body")
		assert.Equal(t, strconv.Itoa(len(payload)), r.Header.Get("Content-Length"))
	}
	assert.Equal(t, reqs[0].Header.Get("x-ms-client-request-id"), reqs[1].Header.Get("x-ms-client-request-id"), "one client request id per operation")
	assert.Equal(t, 2, auth.calls, "authorized again on the retry")
	require.Len(t, ns.got(), 1)
	assert.LessOrEqual(t, ns.got()[0], DefaultBaseDelay, "first retry waits within the base window")
}

func TestRetryHonoursServerDelay(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		value  string
		want   time.Duration
	}{
		{"Retry-After seconds", "Retry-After", "1", time.Second},
		{"x-ms-retry-after-ms", "x-ms-retry-after-ms", "1500", 1500 * time.Millisecond},
		{"Retry-After capped", "Retry-After", "3600", DefaultMaxRetryAfter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				if n == 0 {
					w.Header().Set(tc.header, tc.value)
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				w.WriteHeader(http.StatusCreated)
			})
			c, ns := testClient(t, rec, nil, nil)
			_, err := c.PutBlob(context.Background(), "box", "b", strings.NewReader("x"), nil)
			require.NoError(t, err)
			assert.Equal(t, 2, rec.count())
			assert.Equal(t, []time.Duration{tc.want}, ns.got())
		})
	}
}

func TestServerDelayParsing(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		h    http.Header
		want time.Duration
		ok   bool
	}{
		{http.Header{"Retry-After": {"7"}}, 7 * time.Second, true},
		{http.Header{"Retry-After": {now.Add(3 * time.Second).Format(http.TimeFormat)}}, 3 * time.Second, true},
		{http.Header{"Retry-After": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0, true},
		{http.Header{"Retry-After": {"soon"}}, 0, false},
		{http.Header{"Retry-After": {"-1"}}, 0, false},
		{http.Header{"X-Ms-Retry-After-Ms": {"250"}, "Retry-After": {"9"}}, 250 * time.Millisecond, true},
		{http.Header{"X-Ms-Retry-After-Ms": {"x"}, "Retry-After": {"9"}}, 9 * time.Second, true},
		{http.Header{}, 0, false},
	} {
		d, ok := serverDelay(tc.h, now)
		assert.Equal(t, tc.ok, ok, "%v", tc.h)
		assert.Equal(t, tc.want, d, "%v", tc.h)
	}
}

func TestBackoffWindow(t *testing.T) {
	p, err := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()
	require.NoError(t, err)
	for i := 0; i < 200; i++ {
		assert.LessOrEqual(t, p.backoff(2), 100*time.Millisecond)
		assert.LessOrEqual(t, p.backoff(3), 200*time.Millisecond)
		assert.LessOrEqual(t, p.backoff(20), time.Second)
		assert.GreaterOrEqual(t, p.backoff(20), time.Duration(0))
	}
}

func TestRetryGivesUpAfterMaxTries(t *testing.T) {
	rec := newRecorder(t, xmlAnswer(500, `<Error><Code>InternalError</Code><Message>boom</Message></Error>`))
	c, ns := testClient(t, rec, nil, &Options{Retry: RetryPolicy{MaxTries: 3}})
	err := c.DeleteBlob(context.Background(), "box", "b", nil)
	var re *ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 500, re.StatusCode)
	assert.Equal(t, "InternalError", re.ErrorCode)
	assert.Equal(t, 3, rec.count())
	assert.Len(t, ns.got(), 2)
}

func TestNoRetryOn4xx(t *testing.T) {
	rec := newRecorder(t, xmlAnswer(400, `<Error><Code>InvalidQueryParameterValue</Code><Message>bad</Message></Error>`))
	c, _ := testClient(t, rec, nil, nil)
	err := c.DeleteBlob(context.Background(), "box", "b", nil)
	require.Error(t, err)
	assert.Equal(t, 1, rec.count())
}

// A connection reset mid-upload: the server reads part of the body, then
// drops the connection. The retry must send the complete body again.
func TestRetryAfterConnectionReset(t *testing.T) {
	var tries atomic.Int32
	var lastBody atomic.Value
	rec := newRecorder(t, nil)
	rec.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := tries.Add(1)
		if n <= 2 {
			io.CopyN(io.Discard, r.Body, 1000)
			hj, ok := w.(http.Hijacker)
			require.True(t, ok)
			conn, _, err := hj.Hijack()
			require.NoError(t, err)
			if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
				tc.SetLinger(0) // RST, not FIN
			}
			conn.Close()
			return
		}
		b, _ := io.ReadAll(r.Body)
		lastBody.Store(b)
		w.WriteHeader(http.StatusCreated)
	})
	c, ns := testClient(t, rec, nil, nil)
	body := bytes.NewReader(payload)
	_, err := c.PutBlock(context.Background(), "box", "b", "AAA=", body, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(3), tries.Load())
	assert.Equal(t, payload, lastBody.Load().([]byte))
	assert.Len(t, ns.got(), 2)
}

// seekOnce allows the measuring seeks but refuses to rewind after a read.
type seekOnce struct {
	*bytes.Reader
	read bool
}

func (s *seekOnce) Read(p []byte) (int, error) { s.read = true; return s.Reader.Read(p) }
func (s *seekOnce) Seek(off int64, whence int) (int64, error) {
	if s.read {
		return 0, errors.New("pipe cannot seek")
	}
	return s.Reader.Seek(off, whence)
}

func TestNonRewindableBodyIsNotRetried(t *testing.T) {
	rec := newRecorder(t, xmlAnswer(503, `<Error><Code>ServerBusy</Code><Message>busy</Message></Error>`))
	c, _ := testClient(t, rec, nil, nil)
	_, err := c.PutBlob(context.Background(), "box", "b", &seekOnce{Reader: bytes.NewReader(payload)}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not retried")
	assert.Contains(t, err.Error(), "cannot be rewound")
	var re *ResponseError
	assert.ErrorAs(t, err, &re, "the answer that made us want to retry is kept")
	assert.Equal(t, 1, rec.count())
}

type unseekable struct{ io.Reader }

func (unseekable) Seek(int64, int) (int64, error) { return 0, errors.New("not seekable") }

func TestUnseekableBodyIsRefused(t *testing.T) {
	rec := newRecorder(t, nil)
	c, _ := testClient(t, rec, nil, nil)
	_, err := c.PutBlob(context.Background(), "box", "b", unseekable{strings.NewReader("x")}, nil)
	require.ErrorContains(t, err, "must be seekable")
	assert.Equal(t, 0, rec.count())
}

func TestContextCancelStopsAtOnce(t *testing.T) {
	t.Run("while waiting for an answer", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		rec := newRecorder(t, func(int, http.ResponseWriter, *http.Request, []byte) { <-release })
		c, ns := testClient(t, rec, nil, nil)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for rec.count() == 0 {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}()
		err := c.DeleteBlob(ctx, "box", "b", nil)
		require.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "Delete Blob")
		assert.Equal(t, 1, rec.count())
		assert.Empty(t, ns.got(), "no backoff after cancellation")
	})
	t.Run("during backoff", func(t *testing.T) {
		rec := newRecorder(t, xmlAnswer(503, `<Error><Code>ServerBusy</Code></Error>`))
		c, _ := testClient(t, rec, nil, nil)
		ctx, cancel := context.WithCancel(context.Background())
		c.sleep = func(ctx context.Context, d time.Duration) error { cancel(); return sleepCtx(ctx, time.Hour) }
		err := c.DeleteBlob(ctx, "box", "b", nil)
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, rec.count())
	})
	t.Run("already cancelled", func(t *testing.T) {
		rec := newRecorder(t, nil)
		c, _ := testClient(t, rec, nil, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.PutBlob(ctx, "box", "b", nil, nil)
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 0, rec.count())
	})
}

func TestPerTryTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	rec := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		if n == 0 {
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	c, ns := testClient(t, rec, nil, &Options{Retry: RetryPolicy{TryTimeout: 300 * time.Millisecond}})
	require.NoError(t, c.DeleteBlob(context.Background(), "box", "b", nil))
	// The first try hangs and is abandoned; the retry is answered at once.
	// A loaded machine may also time out the retry (a third try), so the
	// count is a lower bound, and every try is the same request.
	n := rec.count()
	assert.GreaterOrEqual(t, n, 2)
	assert.Len(t, ns.got(), n-1, "one backoff between each pair of tries")
	ids := map[string]bool{}
	for _, r := range rec.requests() {
		ids[r.Header.Get("x-ms-client-request-id")] = true
	}
	assert.Len(t, ids, 1, "every try carries the same client request id")

	// Every try times out: the error says so.
	rec2 := newRecorder(t, func(int, http.ResponseWriter, *http.Request, []byte) {
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
	})
	c2, _ := testClient(t, rec2, nil, &Options{Retry: RetryPolicy{TryTimeout: 50 * time.Millisecond, MaxTries: 2}})
	err := c2.DeleteBlob(context.Background(), "box", "b", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "per-try timeout")
	assert.Contains(t, err.Error(), "gave up after 2 tries")
	// The server may see the second try after the client gave up on it.
	require.Eventually(t, func() bool { return rec2.count() >= 2 }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, 2, rec2.count(), "MaxTries 2: no third try")
}

// A streamed Get Blob body that keeps flowing must not be cut by the
// per-try timeout, even when the whole download takes longer.
func TestStreamedBodyOutlivesTryTimeout(t *testing.T) {
	// 30 bytes 30 ms apart: the body takes about 900 ms, longer than the
	// 600 ms per-try timeout, while no gap comes near it.
	const body = "abcdefghijklmnopqrstuvwxyz0123"
	rec := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set("ETag", `"e"`)
		w.WriteHeader(200)
		for i := range len(body) {
			w.Write([]byte{body[i]})
			w.(http.Flusher).Flush()
			time.Sleep(30 * time.Millisecond)
		}
	})
	const tryTimeout = 600 * time.Millisecond
	c, _ := testClient(t, rec, nil, &Options{Retry: RetryPolicy{TryTimeout: tryTimeout}})
	start := time.Now()
	res, err := c.GetBlob(context.Background(), "box", "b", nil)
	require.NoError(t, err)
	// The caller may be slow between reads: that does not count either.
	time.Sleep(tryTimeout + 100*time.Millisecond)
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Equal(t, body, string(b))
	assert.Equal(t, 1, rec.count(), "one request: the body was never cut and resumed")
	require.Greater(t, time.Since(start), tryTimeout, "the download must outlast the per-try timeout to prove anything")
}

// A body cut halfway resumes with a ranged, If-Match request; a body that
// stalls past the timeout resumes too.
func TestGetBlobResumes(t *testing.T) {
	for _, mode := range []string{"cut", "stall"} {
		t.Run(mode, func(t *testing.T) {
			release := make(chan struct{})
			defer close(release)
			rec := newRecorder(t, nil)
			var seen []http.Header
			rec.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = append(seen, r.Header.Clone())
				w.Header().Set("ETag", `"v1"`)
				if len(seen) == 1 {
					w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
					w.WriteHeader(200)
					w.Write(payload[:1000])
					w.(http.Flusher).Flush()
					if mode == "stall" {
						<-release
						return
					}
					conn, bufw, _ := w.(http.Hijacker).Hijack()
					bufw.Flush()
					conn.Close()
					return
				}
				w.Header().Set("Content-Range", "bytes 1000-"+strconv.Itoa(len(payload)-1)+"/"+strconv.Itoa(len(payload)))
				w.Header().Set("Content-Length", strconv.Itoa(len(payload)-1000))
				w.WriteHeader(206)
				w.Write(payload[1000:])
			})
			c, _ := testClient(t, rec, nil, &Options{Retry: RetryPolicy{TryTimeout: time.Second}})
			res, err := c.GetBlob(context.Background(), "box", "b", nil)
			require.NoError(t, err)
			b, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, payload, b)
			require.Len(t, seen, 2)
			assert.Equal(t, "bytes=1000-"+strconv.Itoa(len(payload)-1), seen[1].Get("x-ms-range"))
			assert.Equal(t, `"v1"`, seen[1].Get("If-Match"))
		})
	}
}

// A ranged request answered without a range must not hand back bytes
// from the wrong offset.
func TestGetBlobRangeIgnored(t *testing.T) {
	rec := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		io.WriteString(w, "whole blob")
	})
	c, _ := testClient(t, rec, nil, nil)
	_, err := c.GetBlob(context.Background(), "box", "b", &GetBlobOptions{Range: &HTTPRange{Offset: 5, Count: 2}})
	require.ErrorContains(t, err, "without a range")
}

// Raw HTTP check: the request line and headers of a retried PUT are
// those of a fresh request (new date, same client request id).
func TestRetryRefreshesDate(t *testing.T) {
	var dates []string
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request, _ []byte) {
		dates = append(dates, r.Header.Get("x-ms-date"))
		if n == 0 {
			w.WriteHeader(500)
			return
		}
		w.WriteHeader(201)
	})
	c, _ := testClient(t, rec, &fakeAuth{}, nil)
	c.sleep = func(ctx context.Context, d time.Duration) error { return sleepCtx(ctx, 1100*time.Millisecond) }
	_, err := c.PutBlob(context.Background(), "box", "b", nil, nil)
	require.NoError(t, err)
	require.Len(t, dates, 2)
	assert.NotEqual(t, dates[0], dates[1], "x-ms-date is made fresh for each try")
	for _, r := range rec.requests() {
		assert.Equal(t, "Fake PUT /devstoreaccount1/box/b "+r.Header.Get("x-ms-date"), r.Header.Get("Authorization"))
	}
}

// An upload that takes longer than TryTimeout but keeps making progress
// is not cut: the per-try clock measures time without progress.
func TestSlowUploadWithProgressIsNotCut(t *testing.T) {
	big := bytes.Repeat([]byte("z"), 32<<20)
	rec := newRecorder(t, nil)
	var got atomic.Int64
	rec.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 256<<10)
		for {
			n, err := io.ReadFull(r.Body, buf)
			got.Add(int64(n))
			if err != nil {
				break
			}
			// Slow for the first 24 MiB only: what sits in socket buffers
			// after the client's last read (several MiB on loopback) is
			// drained at once, so that tail is no long gap without progress.
			if got.Load() < int64(len(big))-8<<20 {
				time.Sleep(10 * time.Millisecond)
			}
		}
		w.WriteHeader(http.StatusCreated)
	})
	const tryTimeout = 400 * time.Millisecond
	c, ns := testClient(t, rec, nil, &Options{Retry: RetryPolicy{TryTimeout: tryTimeout, MaxTries: 1}})
	start := time.Now()
	_, err := c.PutBlock(context.Background(), "box", "b", "AAA=", bytes.NewReader(big), nil)
	require.NoError(t, err)
	assert.Equal(t, int64(len(big)), got.Load())
	assert.Empty(t, ns.got())
	took := time.Since(start)
	require.Greater(t, took, tryTimeout, "the upload must outlast the per-try timeout to prove anything")
	t.Logf("upload took %s with a %s per-try timeout", took, tryTimeout)
}
