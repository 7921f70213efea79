package emulatortest

import (
	"errors"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
)

// ErrNoNetwork is returned by a CountingTransport without a Base: the
// request was counted and never sent.
var ErrNoNetwork = errors.New("emulatortest: CountingTransport has no Base transport; the request was counted and not sent")

// CountingTransport is an http.RoundTripper that counts the requests it
// carries, in total and per "METHOD /path", and passes them to Base. With a
// nil Base it sends nothing and fails every request with ErrNoNetwork,
// which is how a test proves that bad input was refused before any network
// I/O: Count stays zero. The zero value is ready to use and safe for
// concurrent use.
type CountingTransport struct {
	// Base carries the requests; nil means none are sent.
	Base http.RoundTripper

	total atomic.Int64
	mu    sync.Mutex
	byKey map[string]int64
}

// RoundTrip counts req, then hands it to Base.
func (c *CountingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.total.Add(1)
	key := countKey(req.Method, req.URL.Path)
	c.mu.Lock()
	if c.byKey == nil {
		c.byKey = map[string]int64{}
	}
	c.byKey[key]++
	c.mu.Unlock()
	if c.Base == nil {
		if req.Body != nil {
			req.Body.Close() // RoundTrip must close the body, even on error
		}
		return nil, ErrNoNetwork
	}
	return c.Base.RoundTrip(req)
}

// Count is the number of requests seen.
func (c *CountingTransport) Count() int64 { return c.total.Load() }

// CountOf is the number of requests seen with this method and URL path
// (unescaped, as in url.URL.Path).
func (c *CountingTransport) CountOf(method, path string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byKey[countKey(method, path)]
}

// Counts returns a copy of the per "METHOD /path" counts.
func (c *CountingTransport) Counts() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.byKey))
	for k, v := range c.byKey {
		out[k] = v
	}
	return out
}

// Keys returns the "METHOD /path" keys seen, sorted, for failure messages.
func (c *CountingTransport) Keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.byKey))
	for k := range c.byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Reset zeroes the counters.
func (c *CountingTransport) Reset() {
	c.mu.Lock()
	c.byKey = nil
	c.total.Store(0)
	c.mu.Unlock()
}

func countKey(method, path string) string { return method + " " + path }

// NewCountingClient returns a client that never follows redirects, sending
// through a CountingTransport over base (nil base: nothing is sent).
func NewCountingClient(base http.RoundTripper) (*http.Client, *CountingTransport) {
	ct := &CountingTransport{Base: base}
	return &http.Client{
		Transport: ct,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, ct
}
