package restapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	t0       = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	t0Header = "Wed, 02 Jan 2030 03:04:05 GMT"
)

// assertCommonHeaders checks the per-try headers every request carries.
func assertCommonHeaders(t *testing.T, r seenRequest) {
	t.Helper()
	assert.Equal(t, DefaultServiceVersion, r.Header.Get("x-ms-version"))
	d, err := http.ParseTime(r.Header.Get("x-ms-date"))
	require.NoError(t, err, "x-ms-date %q", r.Header.Get("x-ms-date"))
	assert.True(t, strings.HasSuffix(r.Header.Get("x-ms-date"), " GMT"))
	assert.WithinDuration(t, time.Now(), d, time.Minute)
	_, err = uuid.Parse(r.Header.Get("x-ms-client-request-id"))
	assert.NoError(t, err)
	assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "azblobmin/"+Version+" (go"))
	assert.Equal(t, "identity", r.Header.Get("Accept-Encoding"))
	assert.Equal(t, "Fake "+r.Method+" "+r.Path+" "+r.Header.Get("x-ms-date"), r.Header.Get("Authorization"))
}

func TestOperationRequests(t *testing.T) {
	legal := true
	crc := EncodeCRC64(CRC64([]byte("hello world")))
	crcB64 := base64.StdEncoding.EncodeToString(crc)
	blockID := base64.StdEncoding.EncodeToString([]byte{0xfb, 0xef, 0xff, 0x01}) // "++//AQ==": needs query escaping

	tests := []struct {
		name     string
		answer   func(int, http.ResponseWriter, *http.Request, []byte)
		run      func(ctx context.Context, c *Client) error
		method   string
		path     string
		query    string
		headers  map[string]string // exact values; "" means must be absent
		body     string
		bodyLen  string // Content-Length header value when checked
		rawNames []string
	}{
		{
			name: "Create Container",
			run: func(ctx context.Context, c *Client) error {
				return c.CreateContainer(ctx, "box", &CreateContainerOptions{Metadata: map[string]string{"Owner": "me"}})
			},
			method: "PUT", path: "/devstoreaccount1/box", query: "restype=container",
			headers:  map[string]string{"x-ms-meta-Owner": "me", "Content-Length": "0"},
			rawNames: []string{"x-ms-meta-Owner"},
		},
		{
			name: "Get Container Properties",
			answer: func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header().Set("ETag", `"0x1"`)
				w.Header().Set("Last-Modified", t0Header)
				w.Header().Set("x-ms-meta-Owner", "me")
			},
			run: func(ctx context.Context, c *Client) error {
				p, err := c.GetContainerProperties(ctx, "box")
				if err != nil {
					return err
				}
				if p.ETag != `"0x1"` || !p.LastModified.Equal(t0) || p.Metadata["owner"] != "me" {
					return fmt.Errorf("bad properties %+v", p)
				}
				return nil
			},
			method: "GET", path: "/devstoreaccount1/box", query: "restype=container",
		},
		{
			name: "Delete Container",
			answer: func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.WriteHeader(http.StatusAccepted)
			},
			run: func(ctx context.Context, c *Client) error {
				return c.DeleteContainer(ctx, "box", &DeleteContainerOptions{Conditions: Conditions{IfUnmodifiedSince: t0}})
			},
			method: "DELETE", path: "/devstoreaccount1/box", query: "restype=container",
			headers: map[string]string{"If-Unmodified-Since": t0Header},
		},
		{
			name: "Put Blob",
			answer: func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header().Set("ETag", `"0x2"`)
				w.Header().Set("Last-Modified", t0Header)
				w.Header().Set("x-ms-content-crc64", crcB64)
				w.Header().Set("x-ms-version-id", "v1")
				w.Header().Set("x-ms-request-id", "rid-1")
				w.WriteHeader(http.StatusCreated)
			},
			run: func(ctx context.Context, c *Client) error {
				body := strings.NewReader("XXhello world")
				body.Seek(2, io.SeekStart) // the body starts where the reader is
				res, err := c.PutBlob(ctx, "box", "dir/a b+é%.txt", body, &PutBlobOptions{
					Conditions:   Conditions{IfNoneMatch: "*"},
					ContentType:  "text/plain; charset=utf-8",
					Metadata:     map[string]string{"sessionId": "s1", "Kind": "part"},
					ContentCRC64: crc,
					Immutability: Immutability{PolicyUntil: t0, PolicyMode: "locked", LegalHold: &legal},
				})
				if err != nil {
					return err
				}
				want := BlobWriteResult{ETag: `"0x2"`, LastModified: t0, ContentCRC64: crc, VersionID: "v1", RequestID: "rid-1"}
				if fmt.Sprint(*res) != fmt.Sprint(want) {
					return fmt.Errorf("result %+v, want %+v", *res, want)
				}
				return nil
			},
			method: "PUT", path: "/devstoreaccount1/box/dir/a%20b%2B%C3%A9%25.txt",
			headers: map[string]string{
				"x-ms-blob-type":                      "BlockBlob",
				"x-ms-blob-content-type":              "text/plain; charset=utf-8",
				"Content-Type":                        "",
				"If-None-Match":                       "*",
				"x-ms-meta-sessionId":                 "s1",
				"x-ms-meta-Kind":                      "part",
				"x-ms-content-crc64":                  crcB64,
				"x-ms-immutability-policy-until-date": t0Header,
				"x-ms-immutability-policy-mode":       "Locked",
				"x-ms-legal-hold":                     "true",
			},
			rawNames: []string{"x-ms-meta-sessionId", "x-ms-meta-Kind"},
			body:     "hello world", bodyLen: "11",
		},
		{
			name: "Put Blob empty",
			run: func(ctx context.Context, c *Client) error {
				_, err := c.PutBlob(ctx, "box", "empty", nil, nil)
				return err
			},
			method: "PUT", path: "/devstoreaccount1/box/empty",
			headers: map[string]string{"x-ms-blob-type": "BlockBlob", "Content-Length": "0", "Transfer-Encoding": ""},
		},
		{
			name: "Put Block",
			answer: func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header().Set("x-ms-content-crc64", crcB64)
				w.WriteHeader(http.StatusCreated)
			},
			run: func(ctx context.Context, c *Client) error {
				res, err := c.PutBlock(ctx, "box", "b", blockID, bytes.NewReader([]byte("hello world")), &PutBlockOptions{ContentCRC64: crc})
				if err != nil {
					return err
				}
				if !bytes.Equal(res.ContentCRC64, crc) {
					return fmt.Errorf("crc %x", res.ContentCRC64)
				}
				return nil
			},
			method: "PUT", path: "/devstoreaccount1/box/b",
			query:   "blockid=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(blockID) + "&comp=block",
			headers: map[string]string{"x-ms-content-crc64": crcB64},
			body:    "hello world", bodyLen: "11",
		},
		{
			name: "Put Block From URL",
			run: func(ctx context.Context, c *Client) error {
				_, err := c.PutBlockFromURL(ctx, "box", "dst", blockID, "https://src.blob.core.windows.net/c/part?sv=1&sig=SECRET", &PutBlockFromURLOptions{
					SourceRange:             &HTTPRange{Offset: 10, Count: 5},
					SourceContentCRC64:      crc,
					SourceConditions:        SourceConditions{IfMatch: `"0x9"`, IfNoneMatch: `"0x8"`, IfModifiedSince: t0, IfUnmodifiedSince: t0},
					CopySourceAuthorization: "Bearer tok",
				})
				return err
			},
			method: "PUT", path: "/devstoreaccount1/box/dst",
			query: "blockid=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(blockID) + "&comp=block",
			headers: map[string]string{
				"x-ms-copy-source":                "https://src.blob.core.windows.net/c/part?sv=1&sig=SECRET",
				"x-ms-source-range":               "bytes=10-14",
				"x-ms-source-content-crc64":       crcB64,
				"x-ms-source-if-match":            `"0x9"`,
				"x-ms-source-if-none-match":       `"0x8"`,
				"x-ms-source-if-modified-since":   t0Header,
				"x-ms-source-if-unmodified-since": t0Header,
				"x-ms-copy-source-authorization":  "Bearer tok",
				"Content-Length":                  "0",
			},
		},
		{
			name: "Put Block List",
			answer: func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header().Set("ETag", `"0x3"`)
				w.WriteHeader(http.StatusCreated)
			},
			run: func(ctx context.Context, c *Client) error {
				res, err := c.PutBlockList(ctx, "box", "rec", []BlockRef{{ID: "AAA="}, {ID: "AAE=", Kind: BlockUncommitted}, {ID: "AAI=", Kind: BlockCommitted}}, &PutBlockListOptions{
					Conditions:   Conditions{IfNoneMatch: "*"},
					ContentType:  "application/octet-stream",
					Metadata:     map[string]string{"a": "1"},
					Immutability: Immutability{PolicyUntil: t0},
				})
				if err != nil {
					return err
				}
				if res.ETag != `"0x3"` {
					return fmt.Errorf("etag %q", res.ETag)
				}
				return nil
			},
			method: "PUT", path: "/devstoreaccount1/box/rec", query: "comp=blocklist",
			headers: map[string]string{
				"Content-Type":                        "application/xml",
				"x-ms-blob-content-type":              "application/octet-stream",
				"If-None-Match":                       "*",
				"x-ms-meta-a":                         "1",
				"x-ms-immutability-policy-until-date": t0Header,
				"x-ms-immutability-policy-mode":       "Unlocked",
				"x-ms-legal-hold":                     "",
			},
			body: `<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>AAA=</Latest><Uncommitted>AAE=</Uncommitted><Committed>AAI=</Committed></BlockList>`,
		},
		{
			name: "Get Block List",
			answer: func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header().Set("ETag", `"0x4"`)
				io.WriteString(w, "\ufeff"+`<?xml version="1.0" encoding="utf-8"?><BlockList><CommittedBlocks><Block><Name>AAA=</Name><Size>5</Size></Block></CommittedBlocks><UncommittedBlocks><Block><Name>AAE=</Name><Size>7</Size></Block><Block><Name>AAI=</Name><Size>0</Size></Block></UncommittedBlocks></BlockList>`)
			},
			run: func(ctx context.Context, c *Client) error {
				bl, err := c.GetBlockList(ctx, "box", "rec", &GetBlockListOptions{ListType: "uncommitted"})
				if err != nil {
					return err
				}
				want := BlockList{Committed: []Block{{"AAA=", 5}}, Uncommitted: []Block{{"AAE=", 7}, {"AAI=", 0}}, ETag: `"0x4"`}
				if fmt.Sprint(*bl) != fmt.Sprint(want) {
					return fmt.Errorf("got %+v", *bl)
				}
				return nil
			},
			method: "GET", path: "/devstoreaccount1/box/rec", query: "blocklisttype=uncommitted&comp=blocklist",
		},
		{
			name: "List Blobs",
			answer: func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				io.WriteString(w, `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="x" ContainerName="box"><Prefix>p q</Prefix><MaxResults>2</MaxResults><Blobs>`+
					`<Blob><Name>p q/1</Name><Properties><Creation-Time>`+t0Header+`</Creation-Time><Last-Modified>`+t0Header+`</Last-Modified><Etag>0x5</Etag><Content-Length>12</Content-Length><Content-CRC64>`+crcB64+`</Content-CRC64></Properties><Metadata><Session>s1</Session></Metadata></Blob>`+
					`<Blob><Name Encoded="true">p%20q%2F%EF%BF%BE</Name><Properties><Etag>"0x6"</Etag><Content-Length>0</Content-Length></Properties></Blob>`+
					`</Blobs><NextMarker>2!12!next</NextMarker></EnumerationResults>`)
			},
			run: func(ctx context.Context, c *Client) error {
				p, err := c.ListBlobs(ctx, "box", &ListBlobsOptions{Prefix: "p q", Marker: "m+1", MaxResults: 2, IncludeMetadata: true})
				if err != nil {
					return err
				}
				want := ListBlobsPage{NextMarker: "2!12!next", Blobs: []BlobItem{
					{Name: "p q/1", Size: 12, ETag: `"0x5"`, LastModified: t0, CreationTime: t0, ContentCRC64: crc, Metadata: map[string]string{"session": "s1"}},
					{Name: "p q/\uFFFE", Size: 0, ETag: `"0x6"`},
				}}
				if fmt.Sprint(*p) != fmt.Sprint(want) {
					return fmt.Errorf("got %+v\nwant %+v", *p, want)
				}
				return nil
			},
			method: "GET", path: "/devstoreaccount1/box",
			query: "comp=list&include=metadata&marker=m%2B1&maxresults=2&prefix=p%20q&restype=container",
		},
		{
			name: "Get Blob ranged",
			answer: func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header().Set("Content-Range", "bytes 3-7/100")
				w.Header().Set("Content-Length", "5")
				w.Header().Set("ETag", `"0x7"`)
				w.Header().Set("Content-Type", "text/plain")
				w.Header().Set("x-ms-creation-time", t0Header)
				w.WriteHeader(http.StatusPartialContent)
				io.WriteString(w, "lo wo")
			},
			run: func(ctx context.Context, c *Client) error {
				res, err := c.GetBlob(ctx, "box", "b", &GetBlobOptions{Range: &HTTPRange{Offset: 3, Count: 5}, Conditions: Conditions{IfMatch: `"0x7"`}})
				if err != nil {
					return err
				}
				defer res.Body.Close()
				b, err := io.ReadAll(res.Body)
				if err != nil {
					return err
				}
				if string(b) != "lo wo" || res.TotalSize != 100 || res.ContentRange != "bytes 3-7/100" ||
					res.Properties.ContentLength != 5 || res.Properties.ETag != `"0x7"` || res.Properties.ContentType != "text/plain" || !res.Properties.CreationTime.Equal(t0) {
					return fmt.Errorf("got %q %+v", b, res)
				}
				return nil
			},
			method: "GET", path: "/devstoreaccount1/box/b",
			headers: map[string]string{"x-ms-range": "bytes=3-7", "If-Match": `"0x7"`, "Range": ""},
		},
		{
			name: "Get Blob whole",
			answer: func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header().Set("ETag", `"0x7"`)
				io.WriteString(w, "hello world")
			},
			run: func(ctx context.Context, c *Client) error {
				res, err := c.GetBlob(ctx, "box", "b", nil)
				if err != nil {
					return err
				}
				defer res.Body.Close()
				b, err := io.ReadAll(res.Body)
				if err != nil || string(b) != "hello world" || res.TotalSize != 11 {
					return fmt.Errorf("got %q %v %d", b, err, res.TotalSize)
				}
				return nil
			},
			method: "GET", path: "/devstoreaccount1/box/b",
			headers: map[string]string{"x-ms-range": ""},
		},
		{
			name: "Get Blob Properties",
			answer: func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header().Set("Content-Length", "1234")
				w.Header().Set("x-ms-meta-SessionID", "s1")
				w.Header().Set("x-ms-content-crc64", crcB64)
				w.Header().Set("x-ms-version-id", "v2")
			},
			run: func(ctx context.Context, c *Client) error {
				p, err := c.GetBlobProperties(ctx, "box", "b", &GetBlobOptions{Conditions: Conditions{IfModifiedSince: t0}})
				if err != nil {
					return err
				}
				if p.ContentLength != 1234 || p.Metadata["sessionid"] != "s1" || !bytes.Equal(p.ContentCRC64, crc) || p.VersionID != "v2" {
					return fmt.Errorf("got %+v", p)
				}
				return nil
			},
			method: "HEAD", path: "/devstoreaccount1/box/b",
			headers: map[string]string{"If-Modified-Since": t0Header},
		},
		{
			name: "Delete Blob",
			answer: func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.WriteHeader(http.StatusAccepted)
			},
			run: func(ctx context.Context, c *Client) error {
				return c.DeleteBlob(ctx, "box", "b", &DeleteBlobOptions{DeleteSnapshots: "include", Conditions: Conditions{IfMatch: `"0x1"`}})
			},
			method: "DELETE", path: "/devstoreaccount1/box/b",
			headers: map[string]string{"x-ms-delete-snapshots": "include", "If-Match": `"0x1"`},
		},
		{
			name:   "Get User Delegation Key",
			answer: xmlAnswer(200, `<?xml version="1.0" encoding="utf-8"?><UserDelegationKey><SignedOid>oid-1</SignedOid><SignedTid>tid-1</SignedTid><SignedStart>2030-01-02T03:04:05Z</SignedStart><SignedExpiry>2030-01-03T03:04:05Z</SignedExpiry><SignedService>b</SignedService><SignedVersion>2025-11-05</SignedVersion><Value>a2V5</Value></UserDelegationKey>`),
			run: func(ctx context.Context, c *Client) error {
				start := time.Now().Add(-time.Minute).Truncate(time.Second)
				k, err := c.GetUserDelegationKey(ctx, start, start.Add(time.Hour))
				if err != nil {
					return err
				}
				want := UserDelegationKey{SignedOID: "oid-1", SignedTID: "tid-1", SignedStart: t0, SignedExpiry: t0.Add(24 * time.Hour), SignedService: "b", SignedVersion: "2025-11-05", Value: "a2V5"}
				if *k != want {
					return fmt.Errorf("got %#v", k)
				}
				return nil
			},
			method: "POST", path: "/devstoreaccount1/", query: "comp=userdelegationkey&restype=service",
			headers: map[string]string{"Content-Type": "application/xml"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, tc.answer)
			auth := &fakeAuth{}
			c, _ := testClient(t, rec, auth, nil)
			require.NoError(t, tc.run(context.Background(), c))
			reqs := rec.requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assertCommonHeaders(t, r)
			assert.Equal(t, tc.method, r.Method)
			assert.Equal(t, tc.path, r.Path)
			assert.Equal(t, tc.query, r.RawQuery)
			for k, v := range tc.headers {
				if v == "" {
					assert.Empty(t, r.Header.Values(k), "header %s must be absent", k)
					continue
				}
				assert.Equal(t, []string{v}, r.Header.Values(k), "header %s", k)
			}
			for _, raw := range tc.rawNames {
				_, ok := r.RawHeaders[strings.ToLower(raw)]
				assert.True(t, ok, raw)
			}
			if tc.body != "" {
				assert.Equal(t, tc.body, string(r.Body))
			}
			if tc.bodyLen != "" {
				assert.Equal(t, tc.bodyLen, r.Header.Get("Content-Length"))
			}
			// Authorization was the last header set: everything but it was present.
			assert.NotContains(t, auth.seen, "authorization")
			assert.Contains(t, auth.seen, "x-ms-date")
			assert.Contains(t, auth.seen, "x-ms-client-request-id")
			assert.Equal(t, 1, auth.calls)
		})
	}
}

