package restapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// GetBlobOptions are the options of Get Blob and Get Blob Properties.
type GetBlobOptions struct {
	Range      *HTTPRange // Get Blob only; ignored by Get Blob Properties
	Conditions Conditions
}

// BlobProperties are a blob's system properties and metadata.
type BlobProperties struct {
	ContentLength int64 // bytes in this answer: the blob's size, or the range's for a ranged Get Blob
	ContentType   string
	ETag          string
	LastModified  time.Time
	CreationTime  time.Time
	ContentCRC64  []byte
	Metadata      map[string]string // names lower-cased (net/http canonicalises header names)
	VersionID     string
}

// GetBlobResult is what Get Blob returns.
type GetBlobResult struct {
	Body         io.ReadCloser // caller closes
	Properties   BlobProperties
	ContentRange string
	TotalSize    int64 // from Content-Range when ranged, else ContentLength
}

func propertiesFromHeaders(h http.Header) BlobProperties {
	p := BlobProperties{
		ContentLength: -1,
		ContentType:   h.Get(hdrContentType),
		ETag:          h.Get(hdrETag),
		LastModified:  parseHTTPTime(h.Get(hdrLastModified)),
		CreationTime:  parseHTTPTime(h.Get(hdrCreationTime)),
		ContentCRC64:  parseCRC64Header(h.Get(hdrContentCRC64)),
		Metadata:      metadataFromHeaders(h),
		VersionID:     h.Get(hdrVersionID),
	}
	if v := strings.TrimSpace(h.Get(hdrContentLength)); v != "" {
		if n, err := parseNonNegative(v); err == nil {
			p.ContentLength = n
		}
	}
	return p
}

// GetBlob starts downloading a blob (or a range of it). The body is
// streamed: the per-try timeout covers only the wait for the answer's
// headers, and a Read that receives nothing for TryTimeout fails.
//
// If the connection breaks mid-body, the body resumes transparently with a
// ranged request conditioned on the ETag of the first answer (If-Match), so
// the bytes can never come from two versions of the blob; it gives up
// after RetryPolicy.MaxTries resumptions. The caller must Close Body.
func (c *Client) GetBlob(ctx context.Context, container, blob string, opts *GetBlobOptions) (*GetBlobResult, error) {
	if err := validateContainerAndBlob(container, blob); err != nil {
		return nil, err
	}
	o := orZero(opts)
	var rng HTTPRange
	if o.Range != nil {
		rng = *o.Range
	}
	resp, err := c.getRange(ctx, container, blob, rng, o.Conditions)
	if err != nil {
		return nil, err
	}
	res := &GetBlobResult{
		Properties:   propertiesFromHeaders(resp.Header),
		ContentRange: resp.Header.Get(hdrContentRange),
	}
	res.TotalSize = res.Properties.ContentLength
	start := rng.Offset
	if res.ContentRange != "" {
		cr, err := parseContentRange(res.ContentRange)
		if err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("restapi: %s of blob %q in container %q: %w", opGetBlob, blob, container, err)
		}
		res.TotalSize = cr.Total
		start = cr.Start
	}
	end := int64(-1) // one past the last byte this body should deliver
	if res.Properties.ContentLength >= 0 {
		end = start + res.Properties.ContentLength
	}
	res.Body = &resumingBody{
		c: c, ctx: ctx, container: container, blob: blob,
		cur: resp.Body, pos: start, end: end,
		etag: res.Properties.ETag, resumesLeft: c.retry.MaxTries,
	}
	return res, nil
}

