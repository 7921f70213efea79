package restapi

import (
	"bytes"
	"strings"
	"testing"
)

// Fuzz targets for every parser of network input. Properties: no panic,
// and results consistent with the input where that is checkable.

func FuzzParseListBlobs(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs><Blob><Name>a</Name><Properties><Content-Length>3</Content-Length><Etag>0x1</Etag><Last-Modified>Wed, 02 Jan 2030 03:04:05 GMT</Last-Modified><Content-CRC64>iJh5CoYUi64=</Content-CRC64></Properties><Metadata><k>v</k></Metadata></Blob></Blobs><NextMarker>m</NextMarker></EnumerationResults>`))
	f.Add([]byte(`<EnumerationResults><Blobs><Blob><Name Encoded="true">a%20b</Name></Blob></Blobs><NextMarker/></EnumerationResults>`))
	f.Add([]byte("\ufeff<EnumerationResults/>"))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "aaaa">]><EnumerationResults><Blobs><Blob><Name>&a;</Name></Blob></Blobs></EnumerationResults>`))
	f.Add([]byte(`<EnumerationResults><Blobs><Blob><Name>x</Name><Metadata><a><b>c</b></a></Metadata></Blob></Blobs></EnumerationResults>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseListBlobs(body)
		if err != nil {
			if !strings.Contains(err.Error(), "List Blobs") {
				t.Fatalf("error does not name the operation: %v", err)
			}
			return
		}
		for _, b := range p.Blobs {
			if b.Name == "" || b.Size < 0 {
				t.Fatalf("invalid item %+v", b)
			}
			if b.ContentCRC64 != nil && len(b.ContentCRC64) != 8 {
				t.Fatalf("crc %x", b.ContentCRC64)
			}
		}
	})
}

func FuzzParseBlockList(f *testing.F) {
	f.Add([]byte(`<BlockList><CommittedBlocks><Block><Name>AAA=</Name><Size>5</Size></Block></CommittedBlocks><UncommittedBlocks><Block><Name>AAE=</Name><Size>0</Size></Block></UncommittedBlocks></BlockList>`))
	f.Add([]byte(`<BlockList/>`))
	f.Add([]byte(`<BlockList><CommittedBlocks><Block><Size>99999999999999999999</Size></Block></CommittedBlocks></BlockList>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		bl, err := parseBlockList(body)
		if err != nil {
			if !strings.Contains(err.Error(), "Get Block List") {
				t.Fatalf("error does not name the operation: %v", err)
			}
			return
		}
		for _, b := range append(bl.Committed, bl.Uncommitted...) {
			if b.Size < 0 {
				t.Fatalf("negative size %+v", b)
			}
		}
	})
}

