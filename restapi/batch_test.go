package restapi

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// azureBatchResponse follows the example in the Blob Batch documentation:
// a blank line after each sub-response's headers, an XML body for the
// failure.
const azureBatchResponse = "--batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed\r\n" +
	"Content-Type: application/http\r\n" +
	"Content-ID: 0\r\n" +
	"\r\n" +
	"HTTP/1.1 202 Accepted\r\n" +
	"x-ms-delete-type-permanent: true\r\n" +
	"x-ms-request-id: 778fdc83-801e-0000-62ff-0334671e284f\r\n" +
	"x-ms-version: 2018-11-09\r\n" +
	"\r\n" +
	"--batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed\r\n" +
	"Content-Type: application/http\r\n" +
	"Content-ID: 1\r\n" +
	"\r\n" +
	"HTTP/1.1 202 Accepted\r\n" +
	"x-ms-delete-type-permanent: true\r\n" +
	"x-ms-request-id: 778fdc83-801e-0000-62ff-0334671e2851\r\n" +
	"x-ms-version: 2018-11-09\r\n" +
	"\r\n" +
	"--batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed\r\n" +
	"Content-Type: application/http\r\n" +
	"Content-ID: 2\r\n" +
	"\r\n" +
	"HTTP/1.1 404 The specified blob does not exist.\r\n" +
	"x-ms-error-code: BlobNotFound\r\n" +
	"x-ms-request-id: 778fdc83-801e-0000-62ff-0334671e2852\r\n" +
	"x-ms-version: 2018-11-09\r\n" +
	"Content-Length: 216\r\n" +
	"Content-Type: application/xml\r\n" +
	"\r\n" +
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" +
	"<Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.\n" +
	"RequestId:778fdc83-801e-0000-62ff-0334671e2852\n" +
	"Time:2018-06-14T16:46:54.6040685Z</Message></Error>\r\n" +
	"--batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed--"

const azureBatchContentType = "multipart/mixed; boundary=batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed"

func TestParseBatchResponseAzureExample(t *testing.T) {
	parts, err := parseBatchResponse(azureBatchContentType, []byte(azureBatchResponse))
	require.NoError(t, err)
	require.Len(t, parts, 3)
	for i, p := range parts {
		assert.Equal(t, i, p.contentID)
	}
	assert.Equal(t, 202, parts[0].status)
	assert.Equal(t, "778fdc83-801e-0000-62ff-0334671e284f", parts[0].header.Get("x-ms-request-id"))
	assert.Equal(t, 404, parts[2].status)
	assert.Equal(t, "BlobNotFound", parts[2].header.Get("x-ms-error-code"))
	assert.Contains(t, string(parts[2].body), "<Code>BlobNotFound</Code>")
}

// azuriteBatchResponse is what Azurite 3.37 writes (BlobBatchHandler
// serializeSubResponse): no Content-Transfer-Encoding, and a sub-response
// without body ends with a single CRLF before the next delimiter.
func azuriteBatchResponse(boundary string, subs ...string) string {
	var b strings.Builder
	for i, s := range subs {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: application/http\r\nContent-ID: %d\r\n\r\n%s\r\n", boundary, i, s)
	}
	b.WriteString("--" + boundary + "--")
	return b.String()
}

func TestParseBatchResponseAzuriteShape(t *testing.T) {
	body := azuriteBatchResponse("batchresponse_x",
		"HTTP/1.1 202 Accepted\r\nx-ms-request-id: a\r\nx-ms-version: 2026-06-06\r\nx-ms-delete-type-permanent: true\r\n",
		"HTTP/1.1 404 The specified blob does not exist.\r\nx-ms-error-code: BlobNotFound\r\nx-ms-request-id: b\r\ncontent-type: application/xml\r\n\r\n<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.\nRequestId:b</Message></Error>\r\n",
	)
	parts, err := parseBatchResponse("multipart/mixed; boundary=batchresponse_x", []byte(body))
	require.NoError(t, err)
	require.Len(t, parts, 2)
	assert.Equal(t, 202, parts[0].status)
	assert.Equal(t, "a", parts[0].header.Get("x-ms-request-id"))
	assert.Equal(t, 404, parts[1].status)
	assert.Contains(t, string(parts[1].body), "</Error>")
}

