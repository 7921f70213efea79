package conformance

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// Op is a Blob REST operation as seen on the wire.
type Op string

// The operations the suite tells apart.
const (
	OpPutBlob           Op = "Put Blob"
	OpPutBlock          Op = "Put Block"
	OpPutBlockFromURL   Op = "Put Block From URL"
	OpPutBlockList      Op = "Put Block List"
	OpGetBlockList      Op = "Get Block List"
	OpListBlobs         Op = "List Blobs"
	OpGetBlob           Op = "Get Blob"
	OpGetBlobProperties Op = "Get Blob Properties"
	OpDeleteBlob        Op = "Delete Blob"
	OpBatch             Op = "Blob Batch"
	OpContainer         Op = "Container"
	OpUserDelegationKey Op = "Get User Delegation Key"
	OpOther             Op = "Other"
)

// Classify names the Blob REST operation req performs, from its method,
// its comp/restype query parameters and x-ms-copy-source.
func Classify(req *http.Request) Op {
	q := req.URL.Query()
	comp := q.Get("comp")
	switch {
	case comp == "batch":
		return OpBatch
	case comp == "userdelegationkey":
		return OpUserDelegationKey
	case comp == "list":
		return OpListBlobs
	case comp == "blocklist" && req.Method == http.MethodPut:
		return OpPutBlockList
	case comp == "blocklist":
		return OpGetBlockList
	case comp == "block" && req.Header.Get("x-ms-copy-source") != "":
		return OpPutBlockFromURL
	case comp == "block":
		return OpPutBlock
	case q.Get("restype") == "container":
		return OpContainer
	case comp != "":
		return OpOther
	}
	switch req.Method {
	case http.MethodPut:
		if req.Header.Get("x-ms-copy-source") != "" {
			return OpOther // Copy Blob / Put Blob From URL
		}
		return OpPutBlob
	case http.MethodGet:
		return OpGetBlob
	case http.MethodHead:
		return OpGetBlobProperties
	case http.MethodDelete:
		return OpDeleteBlob
	}
	return OpOther
}

// Hooks let a scenario act on the wire. Both run concurrently from every
// goroutine the handler uses, so they must be safe for concurrent use.
type Hooks struct {
	// BeforeSend runs before a request is sent. A non-nil error is
	// returned from RoundTrip: the request never reaches the store.
	BeforeSend func(req *http.Request, op Op) error
	// AfterAnswer runs once the store has answered (status and headers
	// known, body unread). A non-nil error makes RoundTrip discard the
	// answer and return the error: the store acted, but the client never
	// learns the outcome.
	AfterAnswer func(req *http.Request, op Op, resp *http.Response) error
}

// Recorder is an http.RoundTripper that counts Blob REST requests by
// operation, notices retries (a repeated x-ms-client-request-id) and runs
// Hooks. It is safe for concurrent use.
type Recorder struct {
	base  http.RoundTripper
	hooks Hooks

	mu       sync.Mutex
	sent     map[Op]int
	ok       map[Op]int
	status   map[int]int
	failed   int // transport errors (including injected ones)
	total    int
	seenIDs  map[string]bool
	repeated int
	errKinds map[string]int // transport error messages, a few kinds
}

// NewRecorder wraps base (nil means http.DefaultTransport).
func NewRecorder(base http.RoundTripper, hooks Hooks) *Recorder {
	if base == nil {
		base = http.DefaultTransport
	}
	return &Recorder{
		base:     base,
		hooks:    hooks,
		sent:     map[Op]int{},
		ok:       map[Op]int{},
		status:   map[int]int{},
		seenIDs:  map[string]bool{},
		errKinds: map[string]int{},
	}
}

