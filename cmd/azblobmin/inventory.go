package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/uploader"
)

// storedPart is a part blob as listed, with the size and checksum the
// uploader's StreamPart does not carry.
type storedPart struct {
	uploader.StreamPart
	Size  int64
	CRC64 []byte // nil when the listing has none
}

// partInventory lists the part blobs of upload with their sizes, reading
// the in-progress container directly. The layout part/<session>/<upload>/<n>
// is the documented one of RFD 0140, which the uploader follows; the parts
// themselves come from ListParts so that only parts the uploader recognises
// are returned.
func partInventory(ctx context.Context, h *uploader.Handler, upload uploader.StreamUpload) (map[int64]storedPart, error) {
	parts, err := h.ListParts(ctx, upload)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]storedPart, len(parts))
	for _, p := range parts {
		out[p.Number] = storedPart{StreamPart: p, Size: -1}
	}
	if len(parts) == 0 {
		return out, nil
	}
	prefix := "part/" + upload.SessionID + "/" + upload.ID + "/"
	cfg := h.Config()
	for it, err := range h.Client().ListAllBlobs(ctx, cfg.InprogressContainer, &restapi.ListBlobsOptions{Prefix: prefix}) {
		if err != nil {
			return nil, fmt.Errorf("list part sizes of upload %s: %w", upload.ID, err)
		}
		n, err := strconv.ParseInt(strings.TrimPrefix(it.Name, prefix), 10, 64)
		if err != nil {
			continue
		}
		if p, ok := out[n]; ok {
			p.Size = it.Size
			p.CRC64 = it.ContentCRC64
			out[n] = p
		}
	}
	return out, nil
}

// findUpload returns the in-progress upload with these ids, or an error
// saying it does not exist (any more).
func findUpload(ctx context.Context, h *uploader.Handler, sessionID, uploadID string) (uploader.StreamUpload, error) {
	uploads, err := h.ListUploads(ctx)
	if err != nil {
		return uploader.StreamUpload{}, err
	}
	for _, u := range uploads {
		if u.SessionID == sessionID && u.ID == uploadID {
			return u, nil
		}
	}
	return uploader.StreamUpload{}, fmt.Errorf("upload %s of session %s is not in progress (no marker in container %q): it was completed or aborted, or the ids are wrong; `azblobmin uploads` lists the uploads in progress: %w",
		uploadID, sessionID, h.Config().InprogressContainer, uploader.ErrNotFound)
}
