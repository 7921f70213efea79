package uploader

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/azblobmin/azblobmin/restapi"
	"github.com/google/uuid"
)

// CreateUpload starts a multipart upload of sessionID's recording: it
// writes the empty marker upload/<session>/<upload> (create-only) in the
// in-progress container and returns the new upload.
func (h *Handler) CreateUpload(ctx context.Context, sessionID string) (*StreamUpload, error) {
	if err := CheckSessionID(sessionID); err != nil {
		return nil, err
	}
	id := uuid.NewString()
	name := markerName(sessionID, id)
	res, err := h.client.PutBlob(ctx, h.cfg.InprogressContainer, name, bytes.NewReader(nil), &restapi.PutBlobOptions{
		Conditions: restapi.Conditions{IfNoneMatch: "*"},
	})
	initiated := h.now().UTC()
	switch {
	case err == nil:
		if !res.LastModified.IsZero() {
			initiated = res.LastModified.UTC()
		}
	case isConflict(err):
		// The id is a UUID made just now, so the only writer of this name is
		// us: a conflict means an earlier try succeeded and its answer was
		// lost before restapi retried.
		h.log.DebugContext(ctx, "upload marker already present after a retry; it is ours", "session", sessionID, "upload", id)
		// ListUploads reports the marker's Last-Modified; report the same.
		// The marker is there, so a failure to read it is not a failure.
		if props, perr := h.client.GetBlobProperties(ctx, h.cfg.InprogressContainer, name, nil); perr == nil && !props.LastModified.IsZero() {
			initiated = props.LastModified.UTC()
		}
	default:
		return nil, fmt.Errorf("create upload marker %s in container %q: %w", name, h.cfg.InprogressContainer, err)
	}
	h.log.DebugContext(ctx, "created upload", "session", sessionID, "upload", id)
	return &StreamUpload{ID: id, SessionID: sessionID, Initiated: initiated}, nil
}

// ReserveUploadPart checks the upload and part number and does nothing
// else: Azure needs no space reserved ahead of a part.
func (h *Handler) ReserveUploadPart(ctx context.Context, upload StreamUpload, partNumber int64) error {
	if err := checkUpload(upload); err != nil {
		return err
	}
	return CheckPartNumber(partNumber)
}

// UploadPart stores part partNumber of upload from part, read from its
// current offset to its end. The body is streamed, never held in memory:
// one pass computes its length and CRC-64, a second sends it (and restapi
// rewinds it for every retry). Uploading a part number again replaces it.
func (h *Handler) UploadPart(ctx context.Context, upload StreamUpload, partNumber int64, part io.ReadSeeker) (*StreamPart, error) {
	if err := checkUpload(upload); err != nil {
		return nil, err
	}
	if err := CheckPartNumber(partNumber); err != nil {
		return nil, err
	}
	if part == nil {
		return nil, invalidf("part %d body is nil: pass an io.ReadSeeker (an empty part is bytes.NewReader(nil))", partNumber)
	}
	start, size, crc, err := sizeAndCRC(part)
	if err != nil {
		return nil, fmt.Errorf("upload part %d of upload %s: %w", partNumber, upload.ID, err)
	}
	body := part
	if start != 0 {
		body = &offsetSeeker{rs: part, base: start}
	}
	name := partName(upload.SessionID, upload.ID, partNumber)
	res, err := h.client.PutBlob(ctx, h.cfg.InprogressContainer, name, body, &restapi.PutBlobOptions{ContentCRC64: crc})
	if err != nil {
		return nil, fmt.Errorf("upload part %d (%d bytes) as %s in container %q: %w", partNumber, size, name, h.cfg.InprogressContainer, err)
	}
	return &StreamPart{Number: partNumber, ETag: res.ETag, LastModified: res.LastModified.UTC()}, nil
}

// ListParts returns the parts of upload, sorted by number, walking every
// page of the listing. Blobs whose names do not parse are ignored.
func (h *Handler) ListParts(ctx context.Context, upload StreamUpload) ([]StreamPart, error) {
	if err := checkUpload(upload); err != nil {
		return nil, err
	}
	items, err := h.listParts(ctx, upload)
	if err != nil {
		return nil, err
	}
	parts := make([]StreamPart, 0, len(items))
	for _, it := range items {
		parts = append(parts, StreamPart{Number: it.number, ETag: it.ETag, LastModified: it.LastModified.UTC()})
	}
	return parts, nil
}

// partItem is a listed part blob with its parsed number.
type partItem struct {
	restapi.BlobItem
	number int64
}

// listParts lists the part blobs of upload, sorted by number.
func (h *Handler) listParts(ctx context.Context, upload StreamUpload) ([]partItem, error) {
	var out []partItem
	prefix := partsPrefix(upload.SessionID, upload.ID)
	for it, err := range h.client.ListAllBlobs(ctx, h.cfg.InprogressContainer, &restapi.ListBlobsOptions{Prefix: prefix, MaxResults: h.listPageSize}) {
		if err != nil {
			return nil, fmt.Errorf("list parts of upload %s (prefix %s) in container %q: %w", upload.ID, prefix, h.cfg.InprogressContainer, err)
		}
		s, u, n, ok := parsePartName(it.Name)
		if !ok || s != upload.SessionID || u != upload.ID {
			continue
		}
		out = append(out, partItem{BlobItem: it, number: n})
	}
	slices.SortFunc(out, func(a, b partItem) int { return cmp.Compare(a.number, b.number) })
	return out, nil
}

// ListUploads returns every upload that has a marker, sorted by initiation
// time, walking every page. Blobs whose names do not parse are ignored.
func (h *Handler) ListUploads(ctx context.Context) ([]StreamUpload, error) {
	var out []StreamUpload
	for it, err := range h.client.ListAllBlobs(ctx, h.cfg.InprogressContainer, &restapi.ListBlobsOptions{Prefix: markerPrefix, MaxResults: h.listPageSize}) {
		if err != nil {
			return nil, fmt.Errorf("list uploads (prefix %s) in container %q: %w", markerPrefix, h.cfg.InprogressContainer, err)
		}
		s, u, ok := parseMarkerName(it.Name)
		if !ok {
			continue
		}
		initiated := it.CreationTime
		if initiated.IsZero() {
			initiated = it.LastModified
		}
		out = append(out, StreamUpload{ID: u, SessionID: s, Initiated: initiated.UTC()})
	}
	sortUploads(out)
	return out, nil
}

// sortUploads orders uploads by initiation time. Listings give times to
// the second, so ties are broken by session and upload id to keep the
// order stable.
func sortUploads(us []StreamUpload) {
	slices.SortFunc(us, func(a, b StreamUpload) int {
		return cmp.Or(a.Initiated.Compare(b.Initiated), cmp.Compare(a.SessionID, b.SessionID), cmp.Compare(a.ID, b.ID))
	})
}
