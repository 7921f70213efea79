package uploader

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/azblobmin/azblobmin/restapi"
)

// Download tuning: recordings up to parallelThreshold bytes are fetched
// with one streamed GET; larger ones as downloadChunk-sized ranged GETs,
// downloadConcurrency at a time.
const (
	parallelThreshold   = 16 << 20
	downloadChunk       = 8 << 20
	downloadConcurrency = 4
)

// Download writes the recording of sessionID into w. Large recordings are
// fetched as parallel ranged reads (so w must accept writes at any offset,
// as *os.File does). A missing recording is an error matching ErrNotFound.
func (h *Handler) Download(ctx context.Context, sessionID string, w io.WriterAt) error {
	if err := CheckSessionID(sessionID); err != nil {
		return err
	}
	if w == nil {
		return invalidf("Download needs an io.WriterAt, got nil")
	}
	return h.download(ctx, h.cfg.SessionContainer, sessionID, "recording", w)
}

// download fetches container/blob into w, checking the total length.
func (h *Handler) download(ctx context.Context, container, blob, what string, w io.WriterAt) error {
	props, err := h.client.GetBlobProperties(ctx, container, blob, nil)
	if err != nil {
		return h.readError(what, container, blob, err)
	}
	size := props.ContentLength
	if size <= parallelThreshold {
		return h.downloadRange(ctx, container, blob, what, props.ETag, w, 0, size, size)
	}
	chunks := int((size + downloadChunk - 1) / downloadChunk)
	return forEach(ctx, chunks, downloadConcurrency, func(ctx context.Context, i int) error {
		off := int64(i) * downloadChunk
		return h.downloadRange(ctx, container, blob, what, props.ETag, w, off, min(downloadChunk, size-off), size)
	})
}

// downloadRange copies count bytes at off into w. If-Match on the ETag
// seen by the size check makes every range come from the same blob
// version. A whole-blob read sends no Range, which also works for an empty
// blob (a ranged read of zero bytes is an error).
func (h *Handler) downloadRange(ctx context.Context, container, blob, what, etag string, w io.WriterAt, off, count, total int64) error {
	opts := &restapi.GetBlobOptions{Conditions: restapi.Conditions{IfMatch: etag}}
	if off != 0 || count != total {
		opts.Range = &restapi.HTTPRange{Offset: off, Count: count}
	}
	res, err := h.client.GetBlob(ctx, container, blob, opts)
	if err != nil {
		return h.readError(what, container, blob, err)
	}
	defer res.Body.Close()
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	n, err := io.CopyBuffer(onlyWriter{io.NewOffsetWriter(w, off)}, onlyReader{io.LimitReader(res.Body, count+1)}, *bp)
	if err != nil {
		return fmt.Errorf("download %s %s bytes %d-%d: %w", what, blob, off, off+count-1, err)
	}
	if n != count {
		return fmt.Errorf("download %s %s bytes %d-%d: got %d bytes, want %d (the blob changed or the connection was cut)", what, blob, off, off+count-1, n, count)
	}
	return nil
}

// readError maps a read failure: 404 matches ErrNotFound; a failed If-Match
// means the blob was replaced mid-download.
func (h *Handler) readError(what, container, blob string, err error) error {
	switch {
	case isNotFound(err):
		return notFound(fmt.Sprintf("%s %s in container %q", what, blob, container), err)
	case errors.Is(err, restapi.ErrConditionNotMet):
		return fmt.Errorf("%s %s in container %q changed during the download; try again: %w", what, blob, container, err)
	}
	return fmt.Errorf("read %s %s in container %q: %w", what, blob, container, err)
}

// StreamSessionRecording returns the recording of sessionID as a stream,
// for callers that cannot offer an io.WriterAt. The caller closes it.
func (h *Handler) StreamSessionRecording(ctx context.Context, sessionID string) (io.ReadCloser, error) {
	if err := CheckSessionID(sessionID); err != nil {
		return nil, err
	}
	return h.stream(ctx, h.cfg.SessionContainer, sessionID, "recording", nil)
}

// stream opens a streaming GET of container/blob (optionally a range).
func (h *Handler) stream(ctx context.Context, container, blob, what string, rng *restapi.HTTPRange) (io.ReadCloser, error) {
	res, err := h.client.GetBlob(ctx, container, blob, &restapi.GetBlobOptions{Range: rng})
	if err != nil {
		return nil, h.readError(what, container, blob, err)
	}
	return res.Body, nil
}
