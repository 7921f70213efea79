package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
	"github.com/azblobmin/azblobmin/uploader"
	"github.com/google/uuid"
)

// Upload defaults and bounds.
const (
	defaultPartSize    = 5 << 20
	defaultConcurrency = 4
	maxConcurrency     = 256
	progressInterval   = 200 * time.Millisecond
)

// uploadFlags are upload's flags.
type uploadFlags struct {
	connFlags
	sessionID  string
	partSize   *cli.SizeFlag
	resumeID   string
	noComplete bool
	quiet      bool
	progress   bool
}

// uploadResult is upload's output.
type uploadResult struct {
	SessionID       string  `json:"session_id"`
	UploadID        string  `json:"upload_id"`
	URL             string  `json:"url"`
	Size            int64   `json:"size"`
	PartSize        int64   `json:"part_size"`
	Parts           int     `json:"parts"`
	PartsUploaded   int     `json:"parts_uploaded"`
	PartsSkipped    int     `json:"parts_skipped"`
	BytesUploaded   int64   `json:"bytes_uploaded"` // excludes parts skipped on resume
	Completed       bool    `json:"completed"`
	UploadSeconds   float64 `json:"upload_seconds"`
	CompleteSeconds float64 `json:"complete_seconds"`
}

// cmdUpload is `azblobmin upload`.
func cmdUpload(a *app, ctx context.Context, args []string) error {
	c := commands["upload"]
	f := uploadFlags{partSize: cli.NewSizeFlag(defaultPartSize)}
	fs := a.newFlagSet(c)
	f.connFlags.register(fs)
	fs.StringVar(&f.sessionID, "session-id", "", "session id (a lowercase UUID); default: a new random one")
	fs.Var(f.partSize, "part-size", "part `SIZE`: 5MiB, 5MB or 5242880 (at most 4000MiB; at most 50000 parts)")
	fs.IntVar(&f.connFlags.concurrency, "concurrency", defaultConcurrency, "parts uploaded in parallel")
	fs.StringVar(&f.resumeID, "resume-upload-id", "", "continue this upload (needs -session-id): parts already stored are checked and skipped")
	fs.BoolVar(&f.noComplete, "no-complete", false, "upload the parts but leave the upload in progress (finish it with azblobmin complete)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress and no notes on stderr (errors still go there)")
	fs.BoolVar(&f.progress, "progress", false, "show progress on stderr even when it is not a terminal (one line per second)")
	pos, err := a.parse(c, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one FILE (or - for stdin), got %d arguments", len(pos))
	}
	input := pos[0]
	partSize := f.partSize.Bytes()
	if partSize < 1 || partSize > uploader.MaxBlockSize {
		return usagef("-part-size %s is out of range: want 1 byte to 4000MiB", f.partSize)
	}
	if f.concurrency < 1 || f.concurrency > maxConcurrency {
		return usagef("-concurrency %d is out of range: want 1 to %d", f.concurrency, maxConcurrency)
	}
	if f.sessionID != "" {
		if err := uploader.CheckSessionID(f.sessionID); err != nil {
			return usagef("-session-id: %s", trimInvalid(err))
		}
	}
	if f.resumeID != "" {
		if f.sessionID == "" {
			return usagef("-resume-upload-id needs the -session-id of that upload")
		}
		if err := uploader.CheckUploadID(f.resumeID); err != nil {
			return usagef("-resume-upload-id: %s", trimInvalid(err))
		}
	}
	if f.sessionID == "" {
		f.sessionID = uuid.NewString()
	}

	src, size, closeInput, err := a.openInput(input, partSize, f.concurrency+1)
	if err != nil {
		return err
	}
	defer closeInput()

	hc, counter := cli.NewHTTPClient()
	cfg, err := a.handlerConfig(&f.connFlags)
	if err != nil {
		return err
	}
	cfg.HTTPClient = hc
	h, err := a.newHandlerFrom(ctx, cfg)
	if err != nil {
		return err
	}

	var upload uploader.StreamUpload
	var stored map[int64]storedPart
	if f.resumeID != "" {
		upload, err = findUpload(ctx, h, f.sessionID, f.resumeID)
		if err != nil {
			return err
		}
		stored, err = partInventory(ctx, h, upload)
		if err != nil {
			return err
		}
	} else {
		u, err := h.CreateUpload(ctx, f.sessionID)
		if err != nil {
			return err
		}
		upload = *u
	}
	res := uploadResult{SessionID: upload.SessionID, UploadID: upload.ID, PartSize: partSize,
		URL: h.GetUploadMetadata(upload.SessionID).URL}

	notes := a.errw
	if f.quiet {
		notes = io.Discard
	}
	what := "stdin"
	if input != "-" {
		what = input
	}
	if size >= 0 {
		fmt.Fprintf(notes, "uploading %s (%s, %d parts of %s) as session %s, upload %s\n",
			what, cli.FormatSize(size), cli.PartCount(size, partSize), cli.FormatSize(partSize), upload.SessionID, upload.ID)
	} else {
		fmt.Fprintf(notes, "uploading %s in parts of %s as session %s, upload %s\n", what, cli.FormatSize(partSize), upload.SessionID, upload.ID)
	}
	if len(stored) > 0 {
		fmt.Fprintf(notes, "resuming: %d parts already stored will be checked and skipped\n", len(stored))
	}

	partsTotal := -1
	if size >= 0 {
		partsTotal = cli.PartCount(size, partSize)
		// A file's part sizes are known: check the stored parts before
		// sending anything, so a wrong input changes nothing.
		if err := checkStoredSizes(stored, size, partSize); err != nil {
			fmt.Fprintf(a.errw, "azblobmin upload: %v\nnothing was uploaded; resume with the input and -part-size the upload was started with, or discard it with:\n  %s\n",
				err, suggest(f.url, "abort", "-session-id", upload.SessionID, "-upload-id", upload.ID))
			return errReported
		}
	}
	prog := cli.NewProgress(a.errw, cli.ChooseProgressMode(f.quiet, f.progress, a.stderrIsTTY), "upload", size, partsTotal, a.progressInterval())
	counter.OnSent(prog.Add)
	start := time.Now()
	pr := a.uploadParts(ctx, h, upload, src, stored, f.concurrency, prog)
	counter.OnSent(nil)
	prog.Finish()
	res.UploadSeconds = time.Since(start).Seconds()
	res.Size, res.PartsUploaded, res.PartsSkipped, res.BytesUploaded = pr.size, pr.uploaded, pr.skipped, pr.uploadedBytes
	res.Parts = len(pr.parts)

	resume := suggest(f.url, "upload", "-session-id", upload.SessionID, "-resume-upload-id", upload.ID,
		"-part-size", f.partSize.String(), input)
	abort := suggest(f.url, "abort", "-session-id", upload.SessionID, "-upload-id", upload.ID)
	if pr.err != nil {
		var mismatch *resumeMismatchError
		switch {
		case a.interruptedFn():
			fmt.Fprintf(a.errw, "interrupted: in-flight requests were cancelled; %s parts are confirmed stored.\n", partsOf(len(pr.parts), partsTotal))
		case errors.As(pr.err, &mismatch):
			fmt.Fprintf(a.errw, "azblobmin upload: %v\nthe upload is kept: resume it with the input and -part-size it was started with, or discard it with:\n  %s\n", pr.err, abort)
			return errReported
		default:
			fmt.Fprintf(a.errw, "azblobmin upload: %v\n", pr.err)
			for _, hint := range a.hints(pr.err) {
				fmt.Fprintf(a.errw, "hint: %s\n", hint)
			}
		}
		fmt.Fprintf(a.errw, "the upload is kept; upload the missing parts (same input, same part size) with:\n  %s\nor discard it with:\n  %s\n", resume, abort)
		return errReported
	}

	parts := make([]uploader.StreamPart, 0, len(pr.parts))
	for _, p := range pr.parts {
		parts = append(parts, p)
	}
	slices.SortFunc(parts, func(x, y uploader.StreamPart) int { return int(x.Number - y.Number) })
	complete := suggest(f.url, "complete", "-session-id", upload.SessionID, "-upload-id", upload.ID)

	if !f.noComplete {
		cstart := time.Now()
		err := h.CompleteUpload(ctx, upload, parts)
		res.CompleteSeconds = time.Since(cstart).Seconds()
		if err != nil {
			if a.interruptedFn() {
				fmt.Fprintf(a.errw, "interrupted while completing; all %d parts are stored.\n", len(parts))
			} else {
				fmt.Fprintf(a.errw, "azblobmin upload: completing: %v\n", err)
				for _, hint := range a.hints(err) {
					fmt.Fprintf(a.errw, "hint: %s\n", hint)
				}
			}
			fmt.Fprintf(a.errw, "the parts are kept; finish with:\n  %s\n", complete)
			return errReported
		}
		res.Completed = true
	}

	if f.json {
		return cli.WriteJSON(a.out, res)
	}
	fmt.Fprintf(a.out, "session id:  %s\nupload id:   %s\n", res.SessionID, res.UploadID)
	if res.Completed {
		fmt.Fprintf(a.out, "recording:   %s\n", res.URL)
	}
	fmt.Fprintf(a.out, "size:        %s (%d bytes) in %d parts", cli.FormatSize(res.Size), res.Size, res.Parts)
	if res.PartsSkipped > 0 {
		fmt.Fprintf(a.out, " (%d already stored)", res.PartsSkipped)
	}
	fmt.Fprintf(a.out, "\nparts:       %.2fs, %s MiB/s\n", res.UploadSeconds, cli.MiBPerSecond(res.BytesUploaded, time.Duration(res.UploadSeconds*float64(time.Second))))
	if res.Completed {
		fmt.Fprintf(a.out, "complete:    %.2fs\n", res.CompleteSeconds)
	} else {
		fmt.Fprintf(a.out, "status:      parts uploaded, not completed; finish with:\n  %s\n", complete)
	}
	return nil
}

