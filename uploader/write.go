package uploader

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/azblobmin/azblobmin/restapi"
	"github.com/google/uuid"
)

// writeSpec describes one streamed write of a blob of unknown length.
type writeSpec struct {
	container, blob string
	// what names the object in errors ("recording", "summary", …).
	what string
	// createOnly writes with If-None-Match: *; a conflict is ErrAlreadyExists
	// unless the blob carries this write's own id (an answer lost on the way
	// back and the request retried).
	createOnly   bool
	immutability restapi.Immutability
}

// writeStream stores r as spec.blob. A stream that fits in one block is
// sent with a single Put Blob; a longer one is staged as blocks of
// cfg.BlockSize, cfg.UploadConcurrency at a time, with at most
// cfg.UploadConcurrency+1 block buffers alive (UploadConcurrency in
// flight, one being filled), then committed with Put Block List. Every
// write carries upload_id=<fresh UUID> in its metadata, which is how a
// retried create-only write recognises its own earlier success.
func (h *Handler) writeStream(ctx context.Context, spec writeSpec, r io.Reader) error {
	if r == nil {
		return invalidf("%s body is nil: pass an io.Reader (strings.NewReader(\"\") for an empty object)", spec.what)
	}
	id := uuid.NewString()
	pool := newBlockPool(&h.bufPool, h.cfg.BlockSize, h.cfg.UploadConcurrency+1)
	defer pool.release()

	// Small objects (summaries, metadata) are the common case: read a
	// pooled 64 KiB first and only take a block buffer if there is more.
	sp := copyBufPool.Get().(*[]byte)
	small := (*sp)[:min(int64(len(*sp)), h.cfg.BlockSize)]
	n, err := io.ReadFull(r, small)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = h.putWhole(ctx, spec, id, small[:n])
		copyBufPool.Put(sp)
		return err
	}
	if err != nil {
		copyBufPool.Put(sp)
		return fmt.Errorf("read %s: %w", spec.what, err)
	}
	buf, err := pool.get(ctx)
	if err != nil {
		copyBufPool.Put(sp)
		return err
	}
	copy(buf.data, small)
	copyBufPool.Put(sp)
	m, err := io.ReadFull(r, buf.data[n:])
	n += m
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		// release (deferred) returns buf to the shared pool.
		return h.putWhole(ctx, spec, id, buf.data[:n])
	case err != nil:
		return fmt.Errorf("read %s: %w", spec.what, err)
	}
	if spec.createOnly {
		// Fail before reading and staging a long stream onto a blob that
		// cannot be written (and that a WORM policy may forbid staging on).
		if owner, exists, err := h.writer(ctx, spec.container, spec.blob); err != nil {
			return fmt.Errorf("check %s %s in container %q: %w", spec.what, spec.blob, spec.container, err)
		} else if exists {
			return h.conflictError(spec, owner)
		}
	}
	blocks, err := h.stageStream(ctx, spec, id, pool, buf, n, r)
	if err != nil {
		return err
	}
	opts := &restapi.PutBlockListOptions{
		Metadata:     map[string]string{uploadIDKey: id},
		Immutability: spec.immutability,
	}
	if spec.createOnly {
		opts.Conditions.IfNoneMatch = "*"
	}
	_, err = h.client.PutBlockList(ctx, spec.container, spec.blob, blocks, opts)
	if err != nil {
		return h.resolveConflict(ctx, spec, id, fmt.Errorf("commit %d blocks of %s %s in container %q: %w", len(blocks), spec.what, spec.blob, spec.container, err))
	}
	return nil
}

// putWhole sends a stream that fit in one block with a single Put Blob.
func (h *Handler) putWhole(ctx context.Context, spec writeSpec, id string, data []byte) error {
	opts := &restapi.PutBlobOptions{
		Metadata:     map[string]string{uploadIDKey: id},
		ContentCRC64: crcOf(data),
		Immutability: spec.immutability,
	}
	if spec.createOnly {
		opts.Conditions.IfNoneMatch = "*"
	}
	_, err := h.client.PutBlob(ctx, spec.container, spec.blob, bytes.NewReader(data), opts)
	if err != nil {
		return h.resolveConflict(ctx, spec, id, fmt.Errorf("write %s %s (%d bytes) in container %q: %w", spec.what, spec.blob, len(data), spec.container, err))
	}
	return nil
}