// getRange issues one Get Blob (with retries) and checks that a ranged
// request got a ranged answer.
func (c *Client) getRange(ctx context.Context, container, blob string, rng HTTPRange, cond Conditions) (*http.Response, error) {
	h := http.Header{}
	rh, err := rng.header()
	if err != nil {
		return nil, err
	}
	if rh != "" {
		h.Set(hdrRange, rh)
	}
	if err := setConditions(h, cond); err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, &call{
		op: opGetBlob, method: http.MethodGet, container: container, blob: blob,
		header: h, stream: true,
	})
	if err != nil {
		return nil, err
	}
	if rh != "" && resp.StatusCode != http.StatusPartialContent {
		resp.Body.Close()
		return nil, fmt.Errorf("restapi: %s of blob %q in container %q: asked for %s but the server answered %d without a range; refusing to return bytes from the wrong offset", opGetBlob, blob, container, rh, resp.StatusCode)
	}
	return resp, nil
}

// resumingBody is Get Blob's body: on a broken connection it re-requests
// the remaining bytes with If-Match on the original ETag.
type resumingBody struct {
	c               *Client
	ctx             context.Context
	container, blob string
	etag            string
	cur             io.ReadCloser
	pos             int64 // absolute offset of the next byte
	end             int64 // one past the last byte; -1 unknown
	resumesLeft     int
	closed          bool
}

func (b *resumingBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, errors.New("restapi: read from a closed Get Blob body")
	}
	for {
		n, err := b.cur.Read(p)
		b.pos += int64(n)
		if err == nil {
			return n, nil
		}
		if err == io.EOF {
			if b.end >= 0 && b.pos < b.end {
				err = io.ErrUnexpectedEOF
			} else {
				return n, io.EOF
			}
		}
		if b.end >= 0 && b.pos > b.end {
			return n, fmt.Errorf("restapi: %s of blob %q: the server sent more bytes than announced", opGetBlob, b.blob)
		}
		if !b.resumable(err) {
			return n, err
		}
		if rerr := b.resume(); rerr != nil {
			return n, fmt.Errorf("restapi: %s of blob %q in container %q: reading the body failed at offset %d (%v) and resuming failed: %w", opGetBlob, b.blob, b.container, b.pos, err, rerr)
		}
		if n > 0 {
			return n, nil
		}
	}
}

func (b *resumingBody) resumable(err error) bool {
	if b.ctx.Err() != nil || b.resumesLeft <= 0 || b.end < 0 || b.etag == "" {
		return false
	}
	return retryableTransportError(err)
}

func (b *resumingBody) resume() error {
	b.resumesLeft--
	b.cur.Close()
	b.cur = eofReader{}
	if b.pos == b.end {
		return nil
	}
	c := b.c
	if err := c.sleep(b.ctx, c.retry.backoff(2)); err != nil {
		return err
	}
	resp, err := c.getRange(b.ctx, b.container, b.blob, HTTPRange{Offset: b.pos, Count: b.end - b.pos}, Conditions{IfMatch: b.etag})
	if err != nil {
		return err
	}
	cr, err := parseContentRange(resp.Header.Get(hdrContentRange))
	if err != nil || cr.Start != b.pos {
		resp.Body.Close()
		return fmt.Errorf("resumed answer starts at %d, wanted %d", cr.Start, b.pos)
	}
	b.cur = resp.Body
	return nil
}

func (b *resumingBody) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	return b.cur.Close()
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
func (eofReader) Close() error             { return nil }

// GetBlobProperties returns a blob's properties and metadata (HEAD). A HEAD
// answer has no body, so errors carry only the status and x-ms-error-code.
func (c *Client) GetBlobProperties(ctx context.Context, container, blob string, opts *GetBlobOptions) (*BlobProperties, error) {
	if err := validateContainerAndBlob(container, blob); err != nil {
		return nil, err
	}
	h := http.Header{}
	if opts != nil {
		if err := setConditions(h, opts.Conditions); err != nil {
			return nil, err
		}
	}
	resp, err := c.do(ctx, &call{
		op: opGetBlobProperties, method: http.MethodHead, container: container, blob: blob,
		header: h,
	})
	if err != nil {
		return nil, err
	}
	p := propertiesFromHeaders(resp.Header)
	if p.ContentLength < 0 && resp.ContentLength >= 0 {
		p.ContentLength = resp.ContentLength
	}
	return &p, nil
}
