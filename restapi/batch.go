package restapi

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// MaxBatchSize is the most sub-requests one Blob Batch may carry.
const MaxBatchSize = 256

// BatchDeleteResult is the outcome of one sub-request of a Blob Batch delete.
type BatchDeleteResult struct {
	Blob       string
	StatusCode int   // 202 on success; 0 when the answer had no entry for this blob
	Err        error // *ResponseError when the sub-request failed (errors.Is(Err, ErrNotFound) for a blob already gone)
}

// BatchDeleteBlobs deletes up to 256 blobs of one container in one Blob
// Batch request (POST <container>?restype=container&comp=batch).
//
// Each sub-request is "DELETE <blob path> HTTP/1.1" with its own x-ms-date,
// "Content-Length: 0" and an Authorization header made by calling the
// Client's Authorizer on a synthetic *http.Request: method DELETE, URL the
// full blob URL (BlobURL), ContentLength 0, and only an x-ms-date header.
// The sub-requests carry no x-ms-version: the batch's applies to all.
// The request line's path is the blob URL's escaped path, account segment
// included for path-style endpoints: Azurite refuses ("Request from a
// different container") a sub-request whose path does not start with the
// batch request's own path, /<account>/<container> there.
// The whole body is rebuilt and re-signed for every try.
//
// The error is non-nil only when the batch as a whole failed. Per-blob
// failures are in the results, in the order of blobs. A retried batch can
// report 404 for blobs the lost first try deleted.
func (c *Client) BatchDeleteBlobs(ctx context.Context, container string, blobs []string) ([]BatchDeleteResult, error) {
	if err := validateContainerName(container); err != nil {
		return nil, err
	}
	if len(blobs) == 0 {
		return nil, fmt.Errorf("restapi: %s: no blobs given", opBlobBatch)
	}
	if len(blobs) > MaxBatchSize {
		return nil, fmt.Errorf("restapi: %s: %d blobs; one batch takes at most %d, split the list", opBlobBatch, len(blobs), MaxBatchSize)
	}
	for _, b := range blobs {
		if err := validateBlobName(b); err != nil {
			return nil, err
		}
	}
	boundary := "batch_" + uuid.NewString()
	h := http.Header{}
	h.Set(hdrContentType, "multipart/mixed; boundary="+boundary)

	var results []BatchDeleteResult
	cl := &call{
		op: opBlobBatch, method: http.MethodPost, container: container,
		query:  url.Values{"restype": {"container"}, "comp": {"batch"}},
		header: h,
		bodyBytes: func(ctx context.Context) ([]byte, error) {
			return c.batchDeleteBody(ctx, boundary, container, blobs)
		},
	}
	cl.handle = func(resp *http.Response) error {
		body, err := readBody(cl, resp, batchBodyLimit)
		if err != nil {
			return err
		}
		parts, err := parseBatchResponse(resp.Header.Get(hdrContentType), body)
		if err != nil {
			return fmt.Errorf("restapi: %s of container %q: %w", opBlobBatch, container, err)
		}
		results, err = c.batchResults(cl, container, blobs, parts)
		return err
	}
	if _, err := c.do(ctx, cl); err != nil {
		return nil, err
	}
	return results, nil
}

// batchDeleteBody builds the multipart/mixed body, authorizing each
// sub-request.
func (c *Client) batchDeleteBody(ctx context.Context, boundary, container string, blobs []string) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(blobs) * 400)
	date := httpDate(time.Now())
	for i, blob := range blobs {
		u := c.ep.resourceURL(container, blob)
		req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.ep.base, nil)
		if err != nil {
			return nil, err
		}
		req.URL = u
		req.Host = u.Host
		req.ContentLength = 0
		req.Header.Set(hdrDate, date)
		if c.auth != nil {
			if err := c.auth.Authorize(ctx, req); err != nil {
				return nil, fmt.Errorf("authorizing the sub-request for blob %q: %w", blob, err)
			}
			if !strings.EqualFold(req.URL.Host, c.ep.host) || req.URL.Scheme != c.ep.scheme {
				return nil, fmt.Errorf("the Authorizer changed the sub-request's destination; credentials are only sent to %s", c.ep.base)
			}
		}
		target := req.URL.EscapedPath()
		if req.URL.RawQuery != "" {
			target += "?" + req.URL.RawQuery
		}
		fmt.Fprintf(&b, "--%s\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: %d\r\n\r\n", boundary, i)
		fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", http.MethodDelete, target)
		keys := make([]string, 0, len(req.Header))
		for k := range req.Header {
			if strings.EqualFold(k, hdrContentLength) {
				continue
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range req.Header[k] {
				if strings.ContainsAny(k, "\r\n: ") || strings.ContainsAny(v, "\r\n") {
					return nil, fmt.Errorf("sub-request header %q has a line break or bad name", k)
				}
				fmt.Fprintf(&b, "%s: %s\r\n", k, v)
			}
		}
		b.WriteString("Content-Length: 0\r\n\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes(), nil
}

// batchPart is one sub-response of a batch answer.
type batchPart struct {
	contentID int // -1 when the part has no Content-ID
	status    int
	header    http.Header
	body      []byte
}

const maxBatchParts = 2 * MaxBatchSize

// parseBatchResponse splits a multipart/mixed Blob Batch answer into its
// sub-responses. It is deliberately tolerant of the blank line Azure and
// Azurite leave out before a delimiter when a sub-response has no body, and
// strict about everything that would make the mapping ambiguous.
func parseBatchResponse(contentType string, body []byte) ([]batchPart, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/mixed" {
		return nil, fmt.Errorf("batch answer has Content-Type %q, not multipart/mixed", truncate(contentType, 100))
	}
	boundary := params["boundary"]
	if boundary == "" || len(boundary) > 200 {
		return nil, errors.New("batch answer's Content-Type has no usable boundary")
	}
	delim := []byte("--" + boundary)
	start := bytes.Index(body, delim)
	if start < 0 || (start > 0 && body[start-1] != '\n') {
		return nil, errors.New("batch answer does not contain its boundary")
	}
	rest := body[start+len(delim):]
	nlDelim := append([]byte("\n"), delim...)
	var parts []batchPart
	for {
		if bytes.HasPrefix(rest, []byte("--")) {
			break // closing delimiter
		}
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			return nil, errors.New("batch answer is truncated after a boundary")
		}
		rest = rest[nl+1:]
		end := bytes.Index(rest, nlDelim)
		if end < 0 {
			return nil, errors.New("batch answer is truncated: no closing boundary")
		}
		raw := bytes.TrimSuffix(rest[:end], []byte("\r"))
		rest = rest[end+len(nlDelim):]
		if len(parts) >= maxBatchParts {
			return nil, fmt.Errorf("batch answer has more than %d parts", maxBatchParts)
		}
		p, err := parseBatchPart(raw)
		if err != nil {
			return nil, fmt.Errorf("batch answer part %d: %w", len(parts), err)
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return nil, errors.New("batch answer has no parts")
	}
	return parts, nil
}