// partsOf is "3 of 13", or "3" when the total is not known (stdin).
func partsOf(done, total int) string {
	if total < 0 {
		return fmt.Sprint(done)
	}
	return fmt.Sprintf("%d of %d", done, total)
}

// progressInterval redraws a terminal often and prints lines once a second.
func (a *app) progressInterval() time.Duration {
	if a.stderrIsTTY {
		return progressInterval
	}
	return time.Second
}

// openInput opens FILE or stdin and returns its parts. size is -1 when not
// known in advance (stdin, pipes).
//
// A stream is held in at most `buffers` part buffers: one per part in
// flight plus one being filled.
func (a *app) openInput(name string, partSize int64, buffers int) (cli.PartSource, int64, func(), error) {
	if name == "-" {
		return cli.NewStreamParts(a.stdin, partSize, buffers), -1, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("cannot open the input: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, nil, fmt.Errorf("cannot stat the input: %w", err)
	}
	if st.IsDir() {
		f.Close()
		return nil, 0, nil, usagef("%s is a directory; give a file or - for stdin", name)
	}
	if !st.Mode().IsRegular() {
		return cli.NewStreamParts(f, partSize, buffers), -1, func() { f.Close() }, nil
	}
	size := st.Size()
	if n := cli.PartCount(size, partSize); n > uploader.MaxParts {
		f.Close()
		min := (size + uploader.MaxParts - 1) / uploader.MaxParts
		return nil, 0, nil, usagef("%s would take %d parts of %s; a recording holds at most %d: use -part-size %s or more",
			name, n, cli.FormatSize(partSize), uploader.MaxParts, cli.FormatFlagSize(roundUpMiB(min)))
	}
	return cli.NewFileParts(f, size, partSize), size, func() { f.Close() }, nil
}

func roundUpMiB(n int64) int64 { return (n + (1 << 20) - 1) &^ ((1 << 20) - 1) }
