package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUploadFileAndDownload(t *testing.T) {
	s := newStore(t)
	path, data := randomFile(t, 11<<20+12345)

	var up uploadResult
	r := runJSON(t, s.env(), nil, &up, "upload", "-json", "-part-size", "2MiB", "-concurrency", "3", path)
	assert.NotEmpty(t, up.SessionID)
	assert.NotEmpty(t, up.UploadID)
	assert.Equal(t, int64(len(data)), up.Size)
	assert.Equal(t, int64(2<<20), up.PartSize)
	assert.Equal(t, 6, up.Parts)
	assert.Equal(t, 6, up.PartsUploaded)
	assert.True(t, up.Completed)
	assert.Equal(t, "http://"+emu.Host+"/"+emu.AccountName+"/"+s.session+"/"+up.SessionID, up.URL)
	assert.NotContains(t, r.stderr, "\r", "no progress when stderr is not a terminal")
	// The bytes stored, read without the CLI.
	assert.True(t, bytes.Equal(data, s.recording(up.SessionID)), "stored recording differs from the file")
	// Nothing left in progress: marker and parts were cleaned up.
	assert.Empty(t, s.blobs(s.inprogress, ""))

	// download to a file
	out := filepath.Join(t.TempDir(), "out.bin")
	var dl downloadResult
	runJSON(t, s.env(), nil, &dl, "download", "-json", "-session-id", up.SessionID, out)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data, got))
	assert.Equal(t, int64(len(data)), dl.Size)
	assert.Equal(t, out, dl.Output)
	entries, _ := os.ReadDir(filepath.Dir(out))
	assert.Len(t, entries, 1, "no temporary file left next to the download")

	// download to stdout
	r = run(t, s.env(), nil, "download", "-session-id", up.SessionID, "-")
	require.Equal(t, 0, r.code, r.String())
	assert.True(t, r.stdout == string(data), "stdout download differs")

	// an existing file is not overwritten without -force
	r = run(t, s.env(), nil, "download", "-session-id", up.SessionID, out)
	assert.Equal(t, 2, r.code, r.String())
	assert.Contains(t, r.stderr, "exists; use -force")
	r = run(t, s.env(), nil, "download", "-force", "-session-id", up.SessionID, out)
	assert.Equal(t, 0, r.code, r.String())
	assert.Contains(t, r.stdout, "downloaded session "+up.SessionID)

	// a recording that does not exist
	r = run(t, s.env(), nil, "download", "-session-id", "5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a", filepath.Join(t.TempDir(), "x"))
	assert.Equal(t, 1, r.code, r.String())
	assert.Contains(t, r.stderr, "no recording for session 5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a")
}

func TestUploadHumanOutputAndSessionID(t *testing.T) {
	s := newStore(t)
	path, data := randomFile(t, 300_000)
	const sid = "0f0e0d0c-0b0a-4909-8807-060504030201"
	r := run(t, s.env(), nil, "upload", "-session-id", sid, "-part-size", "100KiB", path)
	require.Equal(t, 0, r.code, r.String())
	assert.Contains(t, r.stdout, "session id:  "+sid+"\n")
	assert.Regexp(t, `upload id:   [0-9a-f-]{36}\n`, r.stdout)
	assert.Contains(t, r.stdout, "recording:   http://"+emu.Host+"/"+emu.AccountName+"/"+s.session+"/"+sid+"\n")
	assert.Contains(t, r.stdout, "(300000 bytes) in 3 parts")
	assert.Contains(t, r.stderr, "uploading "+path+" (293.0 KiB, 3 parts of 100.0 KiB) as session "+sid)
	assert.Equal(t, data, s.recording(sid))

	// -quiet: nothing on stderr
	r = run(t, s.env(), nil, "upload", "-quiet", "-part-size", "100KiB", path)
	require.Equal(t, 0, r.code, r.String())
	assert.Empty(t, r.stderr)

	// -progress off a terminal: plain lines, no carriage returns
	r = run(t, s.env(), nil, "upload", "-progress", "-part-size", "100KiB", path)
	require.Equal(t, 0, r.code, r.String())
	assert.Contains(t, r.stderr, "upload    293.0 KiB / 293.0 KiB  100.0%")
	assert.Contains(t, r.stderr, "parts 3/3\n")
	assert.NotContains(t, r.stderr, "\r")

	// uploading a second recording for the same session is refused by the
	// uploader (recordings are written once)
	r = run(t, s.env(), nil, "upload", "-session-id", sid, path)
	assert.Equal(t, 1, r.code, r.String())
	assert.Contains(t, r.stderr, "already exists")
	assert.Contains(t, r.stderr, "the parts are kept; finish with:")
}

func TestUploadStdin(t *testing.T) {
	s := newStore(t)
	_, data := randomFile(t, 5<<20+7)
	var up uploadResult
	runJSON(t, s.env(), bytes.NewReader(data), &up, "upload", "-json", "-part-size", "1MiB", "-concurrency", "2", "-")
	assert.Equal(t, 6, up.Parts)
	assert.Equal(t, int64(len(data)), up.Size)
	assert.Equal(t, data, s.recording(up.SessionID))

	// empty input: an empty recording
	runJSON(t, s.env(), strings.NewReader(""), &up, "upload", "-json", "-")
	assert.Equal(t, int64(0), up.Size)
	assert.True(t, up.Completed)
	assert.Empty(t, s.recording(up.SessionID))
}

