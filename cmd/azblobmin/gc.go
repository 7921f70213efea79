package main

import (
	"context"
	"fmt"
	"time"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
	"github.com/azblobmin/azblobmin/uploader"
)

// gcEntry is one abandoned upload in gc's output.
type gcEntry struct {
	SessionID string    `json:"session_id"`
	UploadID  string    `json:"upload_id"`
	Initiated time.Time `json:"initiated"`
	Action    string    `json:"action"` // complete | abort
	Done      bool      `json:"done"`   // false in a dry run or on failure
	Error     string    `json:"error,omitempty"`
}

// gcOutput is gc's -json output.
type gcOutput struct {
	DryRun     bool      `json:"dry_run"`
	OlderThan  string    `json:"older_than"`
	Examined   int       `json:"examined"`
	Uploads    []gcEntry `json:"uploads"`
	StrayParts int       `json:"stray_parts"`
	Failed     int       `json:"failed"`
}

// cmdGC is `azblobmin gc`.
func cmdGC(a *app, ctx context.Context, args []string) error {
	c := commands["gc"]
	var f connFlags
	var olderThan time.Duration
	var abort, apply bool
	fs := a.newFlagSet(c)
	f.register(fs)
	fs.DurationVar(&olderThan, "older-than", 24*time.Hour, "only uploads started at least this long ago (e.g. 24h, 90m); 0 means all, unsafe while uploads run")
	fs.BoolVar(&abort, "abort", false, "abort (delete) abandoned uploads instead of completing them from their parts")
	fs.BoolVar(&apply, "apply", false, "act; without it gc only reports what it would do (dry run)")
	if err := a.parseNoArgs(c, fs, args); err != nil {
		return err
	}
	if olderThan < 0 {
		return usagef("-older-than %v is negative", olderThan)
	}
	h, err := a.newHandler(ctx, &f)
	if err != nil {
		return err
	}
	rep, gcErr := h.GarbageCollect(ctx, uploader.GCOptions{OlderThan: olderThan, Abort: abort, DryRun: !apply})
	out := gcOutput{DryRun: !apply, OlderThan: olderThan.String(), Examined: rep.Examined, StrayParts: rep.StrayParts, Uploads: []gcEntry{}}
	for _, u := range rep.Completed {
		out.Uploads = append(out.Uploads, gcEntry{SessionID: u.SessionID, UploadID: u.ID, Initiated: u.Initiated, Action: "complete", Done: apply})
	}
	for _, u := range rep.Aborted {
		out.Uploads = append(out.Uploads, gcEntry{SessionID: u.SessionID, UploadID: u.ID, Initiated: u.Initiated, Action: "abort", Done: apply})
	}
	action := "complete"
	if abort {
		action = "abort"
	}
	for _, fl := range rep.Failed {
		out.Uploads = append(out.Uploads, gcEntry{SessionID: fl.Upload.SessionID, UploadID: fl.Upload.ID, Initiated: fl.Upload.Initiated,
			Action: action, Error: a.scrub.String(fl.Err.Error())})
		out.Failed++
	}
	if f.json {
		if err := cli.WriteJSON(a.out, out); err != nil {
			return err
		}
	} else {
		a.printGC(out)
	}
	if gcErr != nil {
		if len(rep.Failed) > 0 && !f.json {
			return fmt.Errorf("%d of %d abandoned uploads failed (see above)", len(rep.Failed), len(out.Uploads))
		}
		return gcErr
	}
	return nil
}

func (a *app) printGC(out gcOutput) {
	mode := "dry run: nothing changed; add -apply to act"
	if !out.DryRun {
		mode = "applied"
	}
	fmt.Fprintf(a.out, "gc (%s): %d uploads in progress, %d started more than %s ago\n", mode, out.Examined, len(out.Uploads), out.OlderThan)
	if len(out.Uploads) > 0 {
		t := cli.NewTable("SESSION ID", "UPLOAD ID", "AGE", "ACTION", "RESULT")
		now := time.Now()
		for _, e := range out.Uploads {
			result := "would " + e.Action
			switch {
			case e.Error != "":
				result = "failed: " + e.Error
			case e.Done && e.Action == "complete":
				result = "completed"
			case e.Done:
				result = "aborted"
			}
			t.Row(e.SessionID, e.UploadID, cli.FormatAge(now.Sub(e.Initiated)), e.Action, result)
		}
		_, _ = t.WriteTo(a.out)
	}
	verb := "deleted"
	if out.DryRun {
		verb = "would be deleted"
	}
	fmt.Fprintf(a.out, "stray parts (no upload marker): %d %s\n", out.StrayParts, verb)
}