// RoundTrip implements http.RoundTripper.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	op := Classify(req)
	r.mu.Lock()
	r.total++
	r.sent[op]++
	if id := req.Header.Get("x-ms-client-request-id"); id != "" {
		if r.seenIDs[id] {
			r.repeated++
		}
		r.seenIDs[id] = true
	}
	r.mu.Unlock()

	if r.hooks.BeforeSend != nil {
		if err := r.hooks.BeforeSend(req, op); err != nil {
			if req.Body != nil {
				req.Body.Close() // a RoundTripper always closes the body
			}
			r.count(func() { r.failed++ })
			return nil, err
		}
	}
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		r.count(func() {
			r.failed++
			if k := errKind(err); r.errKinds[k] > 0 || len(r.errKinds) < 8 {
				r.errKinds[k]++
			}
		})
		return nil, err
	}
	if r.hooks.AfterAnswer != nil {
		if herr := r.hooks.AfterAnswer(req, op, resp); herr != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			r.count(func() { r.failed++ })
			return nil, herr
		}
	}
	r.count(func() {
		r.status[resp.StatusCode]++
		if resp.StatusCode/100 == 2 {
			r.ok[op]++
		}
	})
	return resp, nil
}

func (r *Recorder) count(f func()) {
	r.mu.Lock()
	f()
	r.mu.Unlock()
}

// Total is the number of requests the handler has tried to send,
// including ones a hook failed before they left.
func (r *Recorder) Total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}

// Sent is the number of requests of one operation tried so far.
func (r *Recorder) Sent(op Op) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent[op]
}

// Succeeded is the number of 2xx answers the handler received for op.
func (r *Recorder) Succeeded(op Op) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ok[op]
}

// Retries is the number of requests that reused an
// x-ms-client-request-id already sent, i.e. retries of one operation by the
// client's pipeline (clients that keep the id across tries, as Azure SDKs
// and restapi do).
func (r *Recorder) Retries() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.repeated
}

// Summary is a one-line account of the traffic: total, retries, transport
// errors, per-operation counts and per-status counts.
func (r *Recorder) Summary() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := make([]string, 0, len(r.sent))
	for op, n := range r.sent {
		ops = append(ops, fmt.Sprintf("%s=%d", op, n))
	}
	sort.Strings(ops)
	codes := make([]int, 0, len(r.status))
	for c := range r.status {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	st := make([]string, 0, len(codes))
	for _, c := range codes {
		st = append(st, fmt.Sprintf("%d=%d", c, r.status[c]))
	}
	errs := make([]string, 0, len(r.errKinds))
	for k, n := range r.errKinds {
		errs = append(errs, fmt.Sprintf("%q=%d", k, n))
	}
	sort.Strings(errs)
	out := fmt.Sprintf("requests=%d retries=%d transport-errors=%d ops[%s] status[%s]",
		r.total, r.repeated, r.failed, strings.Join(ops, " "), strings.Join(st, " "))
	if len(errs) > 0 {
		out += " errors[" + strings.Join(errs, " ") + "]"
	}
	return out
}

// errKind shortens a transport error to its innermost message (without
// addresses), to group errors in Summary.
func errKind(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			break
		}
		err = u
	}
	return err.Error()
}

// ErrInjectedReset is what a hook returns to look like a connection reset
// by the peer: the shape (a *net.OpError around ECONNRESET) real resets
// have, so a client's retry classification treats it as it would a real one.
var ErrInjectedReset error = &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}

// ErrInjectedRefused looks like a connection refused before anything was
// sent.
var ErrInjectedRefused error = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}

// blobPath returns the part of req's path after "/<container>/", and
// whether the request targets a blob in that container. It works for both
// path-style (/account/container/blob) and host-style (/container/blob)
// endpoints.
func blobPath(req *http.Request, container string) (string, bool) {
	p := req.URL.Path
	marker := "/" + container + "/"
	i := strings.Index(p, marker)
	if i < 0 {
		return "", false
	}
	// The container must be the first or second path segment.
	if strings.Count(p[:i], "/") > 1 {
		return "", false
	}
	return p[i+len(marker):], true
}
