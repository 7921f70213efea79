package restapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// call describes one operation; do turns it into one or more tries.
type call struct {
	op        string // operation name for errors and logs, e.g. "Put Blob"
	method    string
	container string // "" for account-level operations
	blob      string // "" for container-level operations
	query     url.Values
	header    http.Header // op-specific headers; per-try ones are added by do

	// At most one body source:
	body      io.ReadSeeker                             // rewound before every try
	bodyBytes func(ctx context.Context) ([]byte, error) // rebuilt for every try (Blob Batch re-signs its sub-requests)

	// stream returns a 2xx response with its body open; the per-try
	// timeout then covers only the wait for headers, and a body read that
	// stalls for longer than TryTimeout fails.
	stream bool
	// handle consumes a 2xx response inside the try, so a body that is
	// cut short or stalls is retried like any transport failure.
	handle func(resp *http.Response) error

	clientRequestID string // set by do; the same on every try
	lastURL         string // the URL of the last try, as authorized (may hold a SAS)
}

// errTryTimeout is the cancellation cause when a try exceeds TryTimeout.
var errTryTimeout = errors.New("per-try timeout")

// errBodyStalled is the cancellation cause when a streamed body delivers
// nothing for TryTimeout.
var errBodyStalled = errors.New("response body stalled")

// bodyReadError marks a failure while reading a 2xx body: retryable.
type bodyReadError struct{ err error }

func (e *bodyReadError) Error() string { return "reading response body: " + e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }

// readBody reads a 2xx body inside handle, bounded by limit. Read failures
// are retryable; exceeding the limit is not.
func readBody(cl *call, resp *http.Response, limit int64) ([]byte, error) {
	b, err := readLimited(cl.op, resp.Body, limit)
	if err != nil {
		var tl *BodyTooLargeError
		if errors.As(err, &tl) {
			return nil, err
		}
		return nil, &bodyReadError{err: err}
	}
	return b, nil
}

// do runs cl with retries and returns the final 2xx response. For
// non-stream calls the body has been consumed by cl.handle and closed.
func (c *Client) do(ctx context.Context, cl *call) (*http.Response, error) {
	if cl.clientRequestID == "" {
		cl.clientRequestID = uuid.NewString()
	}
	if err := ctx.Err(); err != nil {
		return nil, c.ctxError(cl, err, ctx)
	}
	var src *rewindableBody
	if cl.body != nil {
		var err error
		if src, err = newRewindableBody(cl.body); err != nil {
			return nil, fmt.Errorf("restapi: %s%s: %w", cl.op, cl.where(), err)
		}
		defer src.release()
	}
	u := c.ep.resourceURL(cl.container, cl.blob)
	u.RawQuery = encodeQuery(cl.query)

	for try := 1; ; try++ {
		resp, retryHeader, retry, err := c.attempt(ctx, cl, u, src, try)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, c.ctxError(cl, ctx.Err(), ctx)
		}
		if !retry || try >= c.retry.MaxTries {
			return nil, c.finalError(cl, err, try, retry)
		}
		delay := c.retry.retryDelay(try+1, retryHeader, time.Now())
		if err := c.sleep(ctx, delay); err != nil {
			return nil, c.ctxError(cl, err, ctx)
		}
		if src != nil {
			// Rewind now, so a body that cannot be rewound stops the
			// retries with the failure that made us retry.
			if _, err2 := src.next(); err2 != nil {
				return nil, c.finalError(cl, fmt.Errorf("%w (not retried: %v)", err, err2), try, false)
			}
		}
	}
}

