package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/uploader"
)

// completeResult is complete's -json output.
type completeResult struct {
	SessionID      string  `json:"session_id"`
	UploadID       string  `json:"upload_id"`
	URL            string  `json:"url"`
	Parts          int     `json:"parts"`
	Size           int64   `json:"size"`
	AlreadyDone    bool    `json:"already_completed"`
	CompleteSecond float64 `json:"seconds"`
}

// cmdComplete is `azblobmin complete`.
func cmdComplete(a *app, ctx context.Context, args []string) error {
	var f connFlags
	var ids uploadIDFlags
	var allowGaps bool
	h, err := a.openUpload(ctx, commands["complete"], args, &f, &ids, func(fs *flag.FlagSet) {
		fs.BoolVar(&allowGaps, "allow-gaps", false, "complete even when part numbers are missing (the recording will lack their bytes)")
	})
	if err != nil {
		return err
	}
	res := completeResult{SessionID: ids.sessionID, UploadID: ids.uploadID, URL: h.GetUploadMetadata(ids.sessionID).URL}
	upload, err := findUpload(ctx, h, ids.sessionID, ids.uploadID)
	if err != nil {
		// Completing twice is fine: say so when this upload made the recording.
		if done, size := completedBy(ctx, h, ids.sessionID, ids.uploadID); done {
			res.AlreadyDone, res.Size = true, size
			return a.printComplete(f.json, res)
		}
		return err
	}
	inv, err := partInventory(ctx, h, upload)
	if err != nil {
		return err
	}
	if len(inv) == 0 {
		return fmt.Errorf("upload %s of session %s has no parts, so there is nothing to complete; remove it with:\n  %s",
			ids.uploadID, ids.sessionID, suggest(f.url, "abort", "-session-id", ids.sessionID, "-upload-id", ids.uploadID))
	}
	if missing := missingParts(inv); len(missing) > 0 && !allowGaps {
		return fmt.Errorf("upload %s of session %s is missing parts %s: upload them (azblobmin upload -resume-upload-id %s ...) or complete anyway with -allow-gaps",
			ids.uploadID, ids.sessionID, formatNumbers(missing), ids.uploadID)
	}
	parts := make([]uploader.StreamPart, 0, len(inv))
	for _, p := range inv {
		parts = append(parts, p.StreamPart)
		res.Size += max(p.Size, 0)
	}
	res.Parts = len(parts)
	start := time.Now()
	if err := h.CompleteUpload(ctx, upload, parts); err != nil {
		return err
	}
	res.CompleteSecond = time.Since(start).Seconds()
	return a.printComplete(f.json, res)
}

func (a *app) printComplete(asJSON bool, res completeResult) error {
	if asJSON {
		return cli.WriteJSON(a.out, res)
	}
	if res.AlreadyDone {
		fmt.Fprintf(a.out, "upload %s of session %s was already completed\nrecording: %s (%s)\n", res.UploadID, res.SessionID, res.URL, cli.FormatSize(res.Size))
		return nil
	}
	fmt.Fprintf(a.out, "completed upload %s of session %s: %d parts, %s in %.2fs\nrecording: %s\n",
		res.UploadID, res.SessionID, res.Parts, cli.FormatSize(res.Size), res.CompleteSecond, res.URL)
	return nil
}

// completedBy reports whether the recording of sessionID exists and was
// committed by uploadID (the uploader records the upload id in the
// recording's metadata), with its size.
func completedBy(ctx context.Context, h *uploader.Handler, sessionID, uploadID string) (bool, int64) {
	props, err := h.Client().GetBlobProperties(ctx, h.Config().SessionContainer, sessionID, nil)
	if err != nil {
		return false, 0
	}
	for k, v := range props.Metadata {
		if strings.EqualFold(k, "upload_id") && v == uploadID {
			return true, props.ContentLength
		}
	}
	return false, 0
}

// abortResult is abort's -json output.
type abortResult struct {
	SessionID    string `json:"session_id"`
	UploadID     string `json:"upload_id"`
	PartsDeleted int    `json:"parts_deleted"`
}

// cmdAbort is `azblobmin abort`.
func cmdAbort(a *app, ctx context.Context, args []string) error {
	var f connFlags
	var ids uploadIDFlags
	h, err := a.openUpload(ctx, commands["abort"], args, &f, &ids, nil)
	if err != nil {
		return err
	}
	upload, err := findUpload(ctx, h, ids.sessionID, ids.uploadID)
	if err != nil {
		return err
	}
	parts, err := h.ListParts(ctx, upload)
	if err != nil && !errors.Is(err, restapi.ErrNotFound) {
		return err
	}
	if err := h.AbortUpload(ctx, upload); err != nil {
		return err
	}
	res := abortResult{SessionID: ids.sessionID, UploadID: ids.uploadID, PartsDeleted: len(parts)}
	if f.json {
		return cli.WriteJSON(a.out, res)
	}
	fmt.Fprintf(a.out, "aborted upload %s of session %s: %d parts deleted\n", res.UploadID, res.SessionID, res.PartsDeleted)
	return nil
}
