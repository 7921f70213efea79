package uploader

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/azblobmin/azblobmin/restapi"
)

// AbortUpload deletes the parts and then the marker of upload. Blocks an
// interrupted completion may have staged on the recording blob are left to
// the service, which discards uncommitted blocks after a week. Unlike the
// cleanup after a completion, a failure here is returned.
func (h *Handler) AbortUpload(ctx context.Context, upload StreamUpload) error {
	if err := checkUpload(upload); err != nil {
		return err
	}
	if err := h.cleanup(ctx, upload); err != nil {
		return fmt.Errorf("abort upload %s of session %s: %w", upload.ID, upload.SessionID, err)
	}
	h.log.DebugContext(ctx, "aborted upload", "session", upload.SessionID, "upload", upload.ID)
	return nil
}

// GCOptions select what GarbageCollect does.
type GCOptions struct {
	// OlderThan: only uploads initiated (and stray parts written) at least
	// this long ago are touched. Zero means every upload, which is only
	// safe when nothing else is uploading.
	OlderThan time.Duration
	// Abort deletes abandoned uploads; otherwise they are completed from
	// the parts they have (an upload with no parts is removed).
	Abort bool
	// DryRun reports what would be done and changes nothing.
	DryRun bool
}

// GCReport says what GarbageCollect found and did.
type GCReport struct {
	// Examined counts every upload listed.
	Examined int
	// Completed and Aborted are the uploads completed or aborted (in a dry
	// run: that would be).
	Completed, Aborted []StreamUpload
	// StrayParts counts part blobs whose upload has no marker (written
	// after their upload ended) that were (or would be) deleted.
	StrayParts int
	// Failed lists the uploads that could not be handled, with why.
	Failed []GCFailure
}

// GCFailure is one upload GarbageCollect could not handle.
type GCFailure struct {
	Upload StreamUpload
	Err    error
}

// GarbageCollect handles uploads initiated at least opts.OlderThan ago:
// it completes each from its listed parts, or aborts it when opts.Abort is
// set. It also deletes stray part blobs that have no upload marker. A
// failure on one upload is recorded in the report and the others go on;
// the returned error is for failures that stop the whole pass (listing),
// or joins the per-upload failures.
func (h *Handler) GarbageCollect(ctx context.Context, opts GCOptions) (GCReport, error) {
	var rep GCReport
	if opts.OlderThan < 0 {
		return rep, invalidf("GCOptions.OlderThan %v is negative: want 0 or more", opts.OlderThan)
	}
	cutoff := h.now().Add(-opts.OlderThan)
	uploads, err := h.ListUploads(ctx)
	if err != nil {
		return rep, err
	}
	rep.Examined = len(uploads)
	live := make(map[string]bool, len(uploads))
	for _, u := range uploads {
		live[u.SessionID+"/"+u.ID] = true
		if u.Initiated.After(cutoff) {
			continue
		}
		if opts.Abort {
			if !opts.DryRun {
				if err := h.AbortUpload(ctx, u); err != nil {
					rep.Failed = append(rep.Failed, GCFailure{Upload: u, Err: err})
					continue
				}
			}
			rep.Aborted = append(rep.Aborted, u)
			continue
		}
		if !opts.DryRun {
			parts, err := h.ListParts(ctx, u)
			if err == nil {
				err = h.CompleteUpload(ctx, u, parts)
			}
			if err != nil {
				rep.Failed = append(rep.Failed, GCFailure{Upload: u, Err: err})
				continue
			}
		}
		rep.Completed = append(rep.Completed, u)
	}
	stray, err := h.strayParts(ctx, live, cutoff)
	if err != nil {
		return rep, err
	}
	rep.StrayParts = len(stray)
	if !opts.DryRun && len(stray) > 0 {
		if err := h.deleteBlobs(ctx, h.cfg.InprogressContainer, stray); err != nil {
			return rep, fmt.Errorf("delete stray parts: %w", err)
		}
	}
	if len(rep.Failed) > 0 {
		errs := make([]error, len(rep.Failed))
		for i, f := range rep.Failed {
			errs[i] = f.Err
		}
		return rep, errors.Join(errs...)
	}
	return rep, nil
}

// strayParts lists part blobs older than cutoff whose upload had no marker
// when the uploads were listed (live), so no completion can ever use them.
func (h *Handler) strayParts(ctx context.Context, live map[string]bool, cutoff time.Time) ([]string, error) {
	var stray []string
	for it, err := range h.client.ListAllBlobs(ctx, h.cfg.InprogressContainer, &restapi.ListBlobsOptions{Prefix: partPrefix, MaxResults: h.listPageSize}) {
		if err != nil {
			return nil, fmt.Errorf("list parts in container %q: %w", h.cfg.InprogressContainer, err)
		}
		s, u, _, ok := parsePartName(it.Name)
		if !ok || live[s+"/"+u] || it.LastModified.After(cutoff) {
			continue
		}
		stray = append(stray, it.Name)
	}
	return stray, nil
}