func TestNoCompleteListPartsComplete(t *testing.T) {
	s := newStore(t)
	path, data := randomFile(t, 2_500_000)
	var up uploadResult
	runJSON(t, s.env(), nil, &up, "upload", "-json", "-no-complete", "-part-size", "1MB", path)
	assert.False(t, up.Completed)
	assert.Equal(t, 3, up.Parts)

	// uploads, JSON and text
	var ups struct {
		Uploads []uploadInfo `json:"uploads"`
	}
	runJSON(t, s.env(), nil, &ups, "uploads", "-json")
	require.Len(t, ups.Uploads, 1)
	assert.Equal(t, up.SessionID, ups.Uploads[0].SessionID)
	assert.Equal(t, up.UploadID, ups.Uploads[0].UploadID)
	assert.Equal(t, 3, ups.Uploads[0].Parts)
	assert.WithinDuration(t, time.Now(), ups.Uploads[0].Initiated, 2*time.Minute)
	r := run(t, s.env(), nil, "uploads")
	require.Equal(t, 0, r.code, r.String())
	assert.Regexp(t, `SESSION ID\s+UPLOAD ID\s+AGE\s+PARTS\s+INITIATED\n`+up.SessionID+`\s+`+up.UploadID+`\s+\d+s\s+3\s+`, r.stdout)

	// parts
	var parts partsOutput
	runJSON(t, s.env(), nil, &parts, "parts", "-json", "-session-id", up.SessionID, "-upload-id", up.UploadID)
	require.Len(t, parts.Parts, 3)
	assert.Equal(t, []int64{1_000_000, 1_000_000, 500_000}, []int64{parts.Parts[0].Size, parts.Parts[1].Size, parts.Parts[2].Size})
	assert.Equal(t, int64(len(data)), parts.TotalSize)
	assert.Empty(t, parts.Missing)
	r = run(t, s.env(), nil, "parts", "-session-id", up.SessionID, "-upload-id", up.UploadID)
	require.Equal(t, 0, r.code, r.String())
	assert.Contains(t, r.stdout, "3 parts, 2.4 MiB (2500000 bytes)\n")

	// not completed: no recording yet
	_, err := s.client.GetBlobProperties(context.Background(), s.session, up.SessionID, nil)
	require.Error(t, err)

	// complete
	var done completeResult
	runJSON(t, s.env(), nil, &done, "complete", "-json", "-session-id", up.SessionID, "-upload-id", up.UploadID)
	assert.Equal(t, 3, done.Parts)
	assert.Equal(t, int64(len(data)), done.Size)
	assert.False(t, done.AlreadyDone)
	assert.Equal(t, data, s.recording(up.SessionID))
	runJSON(t, s.env(), nil, &ups, "uploads", "-json")
	assert.Empty(t, ups.Uploads)
	r = run(t, s.env(), nil, "uploads")
	assert.Equal(t, "no uploads in progress in container \""+s.inprogress+"\"\n", r.stdout)

	// completing again is harmless and says so
	r = run(t, s.env(), nil, "complete", "-session-id", up.SessionID, "-upload-id", up.UploadID)
	require.Equal(t, 0, r.code, r.String())
	assert.Contains(t, r.stdout, "was already completed")
}

func TestCompleteRefusesGaps(t *testing.T) {
	s := newStore(t)
	path, data := randomFile(t, 3_000_000)
	var up uploadResult
	runJSON(t, s.env(), nil, &up, "upload", "-json", "-no-complete", "-part-size", "1MB", path)
	require.NoError(t, s.client.DeleteBlob(context.Background(), s.inprogress, "part/"+up.SessionID+"/"+up.UploadID+"/2", nil))

	r := run(t, s.env(), nil, "complete", "-session-id", up.SessionID, "-upload-id", up.UploadID)
	assert.Equal(t, 1, r.code, r.String())
	assert.Contains(t, r.stderr, "is missing parts 2")

	var parts partsOutput
	runJSON(t, s.env(), nil, &parts, "parts", "-json", "-session-id", up.SessionID, "-upload-id", up.UploadID)
	assert.Equal(t, []int64{2}, parts.Missing)

	// The resume uploads only the missing part, then completes.
	var res uploadResult
	runJSON(t, s.env(), nil, &res, "upload", "-json", "-session-id", up.SessionID, "-resume-upload-id", up.UploadID, "-part-size", "1MB", path)
	assert.Equal(t, 1, res.PartsUploaded)
	assert.Equal(t, 2, res.PartsSkipped)
	assert.Equal(t, int64(1_000_000), res.BytesUploaded)
	assert.True(t, res.Completed)
	assert.Equal(t, data, s.recording(up.SessionID))
}

