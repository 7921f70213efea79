package sharedkey

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestStringToSignRejects(t *testing.T) {
	const secret = "Bearer eyJhbGciOiJSUzI1NiJ9.secret-token"
	tests := []struct {
		name    string
		build   func() *http.Request
		account string
		wantErr string
	}{
		{"nil request", func() *http.Request { return nil }, "a", "nil request"},
		{"no URL", func() *http.Request { return &http.Request{Method: "GET"} }, "a", "without a URL"},
		{"empty account", func() *http.Request { return get(t, "https://a.blob.core.windows.net/") }, "", "account name is empty"},
		{"invalid method", func() *http.Request { r := get(t, "https://a/"); r.Method = "GE T"; return r }, "a", "method is not a valid HTTP token"},
		{"x-ms header twice", func() *http.Request {
			r := get(t, "https://a/")
			r.Header["X-Ms-Meta-A"] = []string{"1", "2"}
			return r
		}, "a", "has 2 values"},
		{"x-ms header under two casings", func() *http.Request {
			r := get(t, "https://a/")
			r.Header["X-Ms-Meta-A"] = []string{"1"}
			r.Header["x-ms-meta-a"] = []string{"2"}
			return r
		}, "a", "differ only in letter case"},
		{"standard header twice", func() *http.Request {
			r := get(t, "https://a/")
			r.Header["If-Match"] = []string{"a", "b"}
			return r
		}, "a", "If-Match is set more than once"},
		{"standard header under two casings", func() *http.Request {
			r := get(t, "https://a/")
			r.Header["Content-Type"] = []string{"a"}
			r.Header["content-type"] = []string{"b"}
			return r
		}, "a", "Content-Type is set more than once"},
		{"invalid x-ms name", func() *http.Request {
			r := get(t, "https://a/")
			r.Header["x-ms-a b"] = []string{"1"}
			return r
		}, "a", "not a valid HTTP token"},
		{"newline in value", func() *http.Request {
			r := get(t, "https://a/")
			r.Header["X-Ms-Copy-Source-Authorization"] = []string{secret + "\nx-ms-injected:1"}
			return r
		}, "a", "control character"},
		{"bad query escape", func() *http.Request { return get(t, "https://a/c?comp=list&prefix=%zz") }, "a", "value of query parameter prefix is not valid percent-encoding"},
		{"truncated query escape", func() *http.Request { return get(t, "https://a/c?prefix=%4") }, "a", "not valid percent-encoding"},
		{"bad query name escape", func() *http.Request { return get(t, "https://a/c?%zz=1") }, "a", "name is not valid percent-encoding"},
		{"encoded line feed in query value", func() *http.Request { return get(t, "https://a/c?comp=list&prefix=x%0Arestype:container") }, "a", "query parameter prefix contains an encoded line feed"},
		{"encoded line feed in query name", func() *http.Request { return get(t, "https://a/c?a%0Ab=1") }, "a", "contains an encoded line feed"},
		{"raw control character in query", func() *http.Request {
			r := get(t, "https://a/c")
			r.URL.RawQuery = "comp=list\nrestype:container"
			return r
		}, "a", "contains a control character"},
		{"raw control character in path", func() *http.Request {
			r := get(t, "https://a/c")
			r.URL.Opaque = "/c/a\tb"
			return r
		}, "a", "contains a control character"},
		{"opaque URL", func() *http.Request { r := get(t, "https://a/"); r.URL.Opaque = "a:b"; return r }, "a", "opaque part"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := StringToSign(tt.build(), tt.account)
			if err == nil {
				t.Fatalf("accepted; string-to-sign %q", s)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not say %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "secret-token") {
				t.Fatalf("error %q echoes a header value", err)
			}
		})
	}
}

