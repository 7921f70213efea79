package uploader

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/azblobmin/azblobmin/restapi"
)

// uploadCompanion writes <session>/<suffix> in the session container and
// returns its URL.
func (h *Handler) uploadCompanion(ctx context.Context, sessionID, suffix, what string, createOnly bool, r io.Reader) (string, error) {
	if err := CheckSessionID(sessionID); err != nil {
		return "", err
	}
	name := companionName(sessionID, suffix)
	err := h.writeStream(ctx, writeSpec{container: h.cfg.SessionContainer, blob: name, what: what, createOnly: createOnly}, r)
	if err != nil {
		return "", fmt.Errorf("upload %s of session %s: %w", what, sessionID, err)
	}
	return h.client.BlobURL(h.cfg.SessionContainer, name), nil
}

// streamCompanion opens <session>/<suffix> in the session container.
func (h *Handler) streamCompanion(ctx context.Context, sessionID, suffix, what string) (io.ReadCloser, error) {
	if err := CheckSessionID(sessionID); err != nil {
		return nil, err
	}
	return h.stream(ctx, h.cfg.SessionContainer, companionName(sessionID, suffix), what, nil)
}

// UploadPendingSummary stores (or replaces) the pending summary of a
// session, <session>/summary.pending.json, and returns its URL.
func (h *Handler) UploadPendingSummary(ctx context.Context, sessionID string, r io.Reader) (string, error) {
	return h.uploadCompanion(ctx, sessionID, pendingSummaryName, "pending summary", false, r)
}

// UploadSummary stores the final summary of a session,
// <session>/summary.json, once: a second call fails with ErrAlreadyExists.
// It then removes the pending summary; failing to remove it is logged, not
// returned (StreamSessionSummary prefers the final one anyway).
func (h *Handler) UploadSummary(ctx context.Context, sessionID string, r io.Reader) (string, error) {
	url, err := h.uploadCompanion(ctx, sessionID, summaryName, "summary", true, r)
	if err != nil {
		return "", err
	}
	pending := companionName(sessionID, pendingSummaryName)
	if err := h.client.DeleteBlob(ctx, h.cfg.SessionContainer, pending, nil); err != nil && !isNotFound(err) {
		h.log.WarnContext(ctx, "could not remove the pending summary after writing the final one", "session", sessionID, "blob", pending, "error", err)
	}
	return url, nil
}

// StreamSessionSummary returns the final summary of a session if there is
// one, else the pending one, else an error matching ErrNotFound.
func (h *Handler) StreamSessionSummary(ctx context.Context, sessionID string) (io.ReadCloser, error) {
	rc, err := h.streamCompanion(ctx, sessionID, summaryName, "summary")
	if !errors.Is(err, ErrNotFound) {
		return rc, err
	}
	return h.streamCompanion(ctx, sessionID, pendingSummaryName, "summary (final or pending)")
}

// UploadMetadata stores a session's metadata, <session>/metadata, once
// (a second call fails with ErrAlreadyExists), and returns its URL.
func (h *Handler) UploadMetadata(ctx context.Context, sessionID string, r io.Reader) (string, error) {
	return h.uploadCompanion(ctx, sessionID, metadataName, "session metadata", true, r)
}

// StreamSessionMetadata returns a session's metadata; ErrNotFound if none.
func (h *Handler) StreamSessionMetadata(ctx context.Context, sessionID string) (io.ReadCloser, error) {
	return h.streamCompanion(ctx, sessionID, metadataName, "session metadata")
}

// UploadThumbnail stores a session's thumbnail, <session>/thumbnail, once
// (a second call fails with ErrAlreadyExists), and returns its URL.
func (h *Handler) UploadThumbnail(ctx context.Context, sessionID string, r io.Reader) (string, error) {
	return h.uploadCompanion(ctx, sessionID, thumbnailName, "thumbnail", true, r)
}

// StreamSessionThumbnail returns a session's thumbnail; ErrNotFound if none.
func (h *Handler) StreamSessionThumbnail(ctx context.Context, sessionID string) (io.ReadCloser, error) {
	return h.streamCompanion(ctx, sessionID, thumbnailName, "thumbnail")
}

// UploadReplayObject stores replay object name of a session,
// <session>/replay/<name>, once (a second call fails with
// ErrAlreadyExists), and returns its URL. name must be manifest, index.N,
// blob.N or commands.N; anything else is refused before any request.
func (h *Handler) UploadReplayObject(ctx context.Context, sessionID, name string, r io.Reader) (string, error) {
	if err := CheckReplayObjectName(name); err != nil {
		return "", err
	}
	return h.uploadCompanion(ctx, sessionID, replayDir+name, "replay object "+name, true, r)
}

// StreamReplayObjectRange returns length bytes of replay object name from
// offset; length <= 0 reads to the end. The caller closes the reader.
func (h *Handler) StreamReplayObjectRange(ctx context.Context, sessionID, name string, offset, length int64) (io.ReadCloser, error) {
	if err := CheckSessionID(sessionID); err != nil {
		return nil, err
	}
	if err := CheckReplayObjectName(name); err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, invalidf("replay object offset %d is negative: want 0 or more", offset)
	}
	var rng *restapi.HTTPRange
	if offset > 0 || length > 0 {
		rng = &restapi.HTTPRange{Offset: offset, Count: max(length, 0)}
	}
	return h.stream(ctx, h.cfg.SessionContainer, replayName(sessionID, name), "replay object "+name, rng)
}
