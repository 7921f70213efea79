package uploader

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/azblobmin/azblobmin/restapi"
)

// uploadIDKey is the recording metadata key that records which upload (or
// which single-shot write) committed it.
const uploadIDKey = "upload_id"

// CompleteUpload composes the recording of upload from parts inside the
// service (Put Block From URL per part, in parallel, then Put Block List
// with If-None-Match: *), then deletes the parts and the marker.
//
// It is idempotent: completing again, after a crash at any step, or from
// two handlers at once yields the same single recording and nil. If the
// recording already exists from a different upload, the error matches
// ErrAlreadyExists and the recording is untouched. With zero parts no
// recording is written and the upload is removed. A cleanup failure is
// logged, not returned; GarbageCollect or another completion finishes it.
func (h *Handler) CompleteUpload(ctx context.Context, upload StreamUpload, parts []StreamPart) error {
	if err := checkUpload(upload); err != nil {
		return err
	}
	sorted, err := sortedParts(parts)
	if err != nil {
		return err
	}
	if len(sorted) == 0 {
		h.cleanupLogged(ctx, upload, "zero parts")
		return nil
	}
	// A recording may already be there: an earlier completion that crashed
	// before its cleanup, or another handler that was faster.
	if done, err := h.alreadyCompleted(ctx, upload); done || err != nil {
		return err
	}
	if err := h.stageAndCommit(ctx, upload, sorted); err != nil {
		// Whatever failed, the recording may have been committed by us
		// (an answer lost) or by a concurrent completion of the same upload.
		done, cerr := h.alreadyCompleted(ctx, upload)
		switch {
		case done:
			return cerr
		case cerr != nil && errors.Is(cerr, ErrAlreadyExists):
			return cerr
		default:
			return err
		}
	}
	h.log.DebugContext(ctx, "completed upload", "session", upload.SessionID, "upload", upload.ID, "parts", len(sorted))
	h.cleanupLogged(ctx, upload, "completed")
	return nil
}

// sortedParts validates part numbers and returns a copy sorted by number.
func sortedParts(parts []StreamPart) ([]StreamPart, error) {
	sorted := slices.Clone(parts)
	for _, p := range sorted {
		if err := CheckPartNumber(p.Number); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(sorted, func(a, b StreamPart) int { return cmp.Compare(a.Number, b.Number) })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Number == sorted[i-1].Number {
			return nil, invalidf("part number %d is listed twice: give each part once", sorted[i].Number)
		}
	}
	return sorted, nil
}

// alreadyCompleted checks the recording blob. It returns (true, nil) when
// the recording exists and was committed by upload, after cleaning up;
// (false, ErrAlreadyExists error) when a different upload wrote it;
// (false, nil) when there is no recording.
func (h *Handler) alreadyCompleted(ctx context.Context, upload StreamUpload) (bool, error) {
	owner, exists, err := h.writer(ctx, h.cfg.SessionContainer, upload.SessionID)
	if err != nil {
		return false, fmt.Errorf("check recording %s in container %q: %w", upload.SessionID, h.cfg.SessionContainer, err)
	}
	if !exists {
		return false, nil
	}
	if owner != upload.ID {
		return false, fmt.Errorf("recording %s in container %q was written by another upload (%s), not by upload %s; left untouched: %w",
			upload.SessionID, h.cfg.SessionContainer, describeOwner(owner), upload.ID, ErrAlreadyExists)
	}
	h.log.DebugContext(ctx, "recording already committed by this upload", "session", upload.SessionID, "upload", upload.ID)
	h.cleanupLogged(ctx, upload, "already completed")
	return true, nil
}

func describeOwner(owner string) string {
	if owner == "" {
		return "no upload_id metadata"
	}
	return "upload_id " + clip(owner)
}

// writer reads the upload_id metadata of a blob. exists is false on 404.
func (h *Handler) writer(ctx context.Context, container, blob string) (owner string, exists bool, err error) {
	props, err := h.client.GetBlobProperties(ctx, container, blob, nil)
	if isNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return metadataValue(props.Metadata, uploadIDKey), true, nil
}

