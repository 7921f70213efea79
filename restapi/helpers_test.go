package restapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// seenRequest is what a test server recorded about one request.
type seenRequest struct {
	Method     string
	Path       string // escaped, as on the wire
	RawQuery   string
	Header     http.Header
	RawHeaders map[string]string // header names exactly as sent (lower-cased) → value
	Body       []byte
	Host       string
}

// recorder is an httptest server that records requests and answers with
// a per-request function.
type recorder struct {
	mu     sync.Mutex
	reqs   []seenRequest
	srv    *httptest.Server
	answer func(n int, w http.ResponseWriter, r *http.Request, body []byte)
}

func newRecorder(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request, body []byte)) *recorder {
	t.Helper()
	rec := &recorder{answer: answer}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		raw := map[string]string{}
		for k, v := range r.Header {
			raw[strings.ToLower(k)] = strings.Join(v, ",")
		}
		rec.mu.Lock()
		n := len(rec.reqs)
		rec.reqs = append(rec.reqs, seenRequest{
			Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
			Header: r.Header.Clone(), RawHeaders: raw, Body: body, Host: r.Host,
		})
		rec.mu.Unlock()
		if rec.answer != nil {
			rec.answer(n, w, r, body)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (r *recorder) requests() []seenRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seenRequest(nil), r.reqs...)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

// endpoint returns a path-style endpoint on the test server.
func (r *recorder) endpoint() string { return r.srv.URL + "/devstoreaccount1" }

// fakeAuth signs with a deterministic fake: it records the header names
// present when it ran, and sets Authorization from the method, path,
// x-ms-date and Content-Length so a test can check it ran last.
type fakeAuth struct {
	mu    sync.Mutex
	calls int
	seen  []string // header names at the time of the last call
}

func (a *fakeAuth) Authorize(_ context.Context, req *http.Request) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls++
	a.seen = a.seen[:0]
	for k := range req.Header {
		a.seen = append(a.seen, strings.ToLower(k))
	}
	sort.Strings(a.seen)
	req.Header.Set("Authorization", "Fake "+req.Method+" "+req.URL.EscapedPath()+" "+req.Header.Get("x-ms-date"))
	return nil
}

// noSleep records requested delays without waiting.
type noSleep struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (s *noSleep) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.delays = append(s.delays, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *noSleep) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.delays...)
}

// testClient builds a client on the recorder with fast, observed sleeps.
func testClient(t *testing.T, rec *recorder, auth Authorizer, opts *Options) (*Client, *noSleep) {
	t.Helper()
	c, err := NewClient(rec.endpoint(), auth, opts)
	require.NoError(t, err)
	ns := &noSleep{}
	c.sleep = ns.sleep
	return c, ns
}

func xmlAnswer(status int, body string) func(int, http.ResponseWriter, *http.Request, []byte) {
	return func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}
