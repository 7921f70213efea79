package cli

import (
	"crypto/tls"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// SentCounter is an http.RoundTripper that reports request body bytes as
// they are handed to the network, so that an upload's progress shows what
// has actually been sent rather than what has been read from disk (the
// uploader reads each part once for its checksum before sending it).
// Bytes of a try that fails (transport error or a non-2xx answer) are taken
// back, so retries are not counted twice.
type SentCounter struct {
	Base http.RoundTripper
	fn   atomic.Pointer[func(int64)]
}

// NewHTTPClient returns the client the tool uses: its own transport
// (TLS 1.2 or later, connection reuse sized for parallel parts), wrapped by
// a SentCounter, and redirects never followed (restapi refuses them too;
// the credentials must only ever go to the configured endpoint).
func NewHTTPClient() (*http.Client, *SentCounter) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 90 * time.Second
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	sc := &SentCounter{Base: t}
	return &http.Client{
		Transport:     sc,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, sc
}

// OnSent sets (or with nil clears) the function receiving byte counts.
func (s *SentCounter) OnSent(fn func(int64)) {
	if fn == nil {
		s.fn.Store(nil)
		return
	}
	s.fn.Store(&fn)
}

func (s *SentCounter) report(n int64) {
	if p := s.fn.Load(); p != nil && n != 0 {
		(*p)(n)
	}
}

// RoundTrip implements http.RoundTripper.
func (s *SentCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	base := s.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if req.Body == nil || req.Body == http.NoBody || s.fn.Load() == nil {
		return base.RoundTrip(req)
	}
	cb := &countingBody{rc: req.Body, report: s.report}
	r2 := req.Clone(req.Context())
	r2.Body = cb
	// GetBody is used by the transport to resend on a dead keep-alive
	// connection; what it returns must be counted the same way.
	if req.GetBody != nil {
		r2.GetBody = func() (io.ReadCloser, error) {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			cb.restart(body)
			return cb, nil
		}
	}
	resp, err := base.RoundTrip(r2)
	if err != nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
		cb.takeBack()
	}
	return resp, err
}

// countingBody counts bytes read from a request body.
type countingBody struct {
	mu     sync.Mutex
	rc     io.ReadCloser
	n      int64
	report func(int64)
}

func (c *countingBody) Read(p []byte) (int, error) {
	c.mu.Lock()
	rc := c.rc
	c.mu.Unlock()
	n, err := rc.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.n += int64(n)
		c.mu.Unlock()
		c.report(int64(n))
	}
	return n, err
}

func (c *countingBody) Close() error {
	c.mu.Lock()
	rc := c.rc
	c.mu.Unlock()
	return rc.Close()
}

// restart switches to a fresh copy of the body, taking back what the
// abandoned one had counted.
func (c *countingBody) restart(rc io.ReadCloser) {
	c.takeBack()
	c.mu.Lock()
	c.rc = rc
	c.mu.Unlock()
}

func (c *countingBody) takeBack() {
	c.mu.Lock()
	n := c.n
	c.n = 0
	c.mu.Unlock()
	c.report(-n)
}