// metadataValue looks a key up ignoring case: HTTP header canonicalization
// may change the case of metadata names on the way back.
func metadataValue(md map[string]string, key string) string {
	if v, ok := md[key]; ok {
		return v
	}
	for k, v := range md {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// stageAndCommit stages every non-empty part as a block (skipping blocks an
// earlier attempt already staged with the right size) and commits them.
func (h *Handler) stageAndCommit(ctx context.Context, upload StreamUpload, parts []StreamPart) error {
	listed, err := h.listParts(ctx, upload)
	if err != nil {
		return err
	}
	byNumber := make(map[int64]partItem, len(listed))
	for _, it := range listed {
		byNumber[it.number] = it
	}
	staged, err := h.stagedBlocks(ctx, upload.SessionID)
	if err != nil {
		return err
	}
	var (
		todo   []partItem
		blocks = make([]restapi.BlockRef, 0, len(parts))
	)
	for _, p := range parts {
		it, ok := byNumber[p.Number]
		if !ok {
			return notFound(fmt.Sprintf("complete upload %s: part %d is not in container %q (list the parts again with ListParts)", upload.ID, p.Number, h.cfg.InprogressContainer), nil)
		}
		if it.Size == 0 {
			continue // an empty part adds no bytes, and Azure has no empty blocks
		}
		if it.Size > MaxBlockSize {
			return invalidf("part %d of upload %s is %d bytes: a block holds at most %d", p.Number, upload.ID, it.Size, int64(MaxBlockSize))
		}
		id := blockID(upload.ID, p.Number)
		blocks = append(blocks, restapi.BlockRef{ID: id, Kind: restapi.BlockUncommitted})
		if size, ok := staged[id]; ok && size == it.Size {
			continue
		}
		todo = append(todo, it)
	}
	if skipped := len(blocks) - len(todo); skipped > 0 {
		h.log.DebugContext(ctx, "reusing blocks staged by an earlier attempt", "session", upload.SessionID, "upload", upload.ID, "blocks", skipped)
	}
	err = forEach(ctx, len(todo), h.cfg.CompleteConcurrency, func(ctx context.Context, i int) error {
		return h.stagePart(ctx, upload, todo[i])
	})
	if err != nil {
		return err
	}
	_, err = h.client.PutBlockList(ctx, h.cfg.SessionContainer, upload.SessionID, blocks, &restapi.PutBlockListOptions{
		Conditions:   restapi.Conditions{IfNoneMatch: "*"},
		Metadata:     map[string]string{uploadIDKey: upload.ID},
		Immutability: h.cfg.Immutability.headers(h.now()),
	})
	if err != nil {
		return fmt.Errorf("commit %d blocks of upload %s as recording %s in container %q: %w", len(blocks), upload.ID, upload.SessionID, h.cfg.SessionContainer, err)
	}
	return nil
}

// stagedBlocks returns the uncommitted blocks of the recording blob by id.
func (h *Handler) stagedBlocks(ctx context.Context, blob string) (map[string]int64, error) {
	bl, err := h.client.GetBlockList(ctx, h.cfg.SessionContainer, blob, &restapi.GetBlockListOptions{ListType: "uncommitted"})
	if isNotFound(err) {
		return map[string]int64{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get staged blocks of recording %s in container %q: %w", blob, h.cfg.SessionContainer, err)
	}
	staged := make(map[string]int64, len(bl.Uncommitted))
	for _, b := range bl.Uncommitted {
		staged[b.ID] = b.Size
	}
	return staged, nil
}

// stagePart copies one part blob into a block of the recording. The source
// must still be the blob that was listed (If-Match on its ETag), so the
// size used to skip blocks on a later attempt describes what was staged.
//
// A part blob can change between the listing and the copy without anyone
// doing wrong: a Put Blob abandoned by its client (per-try timeout) may
// still land after the retry that succeeded, with the same bytes and a new
// ETag. So when only the source condition failed, the part is read again
// and staged once more from the version that is there now.
func (h *Handler) stagePart(ctx context.Context, upload StreamUpload, it partItem) error {
	err := h.copyPart(ctx, upload, it)
	if !isSourceConditionNotMet(err) {
		return err
	}
	props, perr := h.client.GetBlobProperties(ctx, h.cfg.InprogressContainer, it.Name, nil)
	if perr != nil {
		return fmt.Errorf("%w (and reading the part again failed: %w)", err, perr)
	}
	h.log.DebugContext(ctx, "part changed since it was listed; staging its current version", "session", upload.SessionID, "upload", upload.ID, "part", it.number, "size", props.ContentLength)
	it.ETag, it.Size = props.ETag, props.ContentLength
	return h.copyPart(ctx, upload, it)
}

// copyPart is one Put Block From URL of a part, conditional on its ETag.
func (h *Handler) copyPart(ctx context.Context, upload StreamUpload, it partItem) error {
	src, err := h.signer.sourceURL(ctx, h.cfg.InprogressContainer, it.Name)
	if err != nil {
		return err
	}
	_, err = h.client.PutBlockFromURL(ctx, h.cfg.SessionContainer, upload.SessionID, blockID(upload.ID, it.number), src, &restapi.PutBlockFromURLOptions{
		SourceConditions: restapi.SourceConditions{IfMatch: it.ETag},
	})
	if err != nil {
		return fmt.Errorf("stage part %d of upload %s into recording %s: %w", it.number, upload.ID, upload.SessionID, err)
	}
	return nil
}

// isSourceConditionNotMet reports whether err is the service refusing a
// copy because the source's If-Match no longer holds.
func isSourceConditionNotMet(err error) bool {
	var re *restapi.ResponseError
	return errors.As(err, &re) && re.ErrorCode == "SourceConditionNotMet"
}
