package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/uploader"
)

// downloadResult is download's -json output.
type downloadResult struct {
	SessionID string  `json:"session_id"`
	URL       string  `json:"url"`
	Output    string  `json:"output"`
	Size      int64   `json:"size"`
	Seconds   float64 `json:"seconds"`
}

// cmdDownload is `azblobmin download`.
func cmdDownload(a *app, ctx context.Context, args []string) error {
	c := commands["download"]
	var f connFlags
	var sessionID string
	var force, quiet, progress bool
	fs := a.newFlagSet(c)
	f.register(fs)
	fs.StringVar(&sessionID, "session-id", "", "session id of the recording (required)")
	fs.BoolVar(&force, "force", false, "overwrite OUT if it exists")
	fs.BoolVar(&quiet, "quiet", false, "no progress on stderr")
	fs.BoolVar(&progress, "progress", false, "show progress on stderr even when it is not a terminal")
	pos, err := a.parse(c, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one OUT file (or - for stdout), got %d arguments", len(pos))
	}
	out := pos[0]
	if sessionID == "" {
		return usagef("-session-id is required")
	}
	if err := uploader.CheckSessionID(sessionID); err != nil {
		return usagef("-session-id: %s", trimInvalid(err))
	}
	if out == "-" && f.json {
		return usagef("-json cannot be used with OUT '-': stdout carries the recording")
	}
	if out != "-" && !force {
		if _, err := os.Lstat(out); err == nil {
			return usagef("%s exists; use -force to overwrite it", out)
		}
	}
	h, err := a.newHandler(ctx, &f)
	if err != nil {
		return err
	}
	cfg := h.Config()
	// The size, for progress and to fail before creating any file when
	// the recording does not exist.
	props, err := h.Client().GetBlobProperties(ctx, cfg.SessionContainer, sessionID, nil)
	if err != nil {
		if isNotFoundErr(err) {
			return fmt.Errorf("no recording for session %s in container %q (not uploaded, or not completed yet: `azblobmin uploads` lists uploads in progress): %w",
				sessionID, cfg.SessionContainer, uploader.ErrNotFound)
		}
		return err
	}
	res := downloadResult{SessionID: sessionID, URL: h.GetUploadMetadata(sessionID).URL, Output: out, Size: props.ContentLength}
	prog := cli.NewProgress(a.errw, cli.ChooseProgressMode(quiet, progress, a.stderrIsTTY), "download", props.ContentLength, cli.NoParts, a.progressInterval())
	start := time.Now()
	if out == "-" {
		err = streamTo(ctx, h, sessionID, a.stdout, prog)
	} else {
		err = downloadToFile(ctx, h, sessionID, out, prog)
	}
	prog.Finish()
	res.Seconds = time.Since(start).Seconds()
	if err != nil {
		if a.interruptedFn() {
			return fmt.Errorf("interrupted; nothing was written to %s", out)
		}
		return err
	}
	if out == "-" {
		return nil
	}
	if f.json {
		return cli.WriteJSON(a.out, res)
	}
	fmt.Fprintf(a.out, "downloaded session %s to %s: %s (%d bytes) in %.2fs, %s MiB/s\n", sessionID, out,
		cli.FormatSize(res.Size), res.Size, res.Seconds, cli.MiBPerSecond(res.Size, time.Since(start)))
	return nil
}

// streamTo copies the recording to w in order (stdout cannot seek).
func streamTo(ctx context.Context, h *uploader.Handler, sessionID string, w io.Writer, prog *cli.Progress) error {
	rc, err := h.StreamSessionRecording(ctx, sessionID)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(progressWriter{w, prog}, rc)
	if err != nil {
		return fmt.Errorf("copying the recording to stdout: %w", err)
	}
	return nil
}

// downloadToFile writes to a temporary file next to out (parallel ranged
// writes) and renames it into place only when every byte arrived, so that
// an interrupted download never leaves a truncated recording under out's
// name.
func downloadToFile(ctx context.Context, h *uploader.Handler, sessionID, out string, prog *cli.Progress) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".partial-*")
	if err != nil {
		return fmt.Errorf("cannot create a temporary file next to %s: %w", out, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := h.Download(ctx, sessionID, &progressWriterAt{w: tmp, prog: prog}); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("setting permissions of %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("renaming the download into place as %s: %w", out, err)
	}
	return nil
}

// progressWriter counts bytes written to stdout for the progress meter.
type progressWriter struct {
	w    io.Writer
	prog *cli.Progress
}

func (p progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.prog.Add(int64(n))
	return n, err
}

// progressWriterAt counts bytes written by the parallel download.
type progressWriterAt struct {
	w    io.WriterAt
	prog *cli.Progress
}

func (p *progressWriterAt) WriteAt(b []byte, off int64) (int, error) {
	n, err := p.w.WriteAt(b, off)
	p.prog.Add(int64(n))
	return n, err
}

func isNotFoundErr(err error) bool {
	return errors.Is(err, uploader.ErrNotFound) || errors.Is(err, restapi.ErrNotFound)
}
