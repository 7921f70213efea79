package restapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkPutBlock measures the client side of one Put Block of 4 MiB
// against a local server that discards the body: the pipeline's overhead
// (headers, authorization hook, body rewinding, CRC-64 header) on top of
// plain net/http.
func BenchmarkPutBlock(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	c, err := NewClient(srv.URL+"/devstoreaccount1", &fakeAuth{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("x"), 4<<20)
	crc := EncodeCRC64(CRC64(data))
	body := bytes.NewReader(data)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body.Seek(0, io.SeekStart)
		if _, err := c.PutBlock(ctx, "box", "blob", "AAAAAA==", body, &PutBlockOptions{ContentCRC64: crc}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseListBlobs parses a full 5,000-blob listing page.
func BenchmarkParseListBlobs(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs>`)
	for i := 0; i < 5000; i++ {
		buf.WriteString(`<Blob><Name>part/0f6a2c3e-7b1d-4e55-9a9e-2f1f4c7d8e9a/upload/00001</Name><Properties><Creation-Time>Wed, 02 Jan 2030 03:04:05 GMT</Creation-Time><Last-Modified>Wed, 02 Jan 2030 03:04:05 GMT</Last-Modified><Etag>0x8DB5A3F0C1D2E3F</Etag><Content-Length>5242880</Content-Length><Content-Type>application/octet-stream</Content-Type><BlobType>BlockBlob</BlobType></Properties></Blob>`)
	}
	buf.WriteString(`</Blobs><NextMarker>2!100!next</NextMarker></EnumerationResults>`)
	body := buf.Bytes()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := parseListBlobs(body); err != nil {
			b.Fatal(err)
		}
	}
}