func TestParseBatchResponseErrors(t *testing.T) {
	for _, tc := range []struct{ ct, body, want string }{
		{"application/xml", "x", "not multipart/mixed"},
		{"multipart/mixed", "x", "no usable boundary"},
		{"multipart/mixed; boundary=b", "nothing", "does not contain its boundary"},
		{"multipart/mixed; boundary=b", "--b", "truncated after a boundary"},
		{"multipart/mixed; boundary=b", "--b\r\nContent-ID: 0\r\n\r\nHTTP/1.1 202 Accepted\r\n", "no closing boundary"},
		{"multipart/mixed; boundary=b", "--b--", "no parts"},
		{"multipart/mixed; boundary=b", "--b\r\nContent-ID: x\r\n\r\nHTTP/1.1 202 Accepted\r\n\r\n--b--", "Content-ID"},
		{"multipart/mixed; boundary=b", "--b\r\nContent-ID: 0\r\n\r\nnot http\r\n\r\n--b--", "not an HTTP response"},
		{"multipart/mixed; boundary=b", "--b\r\nContent-ID: 0\r\nHTTP/1.1 202 Accepted\r\n--b--", "no blank line"},
	} {
		_, err := parseBatchResponse(tc.ct, []byte(tc.body))
		require.Error(t, err, tc.body)
		assert.Contains(t, err.Error(), tc.want, tc.body)
	}
}

var subRequestRE = regexp.MustCompile(`^--(batch_[0-9a-f-]{36})\r\n` +
	`Content-Type: application/http\r\n` +
	`Content-Transfer-Encoding: binary\r\n` +
	`Content-ID: (\d+)\r\n` +
	`\r\n` +
	`DELETE (\S+) HTTP/1\.1\r\n` +
	`Authorization: Fake DELETE (\S+) ([^\r]+)\r\n` +
	`X-Ms-Date: ([^\r]+ GMT)\r\n` +
	`Content-Length: 0\r\n` +
	`\r\n$`)

func TestBatchDeleteBlobs(t *testing.T) {
	blobs := []string{"a", "dir/b c", "gone", "100%"}
	rec := newRecorder(t, func(_ int, w http.ResponseWriter, r *http.Request, body []byte) {
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		require.NoError(t, err)
		boundary := params["boundary"]
		chunks := strings.Split(string(body), "--"+boundary+"--\r\n")
		require.Len(t, chunks, 2, "closing delimiter")
		require.Equal(t, "", chunks[1])
		var answers []string
		for i, part := range strings.Split(chunks[0], "--"+boundary+"\r\n")[1:] {
			m := subRequestRE.FindStringSubmatch("--" + boundary + "\r\n" + part)
			require.NotNil(t, m, "sub-request %d:\n%s", i, part)
			assert.Equal(t, fmt.Sprint(i), m[2])
			assert.Equal(t, m[3], m[4], "signed path is the request path")
			assert.Equal(t, m[5], m[6], "signed date is the sent date")
			if strings.HasSuffix(m[3], "/gone") {
				answers = append(answers, "HTTP/1.1 404 The specified blob does not exist.\r\nx-ms-error-code: BlobNotFound\r\nx-ms-request-id: r"+m[2]+"\r\n")
			} else {
				answers = append(answers, "HTTP/1.1 202 Accepted\r\nx-ms-delete-type-permanent: true\r\n")
			}
			assert.Equal(t, []string{
				"/devstoreaccount1/box/a",
				"/devstoreaccount1/box/dir/b%20c",
				"/devstoreaccount1/box/gone",
				"/devstoreaccount1/box/100%25",
			}[i], m[3])
		}
		require.Len(t, answers, len(blobs))
		w.Header().Set("Content-Type", "multipart/mixed; boundary=batchresponse_y")
		w.WriteHeader(202)
		io.WriteString(w, azuriteBatchResponse("batchresponse_y", answers...))
	})
	auth := &fakeAuth{}
	c, _ := testClient(t, rec, auth, nil)
	res, err := c.BatchDeleteBlobs(context.Background(), "box", blobs)
	require.NoError(t, err)
	require.Len(t, res, 4)
	for i, r := range res {
		assert.Equal(t, blobs[i], r.Blob)
		if r.Blob == "gone" {
			assert.Equal(t, 404, r.StatusCode)
			assert.ErrorIs(t, r.Err, ErrNotFound)
			var re *ResponseError
			require.ErrorAs(t, r.Err, &re)
			assert.Equal(t, "r2", re.RequestID)
			assert.Equal(t, "gone", re.Blob)
			assert.Contains(t, re.Error(), `Delete Blob (in Blob Batch) of blob "gone"`)
			continue
		}
		assert.Equal(t, 202, r.StatusCode)
		assert.NoError(t, r.Err)
	}
	reqs := rec.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.Equal(t, "/devstoreaccount1/box", reqs[0].Path)
	assert.Equal(t, "comp=batch&restype=container", reqs[0].RawQuery)
	assertCommonHeaders(t, reqs[0])
	assert.Equal(t, 5, auth.calls, "four sub-requests and the batch")
}

