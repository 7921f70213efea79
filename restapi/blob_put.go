package restapi

import (
	"context"
	"io"
	"net/http"
	"time"
)

// Conditions are the standard conditional headers.
type Conditions struct {
	IfMatch           string
	IfNoneMatch       string // "*" for create-only
	IfModifiedSince   time.Time
	IfUnmodifiedSince time.Time
}

// Immutability are the per-blob WORM headers for Put Blob / Put Block List.
// They need version-level immutability enabled on the container (or
// account); without it Azure refuses the request.
type Immutability struct {
	PolicyUntil time.Time // x-ms-immutability-policy-until-date (zero → not sent)
	PolicyMode  string    // "Unlocked" | "Locked"; "" with PolicyUntil means "Unlocked"
	LegalHold   *bool     // x-ms-legal-hold
}

// PutBlobOptions are the options of Put Blob.
type PutBlobOptions struct {
	Conditions   Conditions
	ContentType  string            // sent as x-ms-blob-content-type
	Metadata     map[string]string // x-ms-meta-*
	ContentCRC64 []byte            // 8 bytes, sent as x-ms-content-crc64 (base64); the service verifies the body against it
	Immutability Immutability
}

// BlobWriteResult is what Put Blob / Put Block List return.
type BlobWriteResult struct {
	ETag         string
	LastModified time.Time
	ContentCRC64 []byte // x-ms-content-crc64 of the answer, when sent
	VersionID    string // when blob versioning is on
	RequestID    string
}

// PutBlob uploads a block blob in one request.
//
// The length is measured with Seek from body's current position to its
// end; the body is streamed (never buffered whole) and rewound to that
// position for every try. body may be nil (an empty blob). With
// Conditions.IfNoneMatch "*", an existing blob gives an error matching
// ErrAlreadyExists.
func (c *Client) PutBlob(ctx context.Context, container, blob string, body io.ReadSeeker, opts *PutBlobOptions) (*BlobWriteResult, error) {
	if err := validateContainerAndBlob(container, blob); err != nil {
		return nil, err
	}
	o := orZero(opts)
	h := http.Header{}
	h.Set(hdrBlobType, "BlockBlob")
	if err := setBlobHeaders(h, o.ContentType, o.Conditions, o.Metadata); err != nil {
		return nil, err
	}
	if err := setContentCRC64(h, "PutBlobOptions.ContentCRC64", o.ContentCRC64); err != nil {
		return nil, err
	}
	if err := setImmutability(h, o.Immutability); err != nil {
		return nil, err
	}
	if body == nil {
		body = emptyBody{}
	}
	resp, err := c.do(ctx, &call{
		op: opPutBlob, method: http.MethodPut, container: container, blob: blob,
		header: h, body: body,
	})
	if err != nil {
		return nil, err
	}
	return writeResult(resp), nil
}

func writeResult(resp *http.Response) *BlobWriteResult {
	return &BlobWriteResult{
		ETag:         resp.Header.Get(hdrETag),
		LastModified: parseHTTPTime(resp.Header.Get(hdrLastModified)),
		ContentCRC64: parseCRC64Header(resp.Header.Get(hdrContentCRC64)),
		VersionID:    resp.Header.Get(hdrVersionID),
		RequestID:    resp.Header.Get(hdrRequestID),
	}
}

// emptyBody is a zero-length io.ReadSeeker.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error)       { return 0, io.EOF }
func (emptyBody) Seek(int64, int) (int64, error) { return 0, nil }