// attempt performs one try. retryHeader carries the server's headers when
// the answer may ask for a delay.
func (c *Client) attempt(ctx context.Context, cl *call, u *url.URL, src *rewindableBody, try int) (resp *http.Response, retryHeader http.Header, retry bool, err error) {
	tryCtx, cancel := context.WithCancelCause(ctx)
	var timer *time.Timer
	handedOff := false
	defer func() {
		if !handedOff {
			if timer != nil {
				timer.Stop()
			}
			cancel(nil)
		}
	}()

	req, err := c.newRequest(ctx, tryCtx, cl, u, src, try)
	if err != nil {
		return nil, nil, false, err
	}
	reqURL := req.URL.String()
	cl.lastURL = reqURL

	// The per-try clock starts now: getting a token (inside Authorize) has
	// its own deadlines and is not an HTTP exchange with the service.
	timer = time.AfterFunc(c.retry.TryTimeout, func() { cancel(errTryTimeout) })
	if src != nil {
		// While the body is being sent, the clock measures time without
		// progress: a large block on a slow link is not a stalled try.
		src.setProgress(func() { timer.Reset(c.retry.TryTimeout) })
		defer src.setProgress(nil)
	}
	start := time.Now()
	resp, err = c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, which an Authorizer may have given a SAS
		}
		if ctx.Err() != nil {
			return nil, nil, false, ctx.Err()
		}
		if context.Cause(tryCtx) == errTryTimeout {
			err = fmt.Errorf("no answer within the per-try timeout of %s", c.retry.TryTimeout)
		}
		c.logTry(ctx, cl, reqURL, try, 0, "", time.Since(start), err)
		return nil, nil, retryableTransportError(err) || context.Cause(tryCtx) == errTryTimeout, err
	}

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if cl.stream {
			timer.Stop()
			handedOff = true
			resp.Body = newStreamBody(resp.Body, cancel, c.retry.TryTimeout)
			c.logTry(ctx, cl, reqURL, try, resp.StatusCode, resp.Header.Get(hdrRequestID), time.Since(start), nil)
			return resp, nil, false, nil
		}
		var herr error
		if cl.handle != nil {
			herr = cl.handle(resp)
		}
		drainAndClose(resp.Body)
		if herr != nil {
			if ctx.Err() != nil {
				return nil, nil, false, ctx.Err()
			}
			var bre *bodyReadError
			retryable := errors.As(herr, &bre)
			if context.Cause(tryCtx) == errTryTimeout {
				herr = fmt.Errorf("response body not read within the per-try timeout of %s", c.retry.TryTimeout)
				retryable = true
			}
			c.logTry(ctx, cl, reqURL, try, resp.StatusCode, resp.Header.Get(hdrRequestID), time.Since(start), herr)
			return nil, nil, retryable, herr
		}
		c.logTry(ctx, cl, reqURL, try, resp.StatusCode, resp.Header.Get(hdrRequestID), time.Since(start), nil)
		return resp, nil, false, nil
	}

	// Not 2xx: read the (bounded) error body and map it.
	var body []byte
	if cl.method != http.MethodHead {
		body, _ = readLimited(cl.op, resp.Body, errorBodyLimit)
	}
	drainAndClose(resp.Body)
	rerr := newResponseError(cl, resp, body, reqURL)
	c.logTry(ctx, cl, reqURL, try, resp.StatusCode, rerr.RequestID, time.Since(start), rerr)
	return nil, resp.Header, retryableStatus(resp.StatusCode), rerr
}

// newRequest builds one try's request: the op's headers, then the per-try
// ones, then authorization last so it covers the final headers.
//
// ctx is the operation's context (used by the Authorizer and by batch
// sub-request signing); tryCtx, which the per-try timeout cancels, is the
// request's.
func (c *Client) newRequest(ctx, tryCtx context.Context, cl *call, u *url.URL, src *rewindableBody, try int) (*http.Request, error) {
	req, err := http.NewRequestWithContext(tryCtx, cl.method, c.ep.base, nil)
	if err != nil {
		return nil, fmt.Errorf("restapi: %s%s: building request: %w", cl.op, cl.where(), err)
	}
	uu := *u
	req.URL = &uu
	req.Host = u.Host
	if cl.header != nil {
		req.Header = cl.header.Clone()
	}

	switch {
	case src != nil:
		req.ContentLength = src.size
		if src.size == 0 {
			req.Body = http.NoBody
		} else {
			if try == 1 {
				rc, err := src.next()
				if err != nil {
					return nil, fmt.Errorf("restapi: %s%s: %w", cl.op, cl.where(), err)
				}
				req.Body = rc
			} else {
				// do rewound it already (so a failed rewind stops retries).
				src.mu.Lock()
				req.Body = src.cur
				src.mu.Unlock()
			}
			// Lets net/http replay the body itself when a reused
			// connection turns out to be dead before anything was sent.
			req.GetBody = src.next
		}
	case cl.bodyBytes != nil:
		b, err := cl.bodyBytes(ctx)
		if err != nil {
			return nil, fmt.Errorf("restapi: %s%s: %w", cl.op, cl.where(), err)
		}
		req.ContentLength = int64(len(b))
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		if len(b) == 0 {
			req.Body = http.NoBody
		}
	}

	h := req.Header
	h.Set(hdrVersion, c.version)
	h.Set(hdrDate, httpDate(time.Now()))
	h.Set(hdrClientRequestID, cl.clientRequestID)
	h.Set(hdrUserAgent, c.userAgent)
	// Explicit identity: otherwise net/http asks for gzip and silently
	// inflates a blob stored with Content-Encoding: gzip.
	h.Set(hdrAcceptEncoding, "identity")

	if c.auth != nil {
		if err := c.auth.Authorize(ctx, req); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("restapi: %s%s: authorizing the request: %w", cl.op, cl.where(), err)
		}
		// The Authorizer must not redirect the request: credentials go
		// only to the configured endpoint.
		if !strings.EqualFold(req.URL.Host, c.ep.host) || req.URL.Scheme != c.ep.scheme || (req.Host != "" && !strings.EqualFold(req.Host, c.ep.host)) {
			return nil, fmt.Errorf("restapi: %s%s: the Authorizer changed the request's destination; credentials are only sent to %s", cl.op, cl.where(), c.ep.base)
		}
		if c.ep.scheme == "http" && strings.HasPrefix(strings.ToLower(strings.TrimSpace(req.Header.Get(hdrAuthorization))), "bearer ") {
			return nil, fmt.Errorf("restapi: %s%s: refusing to send a bearer token over plain http; use an https endpoint", cl.op, cl.where())
		}
	}
	return req, nil
}

