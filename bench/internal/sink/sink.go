// Package sink is a local HTTP server that reads and discards every request
// body and answers like Blob Storage would on success: the floor against
// which the clients' own costs are measured.
//
// It is not an emulator: it stores nothing, checks no signature, and answers
// every read (GET, HEAD) with 404 BlobNotFound, so that create-only writers
// see "does not exist yet" and write.
package sink

import (
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Sink is a running discard-everything server.
type Sink struct {
	// Endpoint is a path-style account endpoint, http://127.0.0.1:PORT/devstoreaccount1.
	Endpoint string

	srv      *http.Server
	ln       net.Listener
	requests atomic.Int64
	bytes    atomic.Int64
	bufs     sync.Pool
}

// Start listens on a free loopback port and serves until Close.
func Start() (*Sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Sink{
		Endpoint: "http://" + ln.Addr().String() + "/devstoreaccount1",
		ln:       ln,
	}
	s.bufs.New = func() any { b := make([]byte, 256<<10); return &b }
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server.
func (s *Sink) Close() error { return s.srv.Close() }

// Requests is the number of requests served so far.
func (s *Sink) Requests() int64 { return s.requests.Load() }

// Bytes is the number of request body bytes discarded so far.
func (s *Sink) Bytes() int64 { return s.bytes.Load() }

// A fixed ETag and date: the clients parse them, nobody compares them.
const (
	etag    = `"0x8DCAFEF00D00001"`
	lastMod = "Mon, 02 Jan 2006 15:04:05 GMT"
)

// ServeHTTP discards the body and answers success for writes, not found
// for reads.
func (s *Sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	bp := s.bufs.Get().(*[]byte)
	n, _ := io.CopyBuffer(w2r{}, r.Body, *bp)
	s.bufs.Put(bp)
	s.bytes.Add(n)
	h := w.Header()
	h.Set("x-ms-request-id", "00000000-0000-0000-0000-000000000000")
	h.Set("x-ms-version", r.Header.Get("x-ms-version"))
	if id := r.Header.Get("x-ms-client-request-id"); id != "" {
		h.Set("x-ms-client-request-id", id)
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.Set("x-ms-error-code", "BlobNotFound")
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusNotFound)
	case http.MethodDelete:
		w.WriteHeader(http.StatusAccepted)
	default:
		h.Set("ETag", etag)
		h.Set("Last-Modified", lastMod)
		h.Set("x-ms-request-server-encrypted", "true")
		if c := r.Header.Get("x-ms-content-crc64"); c != "" {
			h.Set("x-ms-content-crc64", c)
		}
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusCreated)
	}
}

// w2r is io.Discard without its ReaderFrom, so CopyBuffer uses our buffer.
type w2r struct{}

func (w2r) Write(p []byte) (int, error) { return len(p), nil }
