package restapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// endless writes chunk until the client goes away, counting bytes.
func endless(w io.Writer, chunk string, sent *atomic.Int64) {
	b := []byte(chunk)
	for {
		n, err := w.Write(b)
		sent.Add(int64(n))
		if err != nil {
			return
		}
	}
}

// The hostile-server suite: each case gives a clear error, reads a bounded
// amount, and never panics.
func TestHostileServer(t *testing.T) {
	t.Run("oversized error body", func(t *testing.T) {
		var sent atomic.Int64
		rec := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header().Set("x-ms-error-code", "InvalidInput")
			w.WriteHeader(400)
			io.WriteString(w, "<Error><Code>InvalidInput</Code><Message>")
			endless(w, strings.Repeat("A", 4096), &sent)
		})
		c, _ := testClient(t, rec, nil, nil)
		err := c.DeleteBlob(context.Background(), "box", "b", nil)
		var re *ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 400, re.StatusCode)
		assert.Equal(t, "InvalidInput", re.ErrorCode)
		assert.Equal(t, "Bad Request", re.Message, "truncated body is not parsed")
	})

	t.Run("endless listing", func(t *testing.T) {
		var sent atomic.Int64
		rec := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			io.WriteString(w, "<EnumerationResults><Blobs>")
			endless(w, "<Blob><Name>x</Name></Blob>", &sent)
		})
		c, _ := testClient(t, rec, nil, nil)
		_, err := c.ListBlobs(context.Background(), "box", nil)
		var tl *BodyTooLargeError
		require.ErrorAs(t, err, &tl)
		assert.Equal(t, int64(listBodyLimit), tl.Limit)
		assert.Contains(t, err.Error(), "List Blobs")
		assert.Equal(t, 1, rec.count(), "a too-large body is not retried")
	})

	t.Run("wrong Content-Length", func(t *testing.T) {
		rec := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header().Set("Content-Length", "5000")
			w.WriteHeader(200)
			io.WriteString(w, "<EnumerationResults><Blobs>")
		})
		c, _ := testClient(t, rec, nil, &Options{Retry: RetryPolicy{MaxTries: 3}})
		_, err := c.ListBlobs(context.Background(), "box", nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "List Blobs")
		assert.Contains(t, err.Error(), "unexpected EOF")
		assert.Equal(t, 3, rec.count(), "a short body is a transport failure: retried")
	})

	t.Run("wrong Content-Length on Get Blob", func(t *testing.T) {
		rec := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			io.WriteString(w, "short")
		})
		c, _ := testClient(t, rec, nil, nil)
		res, err := c.GetBlob(context.Background(), "box", "b", nil)
		require.NoError(t, err)
		_, err = io.ReadAll(res.Body)
		res.Body.Close()
		require.Error(t, err, "a short body never looks like a complete one")
	})

	t.Run("invalid XML", func(t *testing.T) {
		rec := newRecorder(t, xmlAnswer(200, `<EnumerationResults><Blobs><Blob><Name>x</Blob></EnumerationResults>`))
		c, _ := testClient(t, rec, nil, nil)
		_, err := c.ListBlobs(context.Background(), "box", nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "List Blobs: malformed XML")
		assert.Equal(t, 1, rec.count())
	})

	t.Run("empty body", func(t *testing.T) {
		rec := newRecorder(t, xmlAnswer(200, ``))
		c, _ := testClient(t, rec, nil, nil)
		_, err := c.GetBlockList(context.Background(), "box", "b", nil)
		require.ErrorContains(t, err, "Get Block List: response body is empty")
	})

	t.Run("wrong root element", func(t *testing.T) {
		rec := newRecorder(t, xmlAnswer(200, `<Other/>`))
		c, _ := testClient(t, rec, nil, nil)
		_, err := c.ListBlobs(context.Background(), "box", nil)
		require.ErrorContains(t, err, "malformed XML")
	})

	t.Run("XML bomb", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">`)
		for i := 1; i < 10; i++ {
			fmt.Fprintf(&b, `<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
		}
		b.WriteString(`]><EnumerationResults><Blobs><Blob><Name>&lol9;</Name></Blob></Blobs></EnumerationResults>`)
		rec := newRecorder(t, xmlAnswer(200, b.String()))
		c, _ := testClient(t, rec, nil, nil)
		_, err := c.ListBlobs(context.Background(), "box", nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "malformed XML")
		assert.Contains(t, err.Error(), "entity")
	})

	t.Run("deep nesting", func(t *testing.T) {
		// Unknown elements are skipped without recursion: no stack growth,
		// no error, nothing invented.
		deep := strings.Repeat("<a>", 200000) + strings.Repeat("</a>", 200000)
		rec := newRecorder(t, xmlAnswer(200, "<EnumerationResults>"+deep+"<Blobs><Blob><Name>x</Name><Metadata><k>"+deep+"v</k></Metadata></Blob></Blobs></EnumerationResults>"))
		c, _ := testClient(t, rec, nil, nil)
		p, err := c.ListBlobs(context.Background(), "box", &ListBlobsOptions{IncludeMetadata: true})
		require.NoError(t, err)
		require.Len(t, p.Blobs, 1)
		assert.Equal(t, "v", p.Blobs[0].Metadata["k"])
	})

	t.Run("NextMarker never ends", func(t *testing.T) {
		rec := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			fmt.Fprintf(w, `<EnumerationResults><Blobs><Blob><Name>b%d</Name></Blob></Blobs><NextMarker>m%d</NextMarker></EnumerationResults>`, n, n)
		})
		c, _ := testClient(t, rec, nil, nil)
		var names []string
		var lastErr error
		for it, err := range c.ListAllBlobs(context.Background(), "box", &ListBlobsOptions{MaxPages: 50}) {
			if err != nil {
				lastErr = err
				break
			}
			names = append(names, it.Name)
		}
		require.Error(t, lastErr)
		assert.Contains(t, lastErr.Error(), "still not finished after 50 pages")
		assert.Len(t, names, 50)
		assert.Equal(t, 50, rec.count())
	})

	t.Run("NextMarker repeats", func(t *testing.T) {
		rec := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			fmt.Fprintf(w, `<EnumerationResults><Blobs><Blob><Name>b%d</Name></Blob></Blobs><NextMarker>m%d</NextMarker></EnumerationResults>`, n, n%3)
		})
		c, _ := testClient(t, rec, nil, nil)
		var lastErr error
		for _, err := range c.ListAllBlobs(context.Background(), "box", nil) {
			if err != nil {
				lastErr = err
			}
		}
		require.Error(t, lastErr)
		assert.Contains(t, lastErr.Error(), `returned marker "m0" a second time after 4 pages`)
		assert.Equal(t, 4, rec.count())
	})

	t.Run("bad numbers", func(t *testing.T) {
		rec := newRecorder(t, xmlAnswer(200, `<EnumerationResults><Blobs><Blob><Name>x</Name><Properties><Content-Length>-5</Content-Length></Properties></Blob></Blobs></EnumerationResults>`))
		c, _ := testClient(t, rec, nil, nil)
		_, err := c.ListBlobs(context.Background(), "box", nil)
		require.ErrorContains(t, err, "invalid Content-Length")
	})

	t.Run("bad Content-Range", func(t *testing.T) {
		rec := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header().Set("Content-Range", "bytes 9-1/5")
			w.WriteHeader(206)
			io.WriteString(w, "x")
		})
		c, _ := testClient(t, rec, nil, nil)
		_, err := c.GetBlob(context.Background(), "box", "b", &GetBlobOptions{Range: &HTTPRange{Offset: 1, Count: 1}})
		require.ErrorContains(t, err, "malformed Content-Range")
	})

	t.Run("more bytes than announced on resume", func(t *testing.T) {
		rec := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header().Set("Content-Length", strconv.Itoa(3))
			io.WriteString(w, "abc")
		})
		c, _ := testClient(t, rec, nil, nil)
		res, err := c.GetBlob(context.Background(), "box", "b", nil)
		require.NoError(t, err)
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		assert.Equal(t, "abc", string(b))
	})
}

func TestListAllBlobsWalksPages(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request, _ []byte) {
		next := ""
		if n < 2 {
			next = fmt.Sprintf("marker %d", n+1)
		}
		fmt.Fprintf(w, `<EnumerationResults><Blobs><Blob><Name>b%da</Name></Blob><Blob><Name>b%db</Name></Blob></Blobs><NextMarker>%s</NextMarker></EnumerationResults>`, n, n, next)
	})
	c, _ := testClient(t, rec, nil, nil)
	var names []string
	for it, err := range c.ListAllBlobs(context.Background(), "box", &ListBlobsOptions{MaxResults: 2, Prefix: "b"}) {
		require.NoError(t, err)
		names = append(names, it.Name)
	}
	assert.Equal(t, []string{"b0a", "b0b", "b1a", "b1b", "b2a", "b2b"}, names)
	reqs := rec.requests()
	require.Len(t, reqs, 3)
	assert.NotContains(t, reqs[0].RawQuery, "marker=")
	assert.Contains(t, reqs[1].RawQuery, "marker=marker%201")
	assert.Contains(t, reqs[2].RawQuery, "marker=marker%202")

	// Stopping early sends no more requests.
	for range c.ListAllBlobs(context.Background(), "box", nil) {
		break
	}
	assert.Equal(t, 4, rec.count())
}