// parseBatchPart reads one part: MIME headers, a blank line, then an
// HTTP/1.1 response.
func parseBatchPart(raw []byte) (batchPart, error) {
	p := batchPart{contentID: -1}
	head, httpResp, ok := cutBlankLine(raw)
	if !ok {
		return p, errors.New("no blank line after the part headers")
	}
	for _, line := range strings.Split(string(head), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return p, fmt.Errorf("malformed part header line %q", truncate(line, 80))
		}
		if strings.EqualFold(strings.TrimSpace(k), "Content-ID") {
			id, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || id < 0 {
				return p, fmt.Errorf("Content-ID %q is not a non-negative number", truncate(v, 40))
			}
			p.contentID = id
		}
	}
	// A sub-response without a body may end right after its last header.
	if _, _, ok := cutBlankLine(httpResp); !ok {
		httpResp = append(bytes.TrimRight(httpResp, "\r\n"), "\r\n\r\n"...)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(httpResp)), nil)
	if err != nil {
		return p, fmt.Errorf("sub-response is not an HTTP response: %v", err)
	}
	defer resp.Body.Close()
	p.status = resp.StatusCode
	p.header = resp.Header
	// A short body (Content-Length larger than what is there) keeps what arrived.
	p.body, _ = io.ReadAll(io.LimitReader(resp.Body, errorBodyLimit))
	return p, nil
}

// cutBlankLine splits b at the first empty line (CRLF CRLF or LF LF).
func cutBlankLine(b []byte) (before, after []byte, ok bool) {
	i := bytes.Index(b, []byte("\r\n\r\n"))
	j := bytes.Index(b, []byte("\n\n"))
	switch {
	case i >= 0 && (j < 0 || i < j):
		return b[:i], b[i+4:], true
	case j >= 0:
		return b[:j], b[j+2:], true
	}
	return b, nil, false
}

// batchResults maps parts to blobs by Content-ID (or position when the
// answer has no Content-IDs but one part per blob).
func (c *Client) batchResults(cl *call, container string, blobs []string, parts []batchPart) ([]BatchDeleteResult, error) {
	// A lone part without Content-ID that failed is the batch's own error.
	for _, p := range parts {
		if p.contentID < 0 && (p.status < 200 || p.status > 299) {
			resp := &http.Response{StatusCode: p.status, Header: p.header}
			return nil, newResponseError(cl, resp, p.body, c.redactedURL(cl))
		}
	}
	results := make([]BatchDeleteResult, len(blobs))
	filled := make([]bool, len(blobs))
	for i, b := range blobs {
		results[i].Blob = b
	}
	positional := len(parts) == len(blobs)
	for i, p := range parts {
		id := p.contentID
		if id < 0 {
			if !positional {
				continue
			}
			id = i
		}
		if id >= len(blobs) {
			return nil, fmt.Errorf("restapi: %s of container %q: answer has Content-ID %d but only %d sub-requests were sent", opBlobBatch, container, id, len(blobs))
		}
		if filled[id] {
			return nil, fmt.Errorf("restapi: %s of container %q: answer has Content-ID %d twice", opBlobBatch, container, id)
		}
		filled[id] = true
		results[id].StatusCode = p.status
		if p.status < 200 || p.status > 299 {
			sub := &call{op: opBatchDeleteBlob, method: http.MethodDelete, container: container, blob: blobs[id], clientRequestID: cl.clientRequestID}
			resp := &http.Response{StatusCode: p.status, Header: p.header}
			results[id].Err = newResponseError(sub, resp, p.body, c.BlobURL(container, blobs[id]))
		}
	}
	for i := range results {
		if !filled[i] {
			results[i].Err = fmt.Errorf("restapi: %s of blob %q in container %q: the batch answer has no entry for it; its outcome is unknown", opBatchDeleteBlob, blobs[i], container)
		}
	}
	return results, nil
}
