package sharedkey

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzStringToSign builds requests from random methods, URLs and headers:
// StringToSign must not panic, must be deterministic (whatever order the
// header map is walked in), and Authorize must agree with it.
func FuzzStringToSign(f *testing.F) {
	for _, v := range loadVectors(f).Requests {
		f.Add(v.Method, v.URL, strings.Join(v.Headers, "\n"), int64(len(v.StringToSign)%7))
	}
	f.Add("", "https://a/c?x=%zz&&=&X=1&x=2", "x-ms-A: 1\nX-MS-a: 2", int64(-1))
	f.Add("get", "http://127.0.0.1:10000/devstoreaccount1/c/%E2%98%83?comp=list", "x-ms-meta-a-b: \t\nx-ms-meta-ab: x\ncontent-type: a\nDate: d", int64(0))
	f.Add("PUT", "/relative?q", "x-ms-\x00: v\nrange: bytes=1-2\nx-ms-v: a\x7fb", int64(1<<40))

	c, err := NewCredential("acct", testKey)
	if err != nil {
		f.Fatal(err)
	}
	c.key.now = func() time.Time { return time.Unix(1700000000, 0) }

	f.Fuzz(func(t *testing.T, method, rawURL, headers string, contentLength int64) {
		u, err := url.Parse(rawURL)
		if err != nil {
			return
		}
		build := func(reverse bool) *http.Request {
			h := http.Header{}
			lines := strings.Split(headers, "\n")
			if reverse {
				for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
					lines[i], lines[j] = lines[j], lines[i]
				}
			}
			for _, line := range lines {
				if k, v, ok := strings.Cut(line, ": "); ok {
					h[k] = append(h[k], v)
				}
			}
			if reverse { // multi-valued keys must keep their value order
				for k, vs := range h {
					for i, j := 0, len(vs)-1; i < j; i, j = i+1, j-1 {
						vs[i], vs[j] = vs[j], vs[i]
					}
					h[k] = vs
				}
			}
			uu := *u
			return &http.Request{Method: method, URL: &uu, Header: h, ContentLength: contentLength}
		}
		s1, err1 := StringToSign(build(false), "acct")
		s2, err2 := StringToSign(build(true), "acct")
		if s1 != s2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("not deterministic:\n%q %v\n%q %v", s1, err1, s2, err2)
		}
		if err1 != nil {
			return
		}
		if n := strings.Count(s1, "\n"); n < 12 {
			t.Fatalf("string-to-sign has %d line breaks, want at least 12: %q", n, s1)
		}
		if !strings.Contains(s1, "\n/acct") && !strings.HasPrefix(s1, "/acct") {
			t.Fatalf("no canonicalized resource: %q", s1)
		}
		req := build(false)
		if err := c.Authorize(context.Background(), req); err != nil {
			t.Fatalf("StringToSign succeeded but Authorize failed: %v", err)
		}
		sts, err := StringToSign(req, "acct")
		if err != nil {
			t.Fatal(err)
		}
		if want := "SharedKey acct:" + c.key.sign([]byte(sts)); req.Header.Get("Authorization") != want {
			t.Fatalf("Authorization %q, want %q", req.Header.Get("Authorization"), want)
		}
	})
}

// FuzzParseConnectionString: no panic; errors and String never contain an
// AccountKey or SharedAccessSignature value; results are consistent.
func FuzzParseConnectionString(f *testing.F) {
	for _, s := range []string{
		"DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey=" + testKey + ";EndpointSuffix=core.windows.net",
		"UseDevelopmentStorage=true",
		"BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=?" + sasToken,
		"AccountName=a;" + testKey,
		"AccountName=a;AccountKey=" + testKey + ";accountkey=" + testKey,
		"accountname=x;AccountKey=AAAAAAAAAAAAAAAAAAAAAA==;BlobEndpoint=http://h:1/p/",
		"=;;=x;AccountKey==;SharedAccessSignature=sig=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var secrets []string
		for _, part := range strings.Split(s, ";") {
			k, v, _ := strings.Cut(part, "=")
			k = strings.TrimSpace(k)
			if strings.EqualFold(k, "AccountKey") || strings.EqualFold(k, "SharedAccessSignature") {
				for _, sec := range []string{v, strings.TrimSpace(v), strings.TrimPrefix(strings.TrimSpace(v), "?")} {
					if len(sec) >= minScrubbed {
						secrets = append(secrets, sec)
					}
				}
			}
		}
		cs, err := ParseConnectionString(s)
		if err != nil {
			if cs != nil {
				t.Fatal("non-nil result with an error")
			}
			for _, sec := range secrets {
				if strings.Contains(err.Error(), sec) {
					t.Fatalf("error %q contains secret %q", err, sec)
				}
			}
			return
		}
		if cs.BlobEndpoint == "" || (cs.AccountKey == "") == (cs.SharedAccessSignature == "") {
			t.Fatalf("inconsistent result: endpoint %q, key set %v, SAS set %v", cs.BlobEndpoint, cs.AccountKey != "", cs.SharedAccessSignature != "")
		}
		out := cs.String() + fmt.Sprintf("%v %+v %#v %s", cs, cs, *cs, cs)
		for _, sec := range []string{cs.AccountKey, cs.SharedAccessSignature} {
			// The visible fields may legitimately contain short strings.
			if len(sec) >= 16 && strings.Contains(out, sec) {
				t.Fatalf("String leaks a secret")
			}
		}
		if cs.AccountKey != "" {
			if _, err := cs.Credential(); err != nil {
				t.Fatalf("validated key rejected by Credential: %v", err)
			}
		}
	})
}
