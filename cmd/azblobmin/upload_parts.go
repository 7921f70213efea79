package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/uploader"
)

// uploadParts reads src and uploads its parts with `concurrency` workers.
// Parts in `stored` (a resumed upload) are checked against the input —
// same size, and same CRC-64 when the listing has one — and skipped. The
// first failure cancels the rest; stored parts stay for a resume.
//
// The input is read by its own goroutine. A read from a terminal or a pipe
// cannot be interrupted, so when the context is cancelled (Ctrl-C) while
// that goroutine waits for input, uploadParts returns without it: the
// command is about to exit, and waiting would hang until the writer of the
// pipe gives up.
func (a *app) uploadParts(ctx context.Context, h *uploader.Handler, upload uploader.StreamUpload,
	src cli.PartSource, stored map[int64]storedPart, concurrency int, prog *cli.Progress) partsResult {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var mu sync.Mutex // guards res
	res := partsResult{parts: make(map[int64]uploader.StreamPart, len(stored))}
	jobs := make(chan cli.Part)
	var workers sync.WaitGroup
	for range concurrency {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for {
				var p cli.Part
				var ok bool
				select {
				case p, ok = <-jobs:
				case <-ctx.Done():
					return
				}
				if !ok {
					return
				}
				size := p.Size
				sp, err := uploadOnePart(ctx, h, upload, p)
				p.Release()
				if err != nil {
					cancel(err)
					continue
				}
				prog.PartDone()
				mu.Lock()
				res.parts[sp.Number] = *sp
				res.uploaded++
				res.uploadedBytes += size
				mu.Unlock()
			}
		}()
	}

	// The reader owns jobs and closes it when the input ends or fails.
	readerDone := make(chan struct{})
	var seen int
	var size int64
	var eof bool
	go func() {
		defer close(readerDone)
		defer close(jobs)
		for {
			p, err := src.Next(ctx)
			if errors.Is(err, io.EOF) {
				mu.Lock()
				eof = true
				mu.Unlock()
				return
			}
			if err != nil {
				cancel(err)
				return
			}
			mu.Lock()
			seen++
			size += p.Size
			mu.Unlock()
			if p.Number > uploader.MaxParts {
				p.Release()
				cancel(fmt.Errorf("the input needs more than %d parts of %s: a recording holds at most %d blocks; use a larger -part-size",
					uploader.MaxParts, cli.FormatSize(p.Size), uploader.MaxParts))
				return
			}
			if sp, ok := stored[int64(p.Number)]; ok {
				err := checkStoredPart(sp, p)
				p.Release()
				if err != nil {
					cancel(err)
					return
				}
				prog.Add(p.Size)
				prog.PartDone()
				mu.Lock()
				res.parts[sp.Number] = sp.StreamPart
				res.skipped++
				mu.Unlock()
				continue
			}
			select {
			case jobs <- p:
			case <-ctx.Done():
				p.Release()
				return
			}
		}
	}()

	select {
	case <-readerDone:
		workers.Wait()
	case <-ctx.Done():
		// Workers see the cancelled context and finish their current
		// request; the reader may be stuck in a read and is left behind.
		workers.Wait()
	}
	mu.Lock()
	defer mu.Unlock()
	res.size = size
	if eof {
		prog.SetTotal(size, seen) // now known for stdin too
	}
	if ctx.Err() != nil {
		res.err = context.Cause(ctx)
		return res
	}
	for n := range stored {
		if n > int64(seen) {
			res.err = &resumeMismatchError{fmt.Sprintf("the upload already has part %d but the input ends at part %d: this is not the input (or -part-size) the upload was started with", n, seen)}
			return res
		}
	}
	return res
}

func uploadOnePart(ctx context.Context, h *uploader.Handler, upload uploader.StreamUpload, p cli.Part) (*uploader.StreamPart, error) {
	if err := h.ReserveUploadPart(ctx, upload, int64(p.Number)); err != nil {
		return nil, err
	}
	return h.UploadPart(ctx, upload, int64(p.Number), p.Body)
}

// checkStoredPart makes sure a part kept from an earlier run holds the same
// bytes as the input at that position, so that a resume with a different
// file or part size cannot produce a corrupt recording.
func checkStoredPart(sp storedPart, p cli.Part) error {
	if sp.Size >= 0 && sp.Size != p.Size {
		return &resumeMismatchError{fmt.Sprintf("part %d is already stored with %d bytes but the input has %d bytes there: this is not the input (or -part-size) the upload was started with",
			p.Number, sp.Size, p.Size)}
	}
	if len(sp.CRC64) == 0 {
		return nil
	}
	crc := restapi.NewCRC64()
	if _, err := io.Copy(crc, p.Body); err != nil {
		return fmt.Errorf("reading part %d of the input: %w", p.Number, err)
	}
	if !bytes.Equal(restapi.EncodeCRC64(crc.Sum64()), sp.CRC64) {
		return &resumeMismatchError{fmt.Sprintf("part %d is already stored with different content (its CRC-64 differs): this is not the input the upload was started with", p.Number)}
	}
	return nil
}

// checkStoredSizes compares the parts of a resumed upload with the sizes
// the parts of an input of `size` bytes must have.
func checkStoredSizes(stored map[int64]storedPart, size, partSize int64) error {
	count := int64(cli.PartCount(size, partSize))
	for _, n := range slices.Sorted(maps.Keys(stored)) {
		sp := stored[n]
		if n > count {
			return &resumeMismatchError{fmt.Sprintf("the upload already has part %d but this input has only %d parts of %s: this is not the input (or -part-size) the upload was started with", n, count, cli.FormatSize(partSize))}
		}
		want := min(partSize, size-(n-1)*partSize)
		if sp.Size >= 0 && sp.Size != want {
			return &resumeMismatchError{fmt.Sprintf("part %d is already stored with %d bytes but this input has %d bytes there: this is not the input (or -part-size) the upload was started with", n, sp.Size, want)}
		}
	}
	return nil
}

// partsResult is what uploadParts did.
type partsResult struct {
	parts    map[int64]uploader.StreamPart // every stored part, old and new
	size     int64                         // bytes of input read
	uploaded int
	skipped  int
	// uploadedBytes counts the bytes of the parts sent in this run.
	uploadedBytes int64
	err           error
}

// resumeMismatchError says the input given to a resume does not match the
// parts already stored; nothing is uploaded then.
type resumeMismatchError struct{ msg string }

func (e *resumeMismatchError) Error() string { return e.msg }
