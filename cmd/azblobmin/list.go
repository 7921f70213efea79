package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
	"github.com/azblobmin/azblobmin/uploader"
)

// listConcurrency bounds the ListParts calls `uploads` makes at once.
const listConcurrency = 8

// uploadInfo is one upload in progress in uploads' -json output.
type uploadInfo struct {
	SessionID  string    `json:"session_id"`
	UploadID   string    `json:"upload_id"`
	Initiated  time.Time `json:"initiated"`
	AgeSeconds int64     `json:"age_seconds"`
	Parts      int       `json:"parts"`
}

// cmdUploads is `azblobmin uploads`.
func cmdUploads(a *app, ctx context.Context, args []string) error {
	c := commands["uploads"]
	var f connFlags
	var sessionID string
	fs := a.newFlagSet(c)
	f.register(fs)
	fs.StringVar(&sessionID, "session-id", "", "only uploads of this session")
	if err := a.parseNoArgs(c, fs, args); err != nil {
		return err
	}
	h, err := a.newHandler(ctx, &f)
	if err != nil {
		return err
	}
	uploads, err := h.ListUploads(ctx)
	if err != nil {
		return err
	}
	if sessionID != "" {
		uploads = slices.DeleteFunc(uploads, func(u uploader.StreamUpload) bool { return u.SessionID != sessionID })
	}
	now := time.Now()
	infos := make([]uploadInfo, len(uploads))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, listConcurrency)
	for i, u := range uploads {
		infos[i] = uploadInfo{SessionID: u.SessionID, UploadID: u.ID, Initiated: u.Initiated,
			AgeSeconds: int64(now.Sub(u.Initiated) / time.Second)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			parts, err := h.ListParts(ctx, u)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			infos[i].Parts = len(parts)
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if f.json {
		return cli.WriteJSON(a.out, struct {
			Uploads []uploadInfo `json:"uploads"`
		}{infos})
	}
	if len(infos) == 0 {
		fmt.Fprintf(a.out, "no uploads in progress in container %q\n", h.Config().InprogressContainer)
		return nil
	}
	t := cli.NewTable("SESSION ID", "UPLOAD ID", "AGE", "PARTS", "INITIATED")
	for _, in := range infos {
		t.Row(in.SessionID, in.UploadID, cli.FormatAge(now.Sub(in.Initiated)), in.Parts, in.Initiated.Format(time.RFC3339))
	}
	_, err = t.WriteTo(a.out)
	return err
}

// partInfo is one stored part in parts' -json output.
type partInfo struct {
	Number       int64     `json:"number"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"`
	LastModified time.Time `json:"last_modified"`
}

// partsOutput is parts' -json output.
type partsOutput struct {
	SessionID string     `json:"session_id"`
	UploadID  string     `json:"upload_id"`
	Parts     []partInfo `json:"parts"`
	TotalSize int64      `json:"total_size"`
	Missing   []int64    `json:"missing"`
}

// uploadIDFlags are -session-id and -upload-id, both required.
type uploadIDFlags struct {
	sessionID, uploadID string
}

func (u *uploadIDFlags) register(fs interface {
	StringVar(p *string, name, value, usage string)
}) {
	fs.StringVar(&u.sessionID, "session-id", "", "session id of the upload (required)")
	fs.StringVar(&u.uploadID, "upload-id", "", "upload id (required; azblobmin uploads lists them)")
}

func (u *uploadIDFlags) check() error {
	if u.sessionID == "" || u.uploadID == "" {
		return usagef("-session-id and -upload-id are both required (`azblobmin uploads` lists them)")
	}
	if err := uploader.CheckSessionID(u.sessionID); err != nil {
		return usagef("-session-id: %s", trimInvalid(err))
	}
	if err := uploader.CheckUploadID(u.uploadID); err != nil {
		return usagef("-upload-id: %s", trimInvalid(err))
	}
	return nil
}

func (u *uploadIDFlags) upload() uploader.StreamUpload {
	return uploader.StreamUpload{SessionID: u.sessionID, ID: u.uploadID}
}

// openUpload does what the commands acting on one upload (complete, abort,
// parts) share: it registers the connection flags, -session-id, -upload-id
// and whatever more registers, parses args (flags only), checks the ids and
// connects.
func (a *app) openUpload(ctx context.Context, c *command, args []string, f *connFlags, ids *uploadIDFlags, more func(*flag.FlagSet)) (*uploader.Handler, error) {
	fs := a.newFlagSet(c)
	f.register(fs)
	ids.register(fs)
	if more != nil {
		more(fs)
	}
	if err := a.parseNoArgs(c, fs, args); err != nil {
		return nil, err
	}
	if err := ids.check(); err != nil {
		return nil, err
	}
	return a.newHandler(ctx, f)
}

// cmdParts is `azblobmin parts`.
func cmdParts(a *app, ctx context.Context, args []string) error {
	var f connFlags
	var ids uploadIDFlags
	h, err := a.openUpload(ctx, commands["parts"], args, &f, &ids, nil)
	if err != nil {
		return err
	}
	inv, err := partInventory(ctx, h, ids.upload())
	if err != nil {
		return err
	}
	out := partsOutput{SessionID: ids.sessionID, UploadID: ids.uploadID, Parts: []partInfo{}, Missing: missingParts(inv)}
	for _, n := range slices.Sorted(maps.Keys(inv)) {
		p := inv[n]
		out.Parts = append(out.Parts, partInfo{Number: n, Size: p.Size, ETag: p.ETag, LastModified: p.LastModified})
		out.TotalSize += max(p.Size, 0)
	}
	if f.json {
		return cli.WriteJSON(a.out, out)
	}
	if len(out.Parts) == 0 {
		fmt.Fprintf(a.out, "upload %s of session %s has no parts\n", ids.uploadID, ids.sessionID)
		return nil
	}
	t := cli.NewTable("PART", "SIZE", "ETAG", "LAST MODIFIED")
	for _, p := range out.Parts {
		t.Row(p.Number, p.Size, p.ETag, p.LastModified.Format(time.RFC3339))
	}
	if _, err := t.WriteTo(a.out); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "%d parts, %s (%d bytes)", len(out.Parts), cli.FormatSize(out.TotalSize), out.TotalSize)
	if len(out.Missing) > 0 {
		fmt.Fprintf(a.out, "; missing parts: %s", formatNumbers(out.Missing))
	}
	fmt.Fprintln(a.out)
	return nil
}

// missingParts returns the numbers between 1 and the highest stored part
// that are not stored: a recording completed with a gap would lack data.
func missingParts[T any](parts map[int64]T) []int64 {
	var hi int64
	for n := range parts {
		hi = max(hi, n)
	}
	missing := []int64{}
	for n := int64(1); n <= hi; n++ {
		if _, ok := parts[n]; !ok {
			missing = append(missing, n)
		}
	}
	return missing
}

// formatNumbers prints 1,2,3,7,9,10 as "1-3, 7, 9-10".
func formatNumbers(ns []int64) string {
	var out []string
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if i == j {
			out = append(out, fmt.Sprint(ns[i]))
		} else {
			out = append(out, fmt.Sprintf("%d-%d", ns[i], ns[j]))
		}
		i = j + 1
	}
	return strings.Join(out, ", ")
}
