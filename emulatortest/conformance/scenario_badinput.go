package conformance

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/azblobmin/azblobmin/uploader"
)

// badSessionIDs are session ids a handler must refuse: only the canonical
// (lower-case, hyphenated, 36-character) UUID form names a recording, so
// that one session can never map to two blob names or escape its path.
func badSessionIDs(valid, other string) []string {
	return []string{
		"", " ", ".", "..", "../x", "%2f", "%2F", "a/b", "x", "not-a-uuid",
		strings.ToUpper(valid),
		"{" + valid + "}",
		"urn:uuid:" + valid,
		strings.ReplaceAll(valid, "-", ""),
		valid + "/",
		"/" + valid,
		valid + "/../" + other,
		valid + "%2f",
		valid + "%2F..",
		" " + valid,
		valid + "\n",
		valid + "\x00",
		valid[:35],
		valid[:35] + "g",
		valid + "0",
	}
}

// badUploadIDs are upload ids a handler must refuse: anything that is not
// a UUID, and anything with path syntax.
func badUploadIDs(valid string) []string {
	return []string{
		"", " ", ".", "..", "../x", "%2f", "a/b", "x", "not-a-uuid",
		valid + "/..", "/" + valid, valid + "/", valid + "%2f", " " + valid, valid + "\x00", valid[:35] + "g",
	}
}

// badPartNumbers are outside 1…50,000 (a blob holds at most 50,000 blocks).
var badPartNumbers = []int64{0, -1, 50001, math.MaxInt64, math.MinInt64}

// BadInput calls every method that takes a session id, upload id or part
// number with bad values: each call must return an error, and none may
// send a request (the Recorder's count must not move).
func BadInput(t testing.TB, env Env) {
	env.mustCheck(t)
	ctx := scenarioContext(t)
	h, rec := env.handler(t, Hooks{})
	s, other := newSessionID(), newSessionID()
	validUp := uploader.StreamUpload{ID: uuid.NewString(), SessionID: s}
	goodPart := []uploader.StreamPart{{Number: 1, ETag: `"0x1"`}}

	calls := 0
	check := func(what string, call func(ctx context.Context) error) {
		t.Helper()
		calls++
		before := rec.Total()
		err := call(ctx)
		if sent := rec.Total() - before; sent != 0 {
			t.Errorf("%s sent %d request(s); bad input must be refused before any request", what, sent)
		}
		if err == nil {
			t.Errorf("%s returned nil, want an error saying what is allowed", what)
		} else if strings.TrimSpace(err.Error()) == "" {
			t.Errorf("%s returned an error with an empty message", what)
		}
	}

	for _, bad := range badSessionIDs(s, other) {
		q := fmt.Sprintf("%q", bad)
		up := uploader.StreamUpload{ID: validUp.ID, SessionID: bad}
		check("CreateUpload("+q+")", func(ctx context.Context) error { _, err := h.CreateUpload(ctx, bad); return err })
		check("Upload("+q+")", func(ctx context.Context) error {
			_, err := h.Upload(ctx, bad, bytes.NewReader([]byte("x")))
			return err
		})
		check("Download("+q+")", func(ctx context.Context) error { return h.Download(ctx, bad, newMemWriterAt(1<<20)) })
		check("ReserveUploadPart(session "+q+")", func(ctx context.Context) error { return h.ReserveUploadPart(ctx, up, 1) })
		check("UploadPart(session "+q+")", func(ctx context.Context) error {
			_, err := h.UploadPart(ctx, up, 1, bytes.NewReader([]byte("x")))
			return err
		})
		check("ListParts(session "+q+")", func(ctx context.Context) error { _, err := h.ListParts(ctx, up); return err })
		check("CompleteUpload(session "+q+")", func(ctx context.Context) error { return h.CompleteUpload(ctx, up, goodPart) })
		check("AbortUpload(session "+q+")", func(ctx context.Context) error { return h.AbortUpload(ctx, up) })
	}
	for _, bad := range badUploadIDs(validUp.ID) {
		q := fmt.Sprintf("%q", bad)
		up := uploader.StreamUpload{ID: bad, SessionID: s}
		check("ReserveUploadPart(upload "+q+")", func(ctx context.Context) error { return h.ReserveUploadPart(ctx, up, 1) })
		check("UploadPart(upload "+q+")", func(ctx context.Context) error {
			_, err := h.UploadPart(ctx, up, 1, bytes.NewReader([]byte("x")))
			return err
		})
		check("ListParts(upload "+q+")", func(ctx context.Context) error { _, err := h.ListParts(ctx, up); return err })
		check("CompleteUpload(upload "+q+")", func(ctx context.Context) error { return h.CompleteUpload(ctx, up, goodPart) })
		check("AbortUpload(upload "+q+")", func(ctx context.Context) error { return h.AbortUpload(ctx, up) })
	}
	for _, n := range badPartNumbers {
		check(fmt.Sprintf("ReserveUploadPart(part %d)", n), func(ctx context.Context) error { return h.ReserveUploadPart(ctx, validUp, n) })
		check(fmt.Sprintf("UploadPart(part %d)", n), func(ctx context.Context) error {
			_, err := h.UploadPart(ctx, validUp, n, bytes.NewReader([]byte("x")))
			return err
		})
		check(fmt.Sprintf("CompleteUpload(part %d)", n), func(ctx context.Context) error {
			return h.CompleteUpload(ctx, validUp, []uploader.StreamPart{{Number: 1, ETag: `"0x1"`}, {Number: n, ETag: `"0x2"`}})
		})
	}
	t.Logf("%d calls with bad input; %d requests sent in total (all by handler set-up)", calls, rec.Total())
}