// Metadata keys must reach the wire with their case: check the raw bytes.
func TestMetadataCaseOnTheWire(t *testing.T) {
	var raw bytes.Buffer
	c, err := NewClient("http://127.0.0.1:1/devstoreaccount1", nil, nil)
	require.NoError(t, err)
	h := http.Header{}
	require.NoError(t, setMetadata(h, map[string]string{"sessionId": "x"}))
	req, _ := http.NewRequest("PUT", c.BlobURL("box", "b"), nil)
	req.Header = h
	require.NoError(t, req.Write(&raw))
	assert.Contains(t, raw.String(), "\r\nx-ms-meta-sessionId: x\r\n")
}

func TestOptionValidation(t *testing.T) {
	rec := newRecorder(t, nil)
	c, _ := testClient(t, rec, nil, nil)
	ctx := context.Background()
	bad := func(err error, want string) {
		t.Helper()
		require.Error(t, err)
		assert.Contains(t, err.Error(), want)
	}
	_, err := c.PutBlob(ctx, "box", "b", nil, &PutBlobOptions{ContentCRC64: []byte{1, 2}})
	bad(err, "8-byte")
	_, err = c.PutBlob(ctx, "box", "b", nil, &PutBlobOptions{Metadata: map[string]string{"1abc": "x"}})
	bad(err, "metadata name")
	_, err = c.PutBlob(ctx, "box", "b", nil, &PutBlobOptions{Metadata: map[string]string{"a": "x", "A": "y"}})
	bad(err, "differ only in case")
	_, err = c.PutBlob(ctx, "box", "b", nil, &PutBlobOptions{Metadata: map[string]string{"a": "é"}})
	bad(err, "not ASCII")
	_, err = c.PutBlob(ctx, "box", "b", nil, &PutBlobOptions{Metadata: map[string]string{"a": "x\r\ny: z"}})
	bad(err, "control character")
	_, err = c.PutBlob(ctx, "box", "b", nil, &PutBlobOptions{Immutability: Immutability{PolicyMode: "Locked"}})
	bad(err, "needs Immutability.PolicyUntil")
	_, err = c.PutBlob(ctx, "box", "b", nil, &PutBlobOptions{Immutability: Immutability{PolicyUntil: t0, PolicyMode: "forever"}})
	bad(err, "PolicyMode")
	_, err = c.PutBlock(ctx, "box", "b", "not base64!", nil, nil)
	bad(err, "not standard base64")
	_, err = c.PutBlock(ctx, "box", "b", "", nil, nil)
	bad(err, "empty")
	_, err = c.PutBlock(ctx, "box", "b", base64.StdEncoding.EncodeToString(make([]byte, 65)), nil, nil)
	bad(err, "limit is 64")
	_, err = c.PutBlockFromURL(ctx, "box", "b", "AAA=", "/relative", nil)
	bad(err, "absolute")
	_, err = c.PutBlockFromURL(ctx, "box", "b", "AAA=", "https://x/y", &PutBlockFromURLOptions{SourceRange: &HTTPRange{Offset: -1}})
	bad(err, "negative")
	_, err = c.PutBlockList(ctx, "box", "b", []BlockRef{{ID: "AAA=", Kind: "Newest"}}, nil)
	bad(err, "kind")
	_, err = c.PutBlockList(ctx, "box", "b", make([]BlockRef, maxBlocks+1), nil)
	bad(err, "at most 50000")
	_, err = c.GetBlockList(ctx, "box", "b", &GetBlockListOptions{ListType: "some"})
	bad(err, "ListType")
	_, err = c.ListBlobs(ctx, "box", &ListBlobsOptions{MaxResults: -1})
	bad(err, "negative")
	err = c.DeleteBlob(ctx, "box", "b", &DeleteBlobOptions{DeleteSnapshots: "all"})
	bad(err, "DeleteSnapshots")
	_, err = c.GetUserDelegationKey(ctx, t0, t0)
	bad(err, "not after start")
	_, err = c.GetUserDelegationKey(ctx, time.Time{}, time.Now().Add(8*24*time.Hour))
	bad(err, "7 days")
	_, err = c.BatchDeleteBlobs(ctx, "box", nil)
	bad(err, "no blobs")
	_, err = c.BatchDeleteBlobs(ctx, "box", make([]string, MaxBatchSize+1))
	bad(err, "at most 256")
	err = c.CreateContainer(ctx, "Bad_Name", nil)
	bad(err, "container name")
	_, err = c.GetBlob(ctx, "box", "a/../b", nil)
	bad(err, "segment")
	assert.Equal(t, 0, rec.count(), "invalid input must not reach the network")
}

func TestHTTPRangeHeader(t *testing.T) {
	for _, tc := range []struct {
		r    HTTPRange
		want string
	}{
		{HTTPRange{}, ""},
		{HTTPRange{Offset: 5}, "bytes=5-"},
		{HTTPRange{Offset: 0, Count: 1}, "bytes=0-0"},
		{HTTPRange{Offset: 4 << 30, Count: 4 << 20}, "bytes=4294967296-4299161599"},
	} {
		got, err := tc.r.header()
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
	}
	_, err := HTTPRange{Offset: 1 << 62, Count: 1 << 62}.header()
	assert.ErrorContains(t, err, "overflows")
}
