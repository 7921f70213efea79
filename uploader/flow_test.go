package uploader_test

import (
	"bytes"
	"context"
	"io"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/uploader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFullFlow(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	s := newSessionID()
	parts, all := randomParts(5, 100<<10)
	up, sp := e.uploadParts(t, s, parts)

	listed, err := e.h.ListParts(ctx, up)
	require.NoError(t, err)
	require.Len(t, listed, 5)
	for i, p := range listed {
		require.Equal(t, int64(i+1), p.Number)
		require.Equal(t, sp[i].ETag, p.ETag)
	}
	uploads, err := e.h.ListUploads(ctx)
	require.NoError(t, err)
	require.Len(t, uploads, 1)
	require.Equal(t, up.ID, uploads[0].ID)
	require.Equal(t, s, uploads[0].SessionID)

	require.NoError(t, e.h.CompleteUpload(ctx, up, sp))
	require.Equal(t, all, e.download(t, s))
	require.Empty(t, e.blobs(t, e.cfg.InprogressContainer), "no leftovers")

	props, err := e.raw.GetBlobProperties(ctx, e.cfg.SessionContainer, s, nil)
	require.NoError(t, err)
	require.Equal(t, up.ID, props.Metadata["upload_id"])

	// Completing again is a no-op that succeeds.
	require.NoError(t, e.h.CompleteUpload(ctx, up, sp))
	require.Equal(t, all, e.download(t, s))
}

func TestManyPartsRandomOrderConcurrent(t *testing.T) {
	e := newEnv(t, func(c *uploader.Config) { c.CompleteConcurrency = 16 }, nil)
	ctx := context.Background()
	s := newSessionID()
	parts, all := randomParts(120, 8<<10)
	up, err := e.h.CreateUpload(ctx, s)
	require.NoError(t, err)
	order := mrand.Perm(len(parts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for _, i := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := e.h.UploadPart(ctx, *up, int64(i+1), bytes.NewReader(parts[i]))
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	listed, err := e.h.ListParts(ctx, *up)
	require.NoError(t, err)
	require.Len(t, listed, len(parts))
	// Hand the parts over shuffled: CompleteUpload orders them by number.
	mrand.Shuffle(len(listed), func(i, j int) { listed[i], listed[j] = listed[j], listed[i] })
	require.NoError(t, e.h.CompleteUpload(ctx, *up, listed))
	require.Equal(t, all, e.download(t, s))
	require.Empty(t, e.blobs(t, e.cfg.InprogressContainer))
}

func TestUploadPartReplacesAndReadsFromOffset(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	s := newSessionID()
	up, err := e.h.CreateUpload(ctx, s)
	require.NoError(t, err)
	_, err = e.h.UploadPart(ctx, *up, 1, strings.NewReader("first version of part one"))
	require.NoError(t, err)
	p1, err := e.h.UploadPart(ctx, *up, 1, strings.NewReader("PART-ONE|"))
	require.NoError(t, err)
	body := strings.NewReader("skipped prefix:PART-TWO")
	_, err = body.Seek(int64(len("skipped prefix:")), io.SeekStart)
	require.NoError(t, err)
	p2, err := e.h.UploadPart(ctx, *up, 2, body)
	require.NoError(t, err)
	empty, err := e.h.UploadPart(ctx, *up, 3, bytes.NewReader(nil))
	require.NoError(t, err)
	require.NoError(t, e.h.CompleteUpload(ctx, *up, []uploader.StreamPart{*p2, *empty, *p1}))
	require.Equal(t, "PART-ONE|PART-TWO", string(e.download(t, s)))
}

func TestCompleteOtherUploadIsAlreadyExists(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	s := newSessionID()
	first, fp := e.uploadParts(t, s, [][]byte{[]byte("original recording")})
	require.NoError(t, e.h.CompleteUpload(ctx, first, fp))

	second, sp := e.uploadParts(t, s, [][]byte{[]byte("an impostor")})
	err := e.h.CompleteUpload(ctx, second, sp)
	require.ErrorIs(t, err, uploader.ErrAlreadyExists)
	require.Contains(t, err.Error(), first.ID, "names the upload that wrote it")
	require.Equal(t, "original recording", string(e.download(t, s)), "bytes untouched")
	// The losing upload is still there to inspect or abort.
	parts, err := e.h.ListParts(ctx, second)
	require.NoError(t, err)
	require.Len(t, parts, 1)
	require.NoError(t, e.h.AbortUpload(ctx, second))
	require.Empty(t, e.blobs(t, e.cfg.InprogressContainer))
}

func TestZeroParts(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	s := newSessionID()
	up, err := e.h.CreateUpload(ctx, s)
	require.NoError(t, err)
	require.NoError(t, e.h.CompleteUpload(ctx, *up, nil))
	require.Empty(t, e.blobs(t, e.cfg.InprogressContainer), "marker removed")
	require.Empty(t, e.blobs(t, e.cfg.SessionContainer), "no recording written")
	err = e.h.Download(ctx, s, &memWriterAt{})
	require.ErrorIs(t, err, uploader.ErrNotFound)
	require.ErrorIs(t, err, restapi.ErrNotFound, "the service error is wrapped too")
	uploads, err := e.h.ListUploads(ctx)
	require.NoError(t, err)
	require.Empty(t, uploads)
}

func TestNotFound(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	s := newSessionID()
	err := e.h.Download(ctx, s, &memWriterAt{})
	require.ErrorIs(t, err, uploader.ErrNotFound)
	require.Contains(t, err.Error(), s)
	_, err = e.h.StreamSessionRecording(ctx, s)
	require.ErrorIs(t, err, uploader.ErrNotFound)
	// Completing with a part that was never uploaded.
	up, err := e.h.CreateUpload(ctx, s)
	require.NoError(t, err)
	err = e.h.CompleteUpload(ctx, *up, []uploader.StreamPart{{Number: 7}})
	require.ErrorIs(t, err, uploader.ErrNotFound)
	require.Contains(t, err.Error(), "part 7")
}

func TestConcurrentCompletions(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	s := newSessionID()
	parts, all := randomParts(40, 16<<10)
	up, sp := e.uploadParts(t, s, parts)
	cfg := e.cfg
	cfg.Logger = nil
	other, err := uploader.NewHandler(ctx, cfg)
	require.NoError(t, err)
	errs := make(chan error, 4)
	for _, h := range []*uploader.Handler{e.h, other, e.h, other} {
		go func() { errs <- h.CompleteUpload(ctx, up, sp) }()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
	require.Equal(t, all, e.download(t, s))
	require.Empty(t, e.blobs(t, e.cfg.InprogressContainer))
	require.Equal(t, []string{s}, e.blobs(t, e.cfg.SessionContainer))
}

func TestGetUploadMetadata(t *testing.T) {
	e := newEnv(t, nil, nil)
	s := newSessionID()
	md := e.h.GetUploadMetadata(s)
	require.Equal(t, s, md.SessionID)
	require.Equal(t, emu.Endpoint+"/"+e.cfg.SessionContainer+"/"+s, md.URL)
	require.Zero(t, e.count.Count(), "no request")
	url, err := e.h.Upload(context.Background(), s, strings.NewReader("x"))
	require.NoError(t, err)
	require.Equal(t, md.URL, url)
}

// memWriterAt is an in-memory io.WriterAt.
type memWriterAt struct {
	mu  sync.Mutex
	buf []byte
}

func (m *memWriterAt) WriteAt(p []byte, off int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if end := int(off) + len(p); end > len(m.buf) {
		m.buf = append(m.buf, make([]byte, end-len(m.buf))...)
	}
	copy(m.buf[off:], p)
	return len(p), nil
}

// TestListingsWalkPagesAndIgnoreStrangers lists with two blobs per page and
// with blobs in the in-progress container that no handler wrote.
func TestListingsWalkPagesAndIgnoreStrangers(t *testing.T) {
	e := newEnv(t, nil, nil)
	uploader.SetListPageSize(e.h, 2)
	ctx := context.Background()
	var made []uploader.StreamUpload
	for range 5 {
		up, err := e.h.CreateUpload(ctx, newSessionID())
		require.NoError(t, err)
		made = append(made, *up)
	}
	up := made[2]
	for _, n := range []int64{7, 1, 3, 12, 2} {
		_, err := e.h.UploadPart(ctx, up, n, strings.NewReader("p"))
		require.NoError(t, err)
	}
	for _, junk := range []string{
		"upload/not-a-uuid/" + up.ID, "upload/" + up.SessionID + "/" + up.ID + "/extra", "upload/" + up.SessionID,
		"part/" + up.SessionID + "/" + up.ID + "/007", "part/" + up.SessionID + "/" + up.ID + "/0",
		"part/" + up.SessionID + "/" + up.ID + "/50001", "part/" + up.SessionID + "/" + up.ID + "/x",
		"uploads/" + up.SessionID + "/" + up.ID, "readme.txt",
	} {
		_, err := e.raw.PutBlob(ctx, e.cfg.InprogressContainer, junk, strings.NewReader("junk"), nil)
		require.NoError(t, err, junk)
	}
	e.count.Reset()
	uploads, err := e.h.ListUploads(ctx)
	require.NoError(t, err)
	require.ElementsMatch(t, ids(made), ids(uploads))
	listPath := "/devstoreaccount1/" + e.cfg.InprogressContainer
	// 8 blobs under upload/ at 2 per page: 4 pages (a 5th may confirm the end).
	require.GreaterOrEqual(t, e.count.CountOf("GET", listPath), int64(4))
	for i := 1; i < len(uploads); i++ {
		require.False(t, uploads[i].Initiated.Before(uploads[i-1].Initiated), "sorted by initiation")
	}
	parts, err := e.h.ListParts(ctx, up)
	require.NoError(t, err)
	var nums []int64
	for _, p := range parts {
		nums = append(nums, p.Number)
		require.NotEmpty(t, p.ETag)
		require.False(t, p.LastModified.IsZero())
	}
	require.Equal(t, []int64{1, 2, 3, 7, 12}, nums)
	// 9 blobs under this upload's part prefix: at least 5 more pages.
	require.GreaterOrEqual(t, e.count.CountOf("GET", listPath), int64(9))
}
