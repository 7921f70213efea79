package restapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/sharedkey"
)

// The conversion other packages rely on must keep compiling.
var _ = func(k *restapi.UserDelegationKey) sharedkey.UserDelegationKey { return sharedkey.UserDelegationKey(*k) }

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func crcOf(b []byte) []byte { return restapi.EncodeCRC64(restapi.CRC64(b)) }

func blockID(i int) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("block-%06d", i)))
}

// azurite holds one emulator and a signed client for all subtests.
type azurite struct {
	emu  *emulatortest.Emulator
	cred *sharedkey.Credential
	c    *restapi.Client
}

func startAzurite(t *testing.T) *azurite {
	t.Helper()
	emu := emulatortest.Start(t)
	cred, err := sharedkey.NewCredential(emu.AccountName, emu.AccountKey)
	require.NoError(t, err)
	var logger *slog.Logger
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	c, err := restapi.NewClient(emu.Endpoint, cred, &restapi.Options{HTTPClient: emu.HTTPClient, Logger: logger, UserAgent: "restapi-test"})
	require.NoError(t, err)
	return &azurite{emu: emu, cred: cred, c: c}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func (a *azurite) container(t *testing.T, name string) string {
	t.Helper()
	require.NoError(t, a.c.CreateContainer(context.Background(), name, nil))
	return name
}

func readAll(t *testing.T, res *restapi.GetBlobResult) []byte {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return b
}

func TestAzurite(t *testing.T) {
	az := startAzurite(t)
	c := az.c
	ctx := context.Background()

	t.Run("containers", func(t *testing.T) {
		require.NoError(t, c.CreateContainer(ctx, "meta-box", &restapi.CreateContainerOptions{Metadata: map[string]string{"Owner": "tests"}}))
		err := c.CreateContainer(ctx, "meta-box", nil)
		require.ErrorIs(t, err, restapi.ErrAlreadyExists)
		var re *restapi.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 409, re.StatusCode)
		assert.Equal(t, "ContainerAlreadyExists", re.ErrorCode)

		p, err := c.GetContainerProperties(ctx, "meta-box")
		require.NoError(t, err)
		assert.NotEmpty(t, p.ETag)
		assert.WithinDuration(t, time.Now(), p.LastModified, time.Minute)
		assert.Equal(t, map[string]string{"owner": "tests"}, p.Metadata)

		require.NoError(t, c.DeleteContainer(ctx, "meta-box", nil))
		_, err = c.GetContainerProperties(ctx, "meta-box")
		require.ErrorIs(t, err, restapi.ErrNotFound)
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "ContainerNotFound", re.ErrorCode)
		err = c.DeleteContainer(ctx, "meta-box", nil)
		require.ErrorIs(t, err, restapi.ErrNotFound)
	})

	box := az.container(t, "box")

	t.Run("put and get blob with CRC-64", func(t *testing.T) {
		data := randomBytes(t, 3<<20+17)
		res, err := c.PutBlob(ctx, box, "whole.bin", bytes.NewReader(data), &restapi.PutBlobOptions{
			ContentCRC64: crcOf(data),
			ContentType:  "application/x-test",
			Metadata:     map[string]string{"sessionId": "s-1"},
		})
		require.NoError(t, err)
		assert.NotEmpty(t, res.ETag)
		assert.NotEmpty(t, res.RequestID)
		// Azurite 3.37 verifies x-ms-content-crc64 on Put Blob (see "wrong
		// CRC-64 is refused") but, unlike Put Block, does not echo it.
		if res.ContentCRC64 != nil {
			assert.Equal(t, crcOf(data), res.ContentCRC64)
		}

		got, err := c.GetBlob(ctx, box, "whole.bin", nil)
		require.NoError(t, err)
		body := readAll(t, got)
		assert.Equal(t, restapi.CRC64(data), restapi.CRC64(body))
		assert.True(t, bytes.Equal(data, body))
		assert.Equal(t, int64(len(data)), got.TotalSize)
		assert.Equal(t, res.ETag, got.Properties.ETag)
		assert.Equal(t, "application/x-test", got.Properties.ContentType)
		assert.Equal(t, map[string]string{"sessionid": "s-1"}, got.Properties.Metadata)

		p, err := c.GetBlobProperties(ctx, box, "whole.bin", nil)
		require.NoError(t, err)
		assert.Equal(t, int64(len(data)), p.ContentLength)
		assert.Equal(t, res.ETag, p.ETag)
		assert.False(t, p.CreationTime.IsZero())

		// Ranges, including one at the end.
		for _, r := range []restapi.HTTPRange{{Offset: 0, Count: 1}, {Offset: 1000, Count: 4096}, {Offset: int64(len(data)) - 10}} {
			got, err := c.GetBlob(ctx, box, "whole.bin", &restapi.GetBlobOptions{Range: &r})
			require.NoError(t, err)
			body := readAll(t, got)
			end := int64(len(data))
			if r.Count > 0 {
				end = r.Offset + r.Count
			}
			assert.Equal(t, data[r.Offset:end], body, "%+v", r)
			assert.Equal(t, int64(len(data)), got.TotalSize)
			assert.Equal(t, fmt.Sprintf("bytes %d-%d/%d", r.Offset, end-1, len(data)), got.ContentRange)
		}
	})

	t.Run("empty blob", func(t *testing.T) {
		_, err := c.PutBlob(ctx, box, "empty", nil, nil)
		require.NoError(t, err)
		got, err := c.GetBlob(ctx, box, "empty", nil)
		require.NoError(t, err)
		assert.Empty(t, readAll(t, got))
		assert.Equal(t, int64(0), got.TotalSize)
	})

	t.Run("wrong CRC-64 is refused", func(t *testing.T) {
		data := []byte("the bytes")
		_, err := c.PutBlob(ctx, box, "bad-crc", bytes.NewReader(data), &restapi.PutBlobOptions{ContentCRC64: crcOf([]byte("other bytes"))})
		var re *restapi.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 400, re.StatusCode)
		assert.Equal(t, "Crc64Mismatch", re.ErrorCode)
		_, err = c.GetBlobProperties(ctx, box, "bad-crc", nil)
		require.ErrorIs(t, err, restapi.ErrNotFound)
	})

	t.Run("conditions and not found", func(t *testing.T) {
		w, err := c.PutBlob(ctx, box, "once", strings.NewReader("v1"), &restapi.PutBlobOptions{Conditions: restapi.Conditions{IfNoneMatch: "*"}})
		require.NoError(t, err)
		_, err = c.PutBlob(ctx, box, "once", strings.NewReader("v2"), &restapi.PutBlobOptions{Conditions: restapi.Conditions{IfNoneMatch: "*"}})
		require.ErrorIs(t, err, restapi.ErrAlreadyExists)
		var re *restapi.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "BlobAlreadyExists", re.ErrorCode)
		assert.Contains(t, err.Error(), `Put Blob of blob "once" in container "box"`)

		_, err = c.GetBlob(ctx, box, "once", &restapi.GetBlobOptions{Conditions: restapi.Conditions{IfMatch: `"0xNOTIT"`}})
		require.ErrorIs(t, err, restapi.ErrConditionNotMet)
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 412, re.StatusCode)
		assert.Equal(t, "ConditionNotMet", re.ErrorCode)

		err = c.DeleteBlob(ctx, box, "once", &restapi.DeleteBlobOptions{Conditions: restapi.Conditions{IfMatch: `"0xNOTIT"`}})
		require.ErrorIs(t, err, restapi.ErrConditionNotMet)
		require.NoError(t, c.DeleteBlob(ctx, box, "once", &restapi.DeleteBlobOptions{Conditions: restapi.Conditions{IfMatch: w.ETag}}))

		_, err = c.GetBlob(ctx, box, "once", nil)
		require.ErrorIs(t, err, restapi.ErrNotFound)
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "BlobNotFound", re.ErrorCode)
		_, err = c.GetBlobProperties(ctx, box, "once", nil)
		require.ErrorIs(t, err, restapi.ErrNotFound, "HEAD: status and x-ms-error-code only")
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "BlobNotFound", re.ErrorCode)
		err = c.DeleteBlob(ctx, box, "once", nil)
		require.ErrorIs(t, err, restapi.ErrNotFound)
		_, err = c.ListBlobs(ctx, "no-such-box", nil)
		require.ErrorIs(t, err, restapi.ErrNotFound)
	})

	t.Run("wrong key", func(t *testing.T) {
		wrongKey := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 64))
		cred, err := sharedkey.NewCredential(az.emu.AccountName, wrongKey)
		require.NoError(t, err)
		bad, err := restapi.NewClient(az.emu.Endpoint, cred, &restapi.Options{HTTPClient: az.emu.HTTPClient})
		require.NoError(t, err)
		_, err = bad.PutBlob(ctx, box, "nope", strings.NewReader("x"), nil)
		require.ErrorIs(t, err, restapi.ErrAuthenticationFailed)
		var re *restapi.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 403, re.StatusCode)
		// Azurite: AuthorizationFailure without detail; Azure: AuthenticationFailed with detail.
		assert.Contains(t, []string{"AuthenticationFailed", "AuthorizationFailure"}, re.ErrorCode)
		assert.NotContains(t, err.Error(), wrongKey)
		_, err = bad.GetBlobProperties(ctx, box, "whole.bin", nil)
		require.ErrorIs(t, err, restapi.ErrAuthenticationFailed, "HEAD too")
	})

	t.Run("user delegation key needs a bearer token", func(t *testing.T) {
		_, err := c.GetUserDelegationKey(ctx, time.Time{}, time.Now().Add(time.Hour))
		require.ErrorIs(t, err, restapi.ErrAuthenticationFailed)
		var re *restapi.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "AuthenticationFailed", re.ErrorCode)
		assert.Equal(t, "Only authentication scheme Bearer is supported", re.AuthenticationErrorDetail)
		assert.Contains(t, err.Error(), "needs an Entra ID bearer token")
	})

	t.Run("blocks", func(t *testing.T) {
		parts := [][]byte{randomBytes(t, 100_000), randomBytes(t, 1), randomBytes(t, 70_000)}
		for i, p := range parts {
			res, err := c.PutBlock(ctx, box, "blocks.bin", blockID(i), bytes.NewReader(p), &restapi.PutBlockOptions{ContentCRC64: crcOf(p)})
			require.NoError(t, err)
			assert.Equal(t, crcOf(p), res.ContentCRC64)
		}
		bl, err := c.GetBlockList(ctx, box, "blocks.bin", &restapi.GetBlockListOptions{ListType: "uncommitted"})
		require.NoError(t, err)
		assert.Empty(t, bl.Committed)
		require.Len(t, bl.Uncommitted, 3)
		assert.Equal(t, restapi.Block{ID: blockID(1), Size: 1}, bl.Uncommitted[1])

		// Commit out of staging order; block 1 left out.
		w, err := c.PutBlockList(ctx, box, "blocks.bin", []restapi.BlockRef{{ID: blockID(2)}, {ID: blockID(0), Kind: restapi.BlockUncommitted}}, &restapi.PutBlockListOptions{
			Conditions: restapi.Conditions{IfNoneMatch: "*"}, ContentType: "video/x-recording", Metadata: map[string]string{"parts": "2"},
		})
		require.NoError(t, err)
		want := append(append([]byte{}, parts[2]...), parts[0]...)

		bl, err = c.GetBlockList(ctx, box, "blocks.bin", nil)
		require.NoError(t, err)
		assert.Equal(t, []restapi.Block{{ID: blockID(2), Size: 70_000}, {ID: blockID(0), Size: 100_000}}, bl.Committed)
		assert.Empty(t, bl.Uncommitted, "uncommitted blocks are dropped on commit")
		assert.Equal(t, w.ETag, bl.ETag)

		got, err := c.GetBlob(ctx, box, "blocks.bin", nil)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, readAll(t, got)))
		assert.Equal(t, "video/x-recording", got.Properties.ContentType)
		assert.Equal(t, "2", got.Properties.Metadata["parts"])

		_, err = c.PutBlockList(ctx, box, "blocks.bin", []restapi.BlockRef{{ID: blockID(2)}}, &restapi.PutBlockListOptions{Conditions: restapi.Conditions{IfNoneMatch: "*"}})
		require.ErrorIs(t, err, restapi.ErrAlreadyExists)
	})

	t.Run("put block from URL with a service SAS", func(t *testing.T) {
		src := randomBytes(t, 300_000)
		_, err := c.PutBlob(ctx, box, "src/part 1", bytes.NewReader(src), nil)
		require.NoError(t, err)
		sas, err := sharedkey.BlobSASValues{
			ContainerName: box, BlobName: "src/part 1", Permissions: "r",
			ExpiryTime: time.Now().Add(10 * time.Minute),
		}.SignWithSharedKey(az.cred)
		require.NoError(t, err)
		srcURL := c.BlobURL(box, "src/part 1") + "?" + sas
		sig := sas[strings.Index(sas, "sig=")+4:]
		if i := strings.IndexByte(sig, '&'); i >= 0 {
			sig = sig[:i]
		}
		require.NotEmpty(t, sig)

		// Everything in this subtest goes through a client that logs at debug.
		var logs bytes.Buffer
		c, err := restapi.NewClient(az.emu.Endpoint, az.cred, &restapi.Options{
			HTTPClient: az.emu.HTTPClient,
			Logger:     slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		})
		require.NoError(t, err)
		defer func() {
			assert.NotZero(t, logs.Len())
			assert.NotContains(t, logs.String(), sig, "the source SAS signature never reaches the logs")
		}()

		// Two blocks from ranges of the source, each checked by CRC-64.
		r1 := restapi.HTTPRange{Offset: 0, Count: 100_000}
		r2 := restapi.HTTPRange{Offset: 100_000, Count: 200_000}
		for i, r := range []restapi.HTTPRange{r1, r2} {
			res, err := c.PutBlockFromURL(ctx, box, "composed", blockID(i), srcURL, &restapi.PutBlockFromURLOptions{
				SourceRange:        &r,
				SourceContentCRC64: crcOf(src[r.Offset : r.Offset+r.Count]),
			})
			require.NoError(t, err)
			assert.Equal(t, crcOf(src[r.Offset:r.Offset+r.Count]), res.ContentCRC64)
		}
		// Whole source, no range.
		_, err = c.PutBlockFromURL(ctx, box, "composed", blockID(2), srcURL, nil)
		require.NoError(t, err)
		_, err = c.PutBlockList(ctx, box, "composed", []restapi.BlockRef{{ID: blockID(1)}, {ID: blockID(0)}, {ID: blockID(2)}}, nil)
		require.NoError(t, err)
		got, err := c.GetBlob(ctx, box, "composed", nil)
		require.NoError(t, err)
		want := append(append(append([]byte{}, src[100_000:]...), src[:100_000]...), src...)
		assert.True(t, bytes.Equal(want, readAll(t, got)))

		// A wrong source CRC-64 is caught by the service.
		_, err = c.PutBlockFromURL(ctx, box, "composed", blockID(3), srcURL, &restapi.PutBlockFromURLOptions{SourceRange: &r1, SourceContentCRC64: crcOf([]byte("x"))})
		var re *restapi.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "Crc64Mismatch", re.ErrorCode)
		assert.NotContains(t, err.Error(), sig)

		// Without the SAS the source cannot be read: not ErrNotFound (the
		// destination is fine), and no secret in the error.
		_, err = c.PutBlockFromURL(ctx, box, "composed", blockID(4), c.BlobURL(box, "src/part 1"), nil)
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "CannotVerifyCopySource", re.ErrorCode)
		assert.NotErrorIs(t, err, restapi.ErrNotFound)
	})

	t.Run("awkward blob names round-trip", func(t *testing.T) {
		names := []string{"dir/a b.txt", "ünïcödé/日本語 ファイル", "100% done", "%41%2F", "plus+sign", "q?uery#frag", "semi;colon,comma=eq&amp", "trailing space ", "~tilde'quote\"(paren)"}
		for _, n := range names {
			data := []byte("content of " + n)
			_, err := c.PutBlob(ctx, box, "names/"+n, bytes.NewReader(data), nil)
			require.NoError(t, err, n)
			got, err := c.GetBlob(ctx, box, "names/"+n, nil)
			require.NoError(t, err, n)
			assert.Equal(t, data, readAll(t, got), n)
		}
		var listed []string
		for it, err := range c.ListAllBlobs(ctx, box, &restapi.ListBlobsOptions{Prefix: "names/"}) {
			require.NoError(t, err)
			listed = append(listed, strings.TrimPrefix(it.Name, "names/"))
		}
		sorted := append([]string(nil), names...)
		sort.Strings(sorted)
		assert.Equal(t, sorted, listed)
		for _, n := range names {
			require.NoError(t, c.DeleteBlob(ctx, box, "names/"+n, nil), n)
		}
	})

	t.Run("list pages", func(t *testing.T) {
		var want []string
		for i := 0; i < 7; i++ {
			name := fmt.Sprintf("paged/%02d", i)
			want = append(want, name)
			_, err := c.PutBlob(ctx, box, name, strings.NewReader(strings.Repeat("x", i)), &restapi.PutBlobOptions{Metadata: map[string]string{"Index": fmt.Sprint(i)}})
			require.NoError(t, err)
		}
		// Page by page.
		var pages int
		var got []string
		marker := ""
		for {
			p, err := c.ListBlobs(ctx, box, &restapi.ListBlobsOptions{Prefix: "paged/", MaxResults: 3, Marker: marker, IncludeMetadata: true})
			require.NoError(t, err)
			pages++
			for _, b := range p.Blobs {
				got = append(got, b.Name)
				assert.Equal(t, int64(len(got)-1), b.Size)
				assert.Equal(t, fmt.Sprint(len(got)-1), b.Metadata["index"])
				assert.True(t, strings.HasPrefix(b.ETag, `"`))
				assert.False(t, b.LastModified.IsZero())
			}
			if p.NextMarker == "" {
				break
			}
			marker = p.NextMarker
		}
		assert.Equal(t, 3, pages)
		assert.Equal(t, want, got)

		// The iterator walks the same pages.
		got = got[:0]
		for it, err := range c.ListAllBlobs(ctx, box, &restapi.ListBlobsOptions{Prefix: "paged/", MaxResults: 3}) {
			require.NoError(t, err)
			got = append(got, it.Name)
			assert.Nil(t, it.Metadata, "metadata only when asked for")
		}
		assert.Equal(t, want, got)

		// ETags in a listing match the ones from the blob itself.
		p, err := c.GetBlobProperties(ctx, box, "paged/03", nil)
		require.NoError(t, err)
		page, err := c.ListBlobs(ctx, box, &restapi.ListBlobsOptions{Prefix: "paged/03"})
		require.NoError(t, err)
		require.Len(t, page.Blobs, 1)
		assert.Equal(t, p.ETag, page.Blobs[0].ETag)
	})

	t.Run("batch delete", func(t *testing.T) {
		var names []string
		for i := 0; i < 5; i++ {
			name := fmt.Sprintf("batch/%d with space é", i)
			names = append(names, name)
			_, err := c.PutBlob(ctx, box, name, strings.NewReader("x"), nil)
			require.NoError(t, err)
		}
		res, err := c.BatchDeleteBlobs(ctx, box, append(names, "batch/missing"))
		require.NoError(t, err)
		require.Len(t, res, 6)
		for i, r := range res[:5] {
			assert.Equal(t, names[i], r.Blob)
			assert.Equal(t, 202, r.StatusCode, "%s: %v", r.Blob, r.Err)
			assert.NoError(t, r.Err)
		}
		assert.Equal(t, "batch/missing", res[5].Blob)
		assert.Equal(t, 404, res[5].StatusCode)
		assert.ErrorIs(t, res[5].Err, restapi.ErrNotFound)

		p, err := c.ListBlobs(ctx, box, &restapi.ListBlobsOptions{Prefix: "batch/"})
		require.NoError(t, err)
		assert.Empty(t, p.Blobs)
	})

	t.Run("batch delete with a wrong key", func(t *testing.T) {
		_, err := c.PutBlob(ctx, box, "batch-keep", strings.NewReader("x"), nil)
		require.NoError(t, err)
		wrongKey := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 64))
		cred, err := sharedkey.NewCredential(az.emu.AccountName, wrongKey)
		require.NoError(t, err)
		bad, err := restapi.NewClient(az.emu.Endpoint, cred, &restapi.Options{HTTPClient: az.emu.HTTPClient})
		require.NoError(t, err)
		_, err = bad.BatchDeleteBlobs(ctx, box, []string{"batch-keep"})
		require.ErrorIs(t, err, restapi.ErrAuthenticationFailed)
		_, err = c.GetBlobProperties(ctx, box, "batch-keep", nil)
		require.NoError(t, err, "nothing was deleted")
	})
}