func FuzzParseErrorXML(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>`))
	f.Add([]byte(`<Error><Code>AuthenticationFailed</Code><Message>m</Message><AuthenticationErrorDetail>The MAC signature found in the HTTP request 'abc' is not the same as any computed signature.</AuthenticationErrorDetail></Error>`))
	f.Add([]byte(`<Error><Code>InvalidHeaderValue</Code><HeaderName>x-ms-copy-source</HeaderName><HeaderValue>https://a/b?sig=SECRET</HeaderValue></Error>`))
	f.Add([]byte(`<Error><Error><Code>x</Code></Error></Error>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := parseErrorXML(body)
		if err != nil {
			return
		}
		if len(e.Details) > maxErrorDetails {
			t.Fatalf("%d details", len(e.Details))
		}
		if bytes.Contains(body, []byte("sig=SECRET")) {
			for _, v := range e.Details {
				if sasSignatureKept(v) {
					t.Fatalf("secret kept in details: %q", v)
				}
			}
		}
	})
}

// sasSignatureKept reports whether v still holds sig=SECRET as a SAS query
// parameter: at the start, or after a separator a URL or message puts
// before a parameter (? & ; # quote ( < space, or an encoded & or ?).
// "xsig=" is another parameter's name, not a signature, and is kept.
func sasSignatureKept(v string) bool {
	for i := 0; ; {
		k := strings.Index(v[i:], "sig=SECRET")
		if k < 0 {
			return false
		}
		at := i + k
		before := v[:at]
		if at == 0 || strings.ContainsRune(`?&;#"'(< `+"\t\n\r\f", rune(v[at-1])) ||
			strings.HasSuffix(strings.ToLower(before), "%26") || strings.HasSuffix(strings.ToLower(before), "%3f") {
			return true
		}
		i = at + 1
	}
}

func FuzzParseUserDelegationKey(f *testing.F) {
	f.Add([]byte(`<UserDelegationKey><SignedOid>o</SignedOid><SignedTid>t</SignedTid><SignedStart>2030-01-02T03:04:05Z</SignedStart><SignedExpiry>2030-01-03T03:04:05Z</SignedExpiry><SignedService>b</SignedService><SignedVersion>2025-11-05</SignedVersion><Value>a2V5</Value></UserDelegationKey>`))
	f.Add([]byte(`<UserDelegationKey><SignedStart>2030-01-02T03:04:05.1234567Z</SignedStart></UserDelegationKey>`))
	f.Add([]byte(`<UserDelegationKey/>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		k, err := parseUserDelegationKey(body)
		if err != nil {
			if !strings.Contains(err.Error(), "Get User Delegation Key") {
				t.Fatalf("error does not name the operation: %v", err)
			}
			return
		}
		if k.Value == "" || k.SignedOID == "" || k.SignedTID == "" || k.SignedVersion == "" {
			t.Fatalf("incomplete key accepted")
		}
		if !strings.Contains(k.String(), "value: REDACTED") {
			t.Fatalf("String does not redact the value")
		}
	})
}

func FuzzParseBatchResponse(f *testing.F) {
	f.Add(azureBatchContentType, []byte(azureBatchResponse))
	f.Add("multipart/mixed; boundary=batchresponse_x", []byte(azuriteBatchResponse("batchresponse_x",
		"HTTP/1.1 202 Accepted\r\nx-ms-request-id: a\r\n",
		"HTTP/1.1 404 Not Found\r\nx-ms-error-code: BlobNotFound\r\n\r\n<Error><Code>BlobNotFound</Code></Error>\r\n")))
	f.Add("multipart/mixed; boundary=r", []byte("--r\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 400 Bad\r\n\r\n--r--"))
	f.Add("multipart/mixed; boundary=r", []byte("--r\r\nContent-ID: 0\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 99999\r\n\r\nshort\r\n--r--"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		parts, err := parseBatchResponse(ct, body)
		if err != nil {
			return
		}
		if len(parts) == 0 || len(parts) > maxBatchParts {
			t.Fatalf("%d parts", len(parts))
		}
		for _, p := range parts {
			if len(p.body) > errorBodyLimit {
				t.Fatalf("body of %d bytes", len(p.body))
			}
		}
		// Mapping onto blobs never panics either.
		c, _ := NewClient("http://127.0.0.1:1/devstoreaccount1", nil, nil)
		_, _ = c.batchResults(&call{op: opBlobBatch, method: "POST", container: "box"}, "box", []string{"a", "b", "c"}, parts)
	})
}

func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-99/1234", "bytes */1234", "bytes 0-99/*", "bytes 1-0/5", "", "bytes 9223372036854775806-9223372036854775806/9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cr, err := parseContentRange(s)
		if err != nil {
			return
		}
		if cr.Start >= 0 && (cr.End < cr.Start || (cr.Total >= 0 && cr.End >= cr.Total)) {
			t.Fatalf("inconsistent %+v from %q", cr, s)
		}
		if cr.Start < 0 && cr.Total < 0 {
			t.Fatalf("empty range accepted from %q", s)
		}
	})
}

func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{"https://acct.blob.core.windows.net", "http://127.0.0.1:10000/devstoreaccount1", "http://[::1]:1/a", "https://a/b?sig=x", "https://u:p@h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ep, err := parseEndpoint(s)
		if err != nil {
			if strings.Contains(s, "sig=SECRET") && strings.Contains(err.Error(), "SECRET") {
				t.Fatalf("error echoes a SAS: %v", err)
			}
			return
		}
		if ep.account == "" || strings.HasSuffix(ep.base, "/") || (ep.scheme != "http" && ep.scheme != "https") {
			t.Fatalf("bad endpoint %+v from %q", ep, s)
		}
	})
}

func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{"https://a/c/b?sv=1&sig=SECRET", "https://a/b?x=1&SIG=SECRET&y", "SECRET", "https://a/b#sig=SECRET", "sig=SECRET"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := RedactURL(s)
		// A value introduced by "sig=" right after a separator never survives.
		for _, sep := range []string{"?sig=SECRET", "&sig=SECRET"} {
			if strings.Contains(s, sep) && strings.Contains(out, sep) {
				t.Fatalf("RedactURL(%q) = %q", s, out)
			}
		}
	})
}

func TestSASSignatureKept(t *testing.T) {
	for v, want := range map[string]bool{
		"sig=SECRET":                   true,
		"https://a/b?sig=SECRET":       true,
		"https://a/b?sv=1&sig=SECRET":  true,
		"x %26sig=SECRET":              true,
		"x %3Fsig=SECRET":              true,
		"value 'sig=SECRET'":           true,
		"0sig=SECRET":                  false,
		"xsig=SECRET then ?sig=REDACT": false,
		"https://a/b?sig=REDACTED":     false,
	} {
		if got := sasSignatureKept(v); got != want {
			t.Errorf("sasSignatureKept(%q) = %v, want %v", v, got, want)
		}
	}
}
