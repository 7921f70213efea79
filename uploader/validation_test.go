package uploader_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/azblobmin/azblobmin/uploader"
	"github.com/stretchr/testify/require"
)

// TestBadInputSendsNothing calls every method with bad session ids, upload
// ids, part numbers and object names and checks that each fails with
// ErrInvalidArgument before a single request is made.
func TestBadInputSendsNothing(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	good := newSessionID()
	goodUp := uploader.StreamUpload{ID: newSessionID(), SessionID: good}
	badIDs := []string{"", "../" + good[3:], strings.ToUpper(good), good[:8] + "%2f" + good[11:],
		"{" + good + "}", good + "/", "/" + good, good[:8] + "//" + good[10:], "urn:uuid:" + good}
	body := func() *bytes.Reader { return bytes.NewReader([]byte("data")) }

	var calls []func() error
	for _, bad := range badIDs {
		bs := uploader.StreamUpload{ID: goodUp.ID, SessionID: bad}
		bu := uploader.StreamUpload{ID: bad, SessionID: good}
		calls = append(calls,
			func() error { _, err := e.h.CreateUpload(ctx, bad); return err },
			func() error { return e.h.ReserveUploadPart(ctx, bs, 1) },
			func() error { return e.h.ReserveUploadPart(ctx, bu, 1) },
			func() error { _, err := e.h.UploadPart(ctx, bs, 1, body()); return err },
			func() error { _, err := e.h.UploadPart(ctx, bu, 1, body()); return err },
			func() error { _, err := e.h.ListParts(ctx, bs); return err },
			func() error { _, err := e.h.ListParts(ctx, bu); return err },
			func() error { return e.h.CompleteUpload(ctx, bs, nil) },
			func() error { return e.h.CompleteUpload(ctx, bu, []uploader.StreamPart{{Number: 1}}) },
			func() error { return e.h.AbortUpload(ctx, bs) },
			func() error { return e.h.AbortUpload(ctx, bu) },
			func() error { _, err := e.h.Upload(ctx, bad, body()); return err },
			func() error { return e.h.Download(ctx, bad, &memWriterAt{}) },
			func() error { _, err := e.h.StreamSessionRecording(ctx, bad); return err },
			func() error { _, err := e.h.UploadPendingSummary(ctx, bad, body()); return err },
			func() error { _, err := e.h.UploadSummary(ctx, bad, body()); return err },
			func() error { _, err := e.h.StreamSessionSummary(ctx, bad); return err },
			func() error { _, err := e.h.UploadMetadata(ctx, bad, body()); return err },
			func() error { _, err := e.h.StreamSessionMetadata(ctx, bad); return err },
			func() error { _, err := e.h.UploadThumbnail(ctx, bad, body()); return err },
			func() error { _, err := e.h.StreamSessionThumbnail(ctx, bad); return err },
			func() error { _, err := e.h.UploadReplayObject(ctx, bad, "manifest", body()); return err },
			func() error { _, err := e.h.StreamReplayObjectRange(ctx, bad, "manifest", 0, 0); return err },
		)
	}
	for _, n := range []int64{0, -1, 50001, 1 << 40} {
		calls = append(calls,
			func() error { return e.h.ReserveUploadPart(ctx, goodUp, n) },
			func() error { _, err := e.h.UploadPart(ctx, goodUp, n, body()); return err },
			func() error { return e.h.CompleteUpload(ctx, goodUp, []uploader.StreamPart{{Number: 1}, {Number: n}}) },
		)
	}
	calls = append(calls,
		func() error {
			return e.h.CompleteUpload(ctx, goodUp, []uploader.StreamPart{{Number: 2}, {Number: 1}, {Number: 2}})
		},
		func() error { _, err := e.h.UploadPart(ctx, goodUp, 1, nil); return err },
		func() error { return e.h.Download(ctx, good, nil) },
		func() error { _, err := e.h.StreamReplayObjectRange(ctx, good, "manifest", -1, 0); return err },
		func() error { _, err := e.h.GarbageCollect(ctx, uploader.GCOptions{OlderThan: -1}); return err },
	)
	for _, name := range []string{"", "../manifest", "index", "index.01", "blob.-1", "commands.x", "summary.json", "blob.1/x", "manifest%2f"} {
		calls = append(calls,
			func() error { _, err := e.h.UploadReplayObject(ctx, good, name, body()); return err },
			func() error { _, err := e.h.StreamReplayObjectRange(ctx, good, name, 0, 10); return err },
		)
	}
	for i, call := range calls {
		err := call()
		require.ErrorIs(t, err, uploader.ErrInvalidArgument, "call %d", i)
		require.Regexp(t, "want|pass|needs|give", err.Error(), "call %d: the error says what is allowed", i)
	}
	require.Zero(t, e.count.Count(), "bad input reached the network: %v", e.count.Keys())
	require.Greater(t, len(calls), 200)
}
