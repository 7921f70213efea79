package uploader

import (
	"context"
	"fmt"
	"io"
)

// Upload stores the recording of sessionID from r in one call, for
// callers that have the whole stream (its length may be unknown). The
// stream is cut into blocks of Config.BlockSize, staged
// Config.UploadConcurrency at a time with at most UploadConcurrency+1
// blocks in memory, and committed with If-None-Match: *. It returns the
// recording's URL. If a recording of that session exists already, the
// error matches ErrAlreadyExists and nothing is changed.
func (h *Handler) Upload(ctx context.Context, sessionID string, r io.Reader) (string, error) {
	if err := CheckSessionID(sessionID); err != nil {
		return "", err
	}
	err := h.writeStream(ctx, writeSpec{
		container:    h.cfg.SessionContainer,
		blob:         sessionID,
		what:         "recording",
		createOnly:   true,
		immutability: h.cfg.Immutability.headers(h.now()),
	}, r)
	if err != nil {
		return "", fmt.Errorf("upload recording of session %s: %w", sessionID, err)
	}
	return h.client.BlobURL(h.cfg.SessionContainer, sessionID), nil
}