func get(t *testing.T, u string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Rules pinned on small requests, beside the golden vectors; each expected
// string is written out in full.
func TestStringToSignRules(t *testing.T) {
	const nl12 = "\n\n\n\n\n\n\n\n\n\n\n\n"
	tests := []struct {
		name  string
		build func() *http.Request
		want  string
	}{
		{"empty method is GET", func() *http.Request { r := get(t, "https://a/"); r.Method = ""; return r },
			"GET" + nl12 + "/acct/"},
		{"Content-Length zero is empty", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPut, "https://a/c/b", strings.NewReader(""))
			return r
		}, "PUT" + nl12 + "/acct/c/b"},
		{"Content-Length header ignored, ContentLength used", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPut, "https://a/c/b", strings.NewReader("abc"))
			r.Header.Set("Content-Length", "999")
			return r
		}, "PUT\n\n\n3\n\n\n\n\n\n\n\n\n/acct/c/b"},
		{"values trimmed of spaces and tabs, inner kept", func() *http.Request {
			r := get(t, "https://a/")
			r.Header.Set("X-Ms-Meta-A", " \t a \t b \t ")
			r.Header.Set("Content-Type", "  text/plain ")
			return r
		}, "GET\n\n\n\n\ntext/plain\n\n\n\n\n\n\nx-ms-meta-a:a \t b\n/acct/"},
		{"empty value kept", func() *http.Request {
			r := get(t, "https://a/")
			r.Header.Set("X-Ms-Meta-Empty", "")
			return r
		}, "GET" + nl12 + "x-ms-meta-empty:\n/acct/"},
		{"header key without values is not sent, not signed", func() *http.Request {
			r := get(t, "https://a/")
			r.Header["X-Ms-Meta-None"] = []string{}
			r.Header["Range"] = nil
			return r
		}, "GET" + nl12 + "/acct/"},
		{"unsigned headers ignored", func() *http.Request {
			r := get(t, "https://a/")
			r.Header.Set("User-Agent", "x")
			r.Header.Set("Host", "evil")
			r.Header.Set("Authorization", "old")
			r.Header.Set("X-Msfoo", "not an x-ms- header")
			r.Header.Set("Accept", "*/*")
			return r
		}, "GET" + nl12 + "/acct/"},
		{"query: empty parts skipped, no '=' means empty value", func() *http.Request { return get(t, "https://a/c?&comp&&restype=container&") },
			"GET" + nl12 + "/acct/c\ncomp:\nrestype:container"},
		{"query: names differing in case merge", func() *http.Request { return get(t, "https://a/c?Include=b&include=a&INCLUDE=c") },
			"GET" + nl12 + "/acct/c\ninclude:a,b,c"},
		{"query: values sorted by decoded bytes", func() *http.Request { return get(t, "https://a/c?x=%62&x=a&x=B") },
			"GET" + nl12 + "/acct/c\nx:B,a,b"},
		{"query: encoded name decoded and lower-cased", func() *http.Request { return get(t, "https://a/c?%43omp=list") },
			"GET" + nl12 + "/acct/c\ncomp:list"},
		{"query: non-ASCII name lower-cased", func() *http.Request { return get(t, "https://a/c?%C3%89t%C3%A9=1") },
			"GET" + nl12 + "/acct/c\nété:1"},
		{"query: semicolon is ordinary", func() *http.Request { return get(t, "https://a/c?a=1;b=2") },
			"GET" + nl12 + "/acct/c\na:1;b=2"},
		{"path: empty path is /", func() *http.Request { return get(t, "https://a?comp=list") },
			"GET" + nl12 + "/acct/\ncomp:list"},
		{"path: trailing slash kept", func() *http.Request { return get(t, "https://a/c/") },
			"GET" + nl12 + "/acct/c/"},
		{"path: opaque used verbatim", func() *http.Request {
			r := get(t, "https://a/")
			r.URL = &url.URL{Scheme: "https", Host: "a", Opaque: "/c/%41b"}
			return r
		}, "GET" + nl12 + "/acct/c/%41b"},
		{"path: RawPath honoured", func() *http.Request { return get(t, "https://a/c/%41b") },
			"GET" + nl12 + "/acct/c/%41b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StringToSign(tt.build(), "acct")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

// TestStringToSignFields pins StringToSignFields to the lines StringToSign
// writes: each standard header is given its own name as value, so line i
// must read fields[i]; VERB and Content-Length come from the request itself.
func TestStringToSignFields(t *testing.T) {
	fields := StringToSignFields()
	want := []string{"VERB", "Content-Encoding", "Content-Language", "Content-Length", "Content-MD5",
		"Content-Type", "Date", "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range"}
	if strings.Join(fields, ",") != strings.Join(want, ",") {
		t.Fatalf("StringToSignFields() = %q, want %q", fields, want)
	}
	r := get(t, "https://a/c/b")
	r.Method = "VERB"
	r.ContentLength = 14
	for _, name := range fields {
		if name != "VERB" && name != "Content-Length" {
			r.Header.Set(name, name)
		}
	}
	sts, err := StringToSign(r, "a")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(sts, "\n")
	for i, name := range fields {
		wantLine := name
		if name == "Content-Length" {
			wantLine = "14"
		}
		if lines[i] != wantLine {
			t.Errorf("line %d of the string-to-sign is %q, StringToSignFields names it %q", i+1, lines[i], name)
		}
	}
	fields[0] = "changed"
	if StringToSignFields()[0] != "VERB" {
		t.Error("changing a returned slice changed the next one")
	}
}