// resolveConflict turns the error of a create-only write into nil when the
// blob turns out to carry this write's id (the write succeeded and only its
// answer was lost), and into ErrAlreadyExists when someone else wrote it.
func (h *Handler) resolveConflict(ctx context.Context, spec writeSpec, id string, err error) error {
	if !spec.createOnly || !isConflict(err) {
		return err
	}
	owner, exists, cerr := h.writer(ctx, spec.container, spec.blob)
	if cerr != nil || !exists {
		return err
	}
	if owner == id {
		h.log.DebugContext(ctx, "write succeeded on an earlier try whose answer was lost", "blob", spec.blob)
		return nil
	}
	return fmt.Errorf("%w: %w", h.conflictError(spec, owner), err)
}

// conflictError reports a write-once blob that exists already.
func (h *Handler) conflictError(spec writeSpec, owner string) error {
	return fmt.Errorf("%s %s in container %q already exists (%s); it is written once and was left untouched: %w",
		spec.what, spec.blob, spec.container, describeOwner(owner), ErrAlreadyExists)
}

// stageStream stages first (n bytes already read into buf) and the rest of
// r as blocks, returning the block list in order.
func (h *Handler) stageStream(ctx context.Context, spec writeSpec, id string, pool *blockPool, first *blockBuf, n int, r io.Reader) ([]restapi.BlockRef, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	type job struct {
		num int64
		buf *blockBuf
		n   int
	}
	jobs := make(chan job)
	errc := make(chan error, h.cfg.UploadConcurrency)
	for w := 0; w < h.cfg.UploadConcurrency; w++ {
		go func() {
			var werr error
			for j := range jobs {
				if werr == nil {
					werr = h.stageBlock(ctx, spec, id, j.num, j.buf.data[:j.n])
					if werr != nil {
						cancel(werr)
					}
				}
				pool.put(j.buf)
			}
			errc <- werr
		}()
	}

	var (
		blocks  []restapi.BlockRef
		readErr error
		buf     = first
		full    = int(h.cfg.BlockSize)
	)
	for num := int64(1); ; num++ {
		if num > h.maxBlocks {
			pool.put(buf)
			readErr = invalidf("%s is larger than %d blocks of %d bytes: raise Config.BlockSize", spec.what, h.maxBlocks, h.cfg.BlockSize)
			break
		}
		blocks = append(blocks, restapi.BlockRef{ID: blockID(id, num), Kind: restapi.BlockUncommitted})
		select {
		case jobs <- job{num: num, buf: buf, n: n}:
		case <-ctx.Done():
			pool.put(buf)
			readErr = context.Cause(ctx)
		}
		if readErr != nil || n < full {
			break // failed, or that short block was the last
		}
		if buf, readErr = pool.get(ctx); readErr != nil {
			break
		}
		n, readErr = io.ReadFull(r, buf.data)
		if readErr == io.EOF {
			pool.put(buf)
			readErr = nil
			break
		}
		if readErr == io.ErrUnexpectedEOF {
			readErr = nil // a short last block: sent on the next turn, then the loop ends
		} else if readErr != nil {
			pool.put(buf)
			readErr = fmt.Errorf("read %s: %w", spec.what, readErr)
			break
		}
	}
	close(jobs)
	var stageErr error
	for w := 0; w < h.cfg.UploadConcurrency; w++ {
		if err := <-errc; err != nil && stageErr == nil {
			stageErr = err
		}
	}
	if stageErr != nil {
		// The first failure cancelled the others; report it, not theirs.
		if cause := context.Cause(ctx); cause != nil {
			return nil, cause
		}
		return nil, stageErr
	}
	if readErr != nil {
		return nil, readErr
	}
	return blocks, nil
}

// stageBlock sends one block with its CRC-64.
func (h *Handler) stageBlock(ctx context.Context, spec writeSpec, id string, num int64, data []byte) error {
	_, err := h.client.PutBlock(ctx, spec.container, spec.blob, blockID(id, num), bytes.NewReader(data), &restapi.PutBlockOptions{ContentCRC64: crcOf(data)})
	if err != nil {
		return fmt.Errorf("stage block %d (%d bytes) of %s %s in container %q: %w", num, len(data), spec.what, spec.blob, spec.container, err)
	}
	return nil
}