func TestBatchWholeFailureAndGaps(t *testing.T) {
	t.Run("batch-level error inside a 202", func(t *testing.T) {
		rec := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header().Set("Content-Type", "multipart/mixed; boundary=r")
			w.WriteHeader(202)
			io.WriteString(w, "--r\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 400 One of the request inputs is not valid.\r\nx-ms-error-code: InvalidInput\r\n\r\n<Error><Code>InvalidInput</Code><Message>One of the request inputs is not valid.</Message></Error>\r\n--r--")
		})
		c, _ := testClient(t, rec, nil, nil)
		_, err := c.BatchDeleteBlobs(context.Background(), "box", []string{"a", "b"})
		var re *ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 400, re.StatusCode)
		assert.Equal(t, "InvalidInput", re.ErrorCode)
		assert.Equal(t, "Blob Batch", re.Operation)
	})
	t.Run("missing and duplicate entries", func(t *testing.T) {
		body := "--r\r\nContent-ID: 1\r\n\r\nHTTP/1.1 202 Accepted\r\n\r\n--r--"
		rec := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header().Set("Content-Type", "multipart/mixed; boundary=r")
			w.WriteHeader(202)
			io.WriteString(w, body)
		})
		c, _ := testClient(t, rec, nil, nil)
		res, err := c.BatchDeleteBlobs(context.Background(), "box", []string{"a", "b"})
		require.NoError(t, err)
		assert.ErrorContains(t, res[0].Err, "outcome is unknown")
		assert.Equal(t, 0, res[0].StatusCode)
		assert.NoError(t, res[1].Err)

		body = "--r\r\nContent-ID: 1\r\n\r\nHTTP/1.1 202 Accepted\r\n\r\n--r\r\nContent-ID: 1\r\n\r\nHTTP/1.1 202 Accepted\r\n\r\n--r--"
		_, err = c.BatchDeleteBlobs(context.Background(), "box", []string{"a", "b"})
		assert.ErrorContains(t, err, "Content-ID 1 twice")

		body = "--r\r\nContent-ID: 7\r\n\r\nHTTP/1.1 202 Accepted\r\n\r\n--r--"
		_, err = c.BatchDeleteBlobs(context.Background(), "box", []string{"a", "b"})
		assert.ErrorContains(t, err, "Content-ID 7")
	})
	t.Run("re-signed on retry", func(t *testing.T) {
		var bodies []string
		rec := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request, body []byte) {
			bodies = append(bodies, string(body))
			if n == 0 {
				w.WriteHeader(503)
				return
			}
			w.Header().Set("Content-Type", "multipart/mixed; boundary=r")
			w.WriteHeader(202)
			io.WriteString(w, "--r\r\nContent-ID: 0\r\n\r\nHTTP/1.1 202 Accepted\r\n\r\n--r--")
		})
		auth := &fakeAuth{}
		c, _ := testClient(t, rec, auth, nil)
		res, err := c.BatchDeleteBlobs(context.Background(), "box", []string{"a"})
		require.NoError(t, err)
		assert.NoError(t, res[0].Err)
		assert.Len(t, bodies, 2)
		assert.Equal(t, 4, auth.calls, "sub-request and batch signed on each try")
	})
}
