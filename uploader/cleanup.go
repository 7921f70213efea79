package uploader

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/azblobmin/azblobmin/restapi"
)

// batchSize is the most sub-requests one Blob Batch request may carry.
const batchSize = 256

// deleteConcurrency bounds parallel single deletes when batch is refused.
const deleteConcurrency = 16

// batchConcurrency bounds parallel Blob Batch requests: each carries up to
// 256 deletes, so a few in flight are enough.
const batchConcurrency = 4

// cleanupLogged removes an upload's parts and marker and logs, rather than
// returns, a failure: the recording is already safe (or deliberately not
// written), and a later completion or GarbageCollect retries the cleanup.
func (h *Handler) cleanupLogged(ctx context.Context, upload StreamUpload, why string) {
	if err := h.cleanup(ctx, upload); err != nil {
		h.log.WarnContext(ctx, "upload cleanup failed; the upload stays listed and a later CompleteUpload or GarbageCollect will finish it",
			"session", upload.SessionID, "upload", upload.ID, "reason", why, "error", err)
	}
}

// cleanup deletes every part of upload, then its marker. The marker goes
// last: while any part remains, ListUploads still finds the upload, so an
// interrupted cleanup is always finished by a later pass.
func (h *Handler) cleanup(ctx context.Context, upload StreamUpload) error {
	parts, err := h.listParts(ctx, upload)
	if err != nil {
		return err
	}
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = p.Name
	}
	if err := h.deleteBlobs(ctx, h.cfg.InprogressContainer, names); err != nil {
		return err
	}
	marker := markerName(upload.SessionID, upload.ID)
	if err := h.client.DeleteBlob(ctx, h.cfg.InprogressContainer, marker, nil); err != nil && !isNotFound(err) {
		return fmt.Errorf("delete upload marker %s in container %q: %w", marker, h.cfg.InprogressContainer, err)
	}
	return nil
}

// deleteBlobs deletes names from container, 256 per Blob Batch request,
// falling back to single deletes for a batch the service refuses and for
// sub-requests that failed. Blobs already gone count as deleted.
//
// The first batch goes alone: if the service refuses Blob Batch, the others
// then go one by one without trying it again. The rest are sent
// batchConcurrency at a time, since a completion of a long recording would
// otherwise wait on them one after another.
func (h *Handler) deleteBlobs(ctx context.Context, container string, names []string) error {
	var (
		mu    sync.Mutex
		retry []string
	)
	batch := func(ctx context.Context, start int) error {
		chunk := names[start:min(start+batchSize, len(names))]
		failed, err := h.batchDelete(ctx, container, chunk)
		mu.Lock()
		retry = append(retry, failed...)
		mu.Unlock()
		return err
	}
	if len(names) > 0 {
		if err := batch(ctx, 0); err != nil {
			return err
		}
	}
	nBatches := (len(names) + batchSize - 1) / batchSize
	err := forEach(ctx, max(0, nBatches-1), batchConcurrency, func(ctx context.Context, i int) error {
		return batch(ctx, (i+1)*batchSize)
	})
	if err != nil {
		return err
	}
	return forEach(ctx, len(retry), deleteConcurrency, func(ctx context.Context, i int) error {
		err := h.client.DeleteBlob(ctx, container, retry[i], nil)
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("delete %s in container %q: %w", retry[i], container, err)
		}
		return nil
	})
}

// batchDelete sends one Blob Batch delete of chunk and returns the names
// still to delete one by one: all of them when the batch as a whole
// failed, else those whose sub-request failed or got no answer. Its error
// is only the context's.
func (h *Handler) batchDelete(ctx context.Context, container string, chunk []string) ([]string, error) {
	if h.batchRefused.Load() || len(chunk) == 1 {
		return chunk, nil
	}
	results, err := h.client.BatchDeleteBlobs(ctx, container, chunk)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		if batchUnsupported(err) {
			h.batchRefused.Store(true)
			h.log.DebugContext(ctx, "blob batch refused; deleting one by one from now on", "container", container, "error", err)
		}
		return chunk, nil
	}
	var failed []string
	for _, r := range results {
		ok := r.Err == nil && r.StatusCode >= 200 && r.StatusCode < 300
		if ok || isNotFound(r.Err) || r.StatusCode == http.StatusNotFound {
			continue
		}
		// Failed, or missing from the answer (status 0): delete it alone.
		failed = append(failed, r.Blob)
	}
	return failed, nil
}

// batchUnsupported reports an answer to the batch request as a whole that
// says Blob Batch is not available here (rather than a passing failure).
func batchUnsupported(err error) bool {
	var re *restapi.ResponseError
	if !errors.As(err, &re) {
		return false
	}
	switch re.StatusCode {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound,
		http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return true
	}
	return false
}