// where names the resource for error messages.
func (cl *call) where() string {
	if r := resourcePhrase(cl.container, cl.blob); r != "" {
		return " " + r
	}
	return ""
}

func (c *Client) ctxError(cl *call, err error, ctx context.Context) error {
	if cause := context.Cause(ctx); cause != nil && cause != err {
		return fmt.Errorf("restapi: %s%s: stopped: %w (%v)", cl.op, cl.where(), err, cause)
	}
	return fmt.Errorf("restapi: %s%s: stopped: %w", cl.op, cl.where(), err)
}

// finalError shapes the error returned after the last try. Response
// errors are returned as they are (callers use errors.As / errors.Is).
func (c *Client) finalError(cl *call, err error, tries int, wasRetryable bool) error {
	var re *ResponseError
	if errors.As(err, &re) {
		return err
	}
	if strings.HasPrefix(err.Error(), "restapi: ") {
		return err
	}
	suffix := ""
	if wasRetryable && tries > 1 {
		suffix = fmt.Sprintf(" (gave up after %d tries)", tries)
	} else if tries > 1 {
		suffix = fmt.Sprintf(" (on try %d)", tries)
	}
	return fmt.Errorf("restapi: %s%s: %s %s: %w%s", cl.op, cl.where(), cl.method, c.redactedURL(cl), err, suffix)
}

func (c *Client) redactedURL(cl *call) string {
	if cl.lastURL != "" {
		return RedactURL(cl.lastURL)
	}
	u := c.ep.resourceURL(cl.container, cl.blob)
	u.RawQuery = encodeQuery(cl.query)
	return RedactURL(u.String())
}

// encodeQuery encodes parameters sorted by key, with %20 for spaces.
func encodeQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(escapeQuery(k))
			b.WriteByte('=')
			b.WriteString(escapeQuery(v))
		}
	}
	return b.String()
}

// drainAndClose reads a little of what is left so the connection can be
// reused, then closes. The read is bounded: a huge or endless body is
// cut off and its connection dropped instead.
func drainAndClose(rc io.ReadCloser) {
	if rc == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, rc, drainLimit)
	_ = rc.Close()
}

// logTry writes one debug record per try. Never headers: they carry
// Authorization and x-ms-copy-source.
func (c *Client) logTry(ctx context.Context, cl *call, reqURL string, try, status int, requestID string, d time.Duration, err error) {
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("op", cl.op),
		slog.String("method", cl.method),
		slog.String("url", RedactURL(reqURL)),
		slog.Int("try", try),
		slog.Int("status", status),
		slog.String("request_id", requestID),
		slog.String("client_request_id", cl.clientRequestID),
		slog.Duration("duration", d),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", RedactText(err.Error())))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "restapi: try", attrs...)
}
