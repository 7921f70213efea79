package uploader_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/uploader"
	"github.com/stretchr/testify/require"
)

func readAll(t *testing.T, rc io.ReadCloser, err error) string {
	t.Helper()
	require.NoError(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(b)
}

func TestSummaries(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	s := newSessionID()

	_, err := e.h.StreamSessionSummary(ctx, s)
	require.ErrorIs(t, err, uploader.ErrNotFound)

	url, err := e.h.UploadPendingSummary(ctx, s, strings.NewReader(`{"v":1}`))
	require.NoError(t, err)
	require.Equal(t, emu.Endpoint+"/"+e.cfg.SessionContainer+"/"+s+"/summary.pending.json", url)
	_, err = e.h.UploadPendingSummary(ctx, s, strings.NewReader(`{"v":2}`))
	require.NoError(t, err, "the pending summary may be overwritten")
	rc, err := e.h.StreamSessionSummary(ctx, s)
	require.Equal(t, `{"v":2}`, readAll(t, rc, err))

	url, err = e.h.UploadSummary(ctx, s, strings.NewReader(`{"final":true}`))
	require.NoError(t, err)
	require.Equal(t, emu.Endpoint+"/"+e.cfg.SessionContainer+"/"+s+"/summary.json", url)
	require.Equal(t, []string{s + "/summary.json"}, e.blobs(t, e.cfg.SessionContainer), "pending one removed")
	rc, err = e.h.StreamSessionSummary(ctx, s)
	require.Equal(t, `{"final":true}`, readAll(t, rc, err))

	_, err = e.h.UploadSummary(ctx, s, strings.NewReader(`{"final":"again"}`))
	require.ErrorIs(t, err, uploader.ErrAlreadyExists)
	require.ErrorIs(t, err, restapi.ErrAlreadyExists, "the service's answer is wrapped too")
	rc, err = e.h.StreamSessionSummary(ctx, s)
	require.Equal(t, `{"final":true}`, readAll(t, rc, err), "untouched")
}

func TestMetadataAndThumbnail(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	s := newSessionID()
	type pair struct {
		up     func(context.Context, string, io.Reader) (string, error)
		stream func(context.Context, string) (io.ReadCloser, error)
		suffix string
	}
	for _, p := range []pair{
		{e.h.UploadMetadata, e.h.StreamSessionMetadata, "/metadata"},
		{e.h.UploadThumbnail, e.h.StreamSessionThumbnail, "/thumbnail"},
	} {
		_, err := p.stream(ctx, s)
		require.ErrorIs(t, err, uploader.ErrNotFound)
		data := make([]byte, 5000)
		for i := range data {
			data[i] = byte(i * 7)
		}
		url, err := p.up(ctx, s, bytes.NewReader(data))
		require.NoError(t, err)
		require.True(t, strings.HasSuffix(url, "/"+s+p.suffix), url)
		rc, err := p.stream(ctx, s)
		require.Equal(t, string(data), readAll(t, rc, err))
		_, err = p.up(ctx, s, strings.NewReader("other"))
		require.ErrorIs(t, err, uploader.ErrAlreadyExists)
		rc, err = p.stream(ctx, s)
		require.Equal(t, string(data), readAll(t, rc, err))
	}
	// A recording of the same session is independent of its companions.
	_, err := e.h.Upload(ctx, s, strings.NewReader("recording"))
	require.NoError(t, err)
	require.Equal(t, "recording", string(e.download(t, s)))
}

func TestReplayObjects(t *testing.T) {
	e := newEnv(t, func(c *uploader.Config) { c.BlockSize = 64 << 10 }, nil)
	ctx := context.Background()
	s := newSessionID()
	_, big := randomParts(1, 400<<10) // 200 KiB+1: staged in blocks
	objs := map[string][]byte{
		"manifest":   []byte(`{"chunks":2}`),
		"index.0":    []byte("0123456789"),
		"blob.0":     big,
		"commands.7": nil, // empty object
	}
	for name, data := range objs {
		url, err := e.h.UploadReplayObject(ctx, s, name, bytes.NewReader(data))
		require.NoError(t, err, name)
		require.True(t, strings.HasSuffix(url, "/"+s+"/replay/"+name), url)
	}
	for name, data := range objs {
		rc, err := e.h.StreamReplayObjectRange(ctx, s, name, 0, 0)
		require.Equal(t, string(data), readAll(t, rc, err), name)
	}
	rc, err := e.h.StreamReplayObjectRange(ctx, s, "index.0", 3, 4)
	require.Equal(t, "3456", readAll(t, rc, err))
	rc, err = e.h.StreamReplayObjectRange(ctx, s, "index.0", 6, -1)
	require.Equal(t, "6789", readAll(t, rc, err), "length <= 0 reads to the end")
	rc, err = e.h.StreamReplayObjectRange(ctx, s, "blob.0", 100000, 70000)
	require.Equal(t, string(big[100000:170000]), readAll(t, rc, err))

	_, err = e.h.UploadReplayObject(ctx, s, "blob.0", strings.NewReader("x"))
	require.ErrorIs(t, err, uploader.ErrAlreadyExists, "replay objects are written once")
	_, err = e.h.UploadReplayObject(ctx, s, "manifest", bytes.NewReader(big))
	require.ErrorIs(t, err, uploader.ErrAlreadyExists, "also on the staged-blocks path")
	_, err = e.h.StreamReplayObjectRange(ctx, s, "index.1", 0, 0)
	require.ErrorIs(t, err, uploader.ErrNotFound)
	rc, err = e.h.StreamReplayObjectRange(ctx, s, "blob.0", 0, 0)
	require.Equal(t, string(big), readAll(t, rc, err))
}

func TestUploadSingleShot(t *testing.T) {
	const block = 64 << 10
	e := newEnv(t, func(c *uploader.Config) { c.BlockSize = block; c.UploadConcurrency = 3 }, nil)
	ctx := context.Background()
	for _, size := range []int{0, 1, block - 1, block, block + 1, 11*block + 123, 16 * block} {
		s := newSessionID()
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i*31 + size)
		}
		url, err := e.h.Upload(ctx, s, io.MultiReader(bytes.NewReader(data[:size/3]), bytes.NewReader(data[size/3:])))
		require.NoError(t, err, size)
		require.Equal(t, e.h.GetUploadMetadata(s).URL, url)
		require.Equal(t, data, e.download(t, s), size)
		_, err = e.h.Upload(ctx, s, bytes.NewReader(data))
		require.ErrorIs(t, err, uploader.ErrAlreadyExists, size)
		require.Equal(t, data, e.download(t, s), "untouched")
	}
}

func TestDownloadLargeParallel(t *testing.T) {
	e := newEnv(t, func(c *uploader.Config) { c.BlockSize = 4 << 20 }, nil)
	ctx := context.Background()
	s := newSessionID()
	_, data := randomParts(1, 2*(20<<20)+2*12345) // 20 MiB + 12346 bytes: 3 ranged reads
	_, err := e.h.Upload(ctx, s, bytes.NewReader(data))
	require.NoError(t, err)
	e.count.Reset()
	got := e.download(t, s)
	require.Equal(t, len(data), len(got))
	require.True(t, bytes.Equal(data, got))
	require.Equal(t, int64(1), e.count.CountOf("HEAD", "/devstoreaccount1/"+e.cfg.SessionContainer+"/"+s))
	require.Equal(t, int64(3+1), e.count.CountOf("GET", "/devstoreaccount1/"+e.cfg.SessionContainer+"/"+s),
		"three ranged reads for Download, one streamed read for StreamSessionRecording")
}
