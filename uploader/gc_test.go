package uploader_test

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/uploader"
	"github.com/stretchr/testify/require"
)

// gcFixture makes: a (2 parts), b (no parts), c (1 part), stray parts of an
// upload whose marker is gone, and d, an upload whose session already has a
// recording from another upload.
func gcFixture(t *testing.T, e *testEnv) (a, b, c, d uploader.StreamUpload, sessions map[string]string) {
	ctx := context.Background()
	sessions = map[string]string{}
	sa, sb, sc, sd, sx := newSessionID(), newSessionID(), newSessionID(), newSessionID(), newSessionID()
	a, _ = e.uploadParts(t, sa, [][]byte{[]byte("a1"), []byte("a2")})
	bp, err := e.h.CreateUpload(ctx, sb)
	require.NoError(t, err)
	b = *bp
	c, _ = e.uploadParts(t, sc, [][]byte{[]byte("c1")})
	x, _ := e.uploadParts(t, sx, [][]byte{[]byte("x1"), []byte("x2")})
	require.NoError(t, e.raw.DeleteBlob(ctx, e.cfg.InprogressContainer, "upload/"+sx+"/"+x.ID, nil))
	_, err = e.h.Upload(ctx, sd, strings.NewReader("someone else's"))
	require.NoError(t, err)
	d, _ = e.uploadParts(t, sd, [][]byte{[]byte("d1")})
	sessions["a"], sessions["b"], sessions["c"], sessions["d"] = sa, sb, sc, sd
	return a, b, c, d, sessions
}

func ids(us []uploader.StreamUpload) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.ID)
	}
	sort.Strings(out)
	return out
}

func sortedIDs(us ...uploader.StreamUpload) []string { return ids(us) }

func TestGarbageCollectComplete(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	a, b, c, d, ss := gcFixture(t, e)
	before := e.blobs(t, e.cfg.InprogressContainer)

	rep, err := e.h.GarbageCollect(ctx, uploader.GCOptions{OlderThan: time.Hour})
	require.NoError(t, err)
	require.Equal(t, 4, rep.Examined)
	require.Empty(t, rep.Completed)
	require.Zero(t, rep.StrayParts, "young stray parts are left alone")
	require.Equal(t, before, e.blobs(t, e.cfg.InprogressContainer))

	rep, err = e.h.GarbageCollect(ctx, uploader.GCOptions{DryRun: true})
	require.ErrorIs(t, err, nil)
	require.Equal(t, sortedIDs(a, b, c, d), ids(rep.Completed))
	require.Equal(t, 2, rep.StrayParts)
	require.Equal(t, before, e.blobs(t, e.cfg.InprogressContainer), "a dry run changes nothing")

	rep, err = e.h.GarbageCollect(ctx, uploader.GCOptions{})
	require.ErrorIs(t, err, uploader.ErrAlreadyExists, "d cannot be completed")
	require.Equal(t, sortedIDs(a, b, c), ids(rep.Completed))
	require.Len(t, rep.Failed, 1)
	require.Equal(t, d.ID, rep.Failed[0].Upload.ID)
	require.Equal(t, 2, rep.StrayParts)
	require.Equal(t, "a1a2", string(e.download(t, ss["a"])))
	require.Equal(t, "c1", string(e.download(t, ss["c"])))
	require.Equal(t, "someone else's", string(e.download(t, ss["d"])))
	require.ErrorIs(t, e.h.Download(ctx, ss["b"], &memWriterAt{}), uploader.ErrNotFound, "no parts, no recording")
	// Only d remains in progress, for an operator to abort.
	left := e.blobs(t, e.cfg.InprogressContainer)
	require.ElementsMatch(t, []string{"upload/" + ss["d"] + "/" + d.ID, "part/" + ss["d"] + "/" + d.ID + "/1"}, left)

	rep, err = e.h.GarbageCollect(ctx, uploader.GCOptions{Abort: true})
	require.NoError(t, err)
	require.Equal(t, sortedIDs(d), ids(rep.Aborted))
	require.Empty(t, e.blobs(t, e.cfg.InprogressContainer))
}

func TestGarbageCollectAbort(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	a, b, c, d, ss := gcFixture(t, e)
	rep, err := e.h.GarbageCollect(ctx, uploader.GCOptions{Abort: true})
	require.NoError(t, err)
	require.Equal(t, sortedIDs(a, b, c, d), ids(rep.Aborted))
	require.Empty(t, rep.Completed)
	require.Equal(t, 2, rep.StrayParts)
	require.Empty(t, e.blobs(t, e.cfg.InprogressContainer))
	for _, k := range []string{"a", "b", "c"} {
		require.ErrorIs(t, e.h.Download(ctx, ss[k], &memWriterAt{}), uploader.ErrNotFound)
	}
	require.Equal(t, []string{ss["d"]}, e.blobs(t, e.cfg.SessionContainer))
}

// batchRefusing answers every Blob Batch request itself with status, so
// the handler must fall back to single deletes.
type batchRefusing struct {
	status  int
	batches atomic.Int32
}

func (b *batchRefusing) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.URL.Query().Get("comp") == "batch" {
		b.batches.Add(1)
		if r.Body != nil {
			r.Body.Close()
		}
		return &http.Response{StatusCode: b.status, Status: http.StatusText(b.status), Header: http.Header{"X-Ms-Error-Code": {"NotImplemented"}},
			Body: http.NoBody, Request: r, ProtoMajor: 1, ProtoMinor: 1}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestCleanupUsesBatchThenFallsBack(t *testing.T) {
	ctx := context.Background()
	many := make([][]byte, 300) // more than one batch of 256
	for i := range many {
		many[i] = []byte{byte(i)}
	}
	e := newEnv(t, nil, nil)
	s := newSessionID()
	up, sp := e.uploadParts(t, s, many)
	e.count.Reset()
	require.NoError(t, e.h.CompleteUpload(ctx, up, sp))
	require.Empty(t, e.blobs(t, e.cfg.InprogressContainer))
	batches := e.count.CountOf(http.MethodPost, "/devstoreaccount1/"+e.cfg.InprogressContainer)
	require.Equal(t, int64(2), batches, "300 parts: two Blob Batch requests")

	for _, status := range []int{http.StatusBadRequest, http.StatusNotImplemented} {
		rt := &batchRefusing{status: status}
		e := newEnv(t, nil, rt)
		s := newSessionID()
		up, sp := e.uploadParts(t, s, many)
		require.NoError(t, e.h.CompleteUpload(ctx, up, sp))
		require.Empty(t, e.blobs(t, e.cfg.InprogressContainer), "every part deleted one by one")
		require.Equal(t, int32(1), rt.batches.Load(), "after one refusal, batch is not tried again")
		require.Equal(t, string(slices.Concat(many...)), string(e.download(t, s)))
	}
}