func TestResumeRefusesOtherInput(t *testing.T) {
	s := newStore(t)
	path, _ := randomFile(t, 3_000_000)
	var up uploadResult
	runJSON(t, s.env(), nil, &up, "upload", "-json", "-no-complete", "-part-size", "1MB", path)
	before := s.blobs(s.inprogress, "part/")

	other, otherData := randomFile(t, 2_000_000)
	for _, tc := range []struct {
		args  []string
		stdin []byte
	}{
		{args: []string{"-part-size", "1MB", other}},                 // fewer parts
		{args: []string{"-part-size", "2MB", path}},                  // another part size
		{args: []string{"-part-size", "1MB", "-"}, stdin: otherData}, // stdin: found at its end
	} {
		full := append([]string{"upload", "-session-id", up.SessionID, "-resume-upload-id", up.UploadID}, tc.args...)
		r := run(t, s.env(), bytes.NewReader(tc.stdin), full...)
		assert.Equal(t, 1, r.code, r.String())
		assert.Contains(t, r.stderr, "is not the input (or -part-size) the upload was started with", r.String())
		assert.Contains(t, r.stderr, "azblobmin abort -session-id "+up.SessionID+" -upload-id "+up.UploadID)
	}
	assert.Equal(t, before, s.blobs(s.inprogress, "part/"), "a refused resume changes no part")

	// a resume of an upload that does not exist
	r := run(t, s.env(), nil, "upload", "-session-id", up.SessionID, "-resume-upload-id", "0e0c1c0a-4b1e-4a53-9d38-36f1e1e1a0b2", path)
	assert.Equal(t, 1, r.code, r.String())
	assert.Contains(t, r.stderr, "is not in progress")
}

func TestAbort(t *testing.T) {
	s := newStore(t)
	path, _ := randomFile(t, 1_500_000)
	var up uploadResult
	runJSON(t, s.env(), nil, &up, "upload", "-json", "-no-complete", "-part-size", "500KB", path)
	require.Len(t, s.blobs(s.inprogress, ""), 4, "marker and three parts")

	var ab abortResult
	runJSON(t, s.env(), nil, &ab, "abort", "-json", "-session-id", up.SessionID, "-upload-id", up.UploadID)
	assert.Equal(t, 3, ab.PartsDeleted)
	assert.Empty(t, s.blobs(s.inprogress, ""))

	r := run(t, s.env(), nil, "abort", "-session-id", up.SessionID, "-upload-id", up.UploadID)
	assert.Equal(t, 1, r.code, r.String())
	assert.Contains(t, r.stderr, "is not in progress")
}

func TestGC(t *testing.T) {
	s := newStore(t)
	pathA, dataA := randomFile(t, 1_200_000)
	pathB, _ := randomFile(t, 700_000)
	var a, b uploadResult
	runJSON(t, s.env(), nil, &a, "upload", "-json", "-no-complete", "-part-size", "500KB", pathA)
	runJSON(t, s.env(), nil, &b, "upload", "-json", "-no-complete", "-part-size", "500KB", pathB)

	// nothing is old enough with the default 24h
	var out gcOutput
	runJSON(t, s.env(), nil, &out, "gc", "-json")
	assert.True(t, out.DryRun)
	assert.Equal(t, 2, out.Examined)
	assert.Empty(t, out.Uploads)

	// dry run: reported, nothing changed
	r := run(t, s.env(), nil, "gc", "-older-than", "0s")
	require.Equal(t, 0, r.code, r.String())
	assert.Contains(t, r.stdout, "dry run: nothing changed; add -apply to act")
	assert.Contains(t, r.stdout, "would complete")
	assert.Len(t, s.blobs(s.inprogress, "upload/"), 2)

	// abort one by hand, then gc -apply completes the other
	runJSON(t, s.env(), nil, &abortResult{}, "abort", "-json", "-session-id", b.SessionID, "-upload-id", b.UploadID)
	runJSON(t, s.env(), nil, &out, "gc", "-json", "-older-than", "0s", "-apply")
	assert.False(t, out.DryRun)
	require.Len(t, out.Uploads, 1)
	assert.Equal(t, gcEntry{SessionID: a.SessionID, UploadID: a.UploadID, Initiated: out.Uploads[0].Initiated, Action: "complete", Done: true}, out.Uploads[0])
	assert.Equal(t, dataA, s.recording(a.SessionID))
	assert.Empty(t, s.blobs(s.inprogress, ""))

	// -abort -apply deletes instead
	var c uploadResult
	runJSON(t, s.env(), nil, &c, "upload", "-json", "-no-complete", pathB)
	runJSON(t, s.env(), nil, &out, "gc", "-json", "-older-than", "0s", "-abort", "-apply")
	require.Len(t, out.Uploads, 1)
	assert.Equal(t, "abort", out.Uploads[0].Action)
	assert.Empty(t, s.blobs(s.inprogress, ""))
	_, err := s.client.GetBlobProperties(context.Background(), s.session, c.SessionID, nil)
	assert.Error(t, err, "an aborted upload leaves no recording")
}
