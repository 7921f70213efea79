package sharedkey

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// The golden vectors live in testdata/vectors.json so that tests, SIGNING.md
// and the Azurite replay share one source. An independent generator wrote
// them (expected strings assembled field by field, signatures by another HMAC
// implementation); see SIGNING.md, "How the vectors were checked".

type requestVector struct {
	Name          string
	About         string
	Method        string
	URL           string
	Headers       []string // "Key: value", applied to req.Header[Key] verbatim
	Body          *string
	ContentLength *int64 `json:"content_length"`
	StringToSign  string `json:"string_to_sign"`
	Authorization string
	Azurite       bool
	Note          string
}

type sasVector struct {
	Name         string
	About        string
	Kind         string // "service" or "user-delegation"
	Values       BlobSASValues
	Key          *UserDelegationKey
	StringToSign string `json:"string_to_sign"`
	Query        string
	Azurite      bool
	Note         string
}

type vectorFile struct {
	Account  string
	Key      string
	Requests []requestVector
	SAS      []sasVector `json:"sas"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	var f vectorFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("parse vectors: %v", err)
	}
	if len(f.Requests) < 15 || len(f.SAS) < 3 {
		t.Fatalf("vectors file holds %d request and %d SAS vectors; want at least 15 and 3", len(f.Requests), len(f.SAS))
	}
	return f
}

// request builds the vector's request the way a caller would: http.NewRequest
// parses the URL, header keys are set verbatim (so non-canonical keys stay
// non-canonical).
func (v requestVector) request(t testing.TB) *http.Request {
	t.Helper()
	var body io.Reader
	if v.Body != nil {
		body = strings.NewReader(*v.Body)
	}
	req, err := http.NewRequest(v.Method, v.URL, body)
	if err != nil {
		t.Fatalf("%s: build request: %v", v.Name, err)
	}
	for _, h := range v.Headers {
		k, val, ok := strings.Cut(h, ": ")
		if !ok {
			t.Fatalf("%s: header %q has no \": \"", v.Name, h)
		}
		req.Header[k] = append(req.Header[k], val)
	}
	if v.ContentLength != nil {
		req.ContentLength = *v.ContentLength
	}
	return req
}

func vectorCredential(t testing.TB, f vectorFile) *Credential {
	t.Helper()
	c, err := NewCredential(f.Account, f.Key)
	if err != nil {
		t.Fatalf("NewCredential: %v", err)
	}
	return c
}

func TestRequestVectors(t *testing.T) {
	f := loadVectors(t)
	cred := vectorCredential(t, f)
	for _, v := range f.Requests {
		t.Run(v.Name, func(t *testing.T) {
			req := v.request(t)
			got, err := StringToSign(req, f.Account)
			if err != nil {
				t.Fatalf("StringToSign: %v", err)
			}
			if got != v.StringToSign {
				t.Fatalf("string-to-sign mismatch\n got: %q\nwant: %q", got, v.StringToSign)
			}
			_, hadXMSDate := req.Header["X-Ms-Date"]
			if err := cred.Authorize(context.Background(), req); err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if got := req.Header.Get("Authorization"); got != v.Authorization {
				t.Fatalf("Authorization mismatch\n got: %s\nwant: %s", got, v.Authorization)
			}
			if _, has := req.Header["X-Ms-Date"]; has != hadXMSDate {
				t.Fatalf("Authorize added x-ms-date to a request that already had a date")
			}
			// Signing again (as before a retry) gives the same bytes.
			if err := cred.Authorize(context.Background(), req); err != nil {
				t.Fatalf("second Authorize: %v", err)
			}
			if got := req.Header.Values("Authorization"); len(got) != 1 || got[0] != v.Authorization {
				t.Fatalf("second Authorize gave %q, want exactly [%s]", got, v.Authorization)
			}
		})
	}
}

func TestSASVectors(t *testing.T) {
	f := loadVectors(t)
	cred := vectorCredential(t, f)
	for _, v := range f.SAS {
		t.Run(v.Name, func(t *testing.T) {
			var sts, query string
			var err error
			switch v.Kind {
			case "service":
				if sts, err = v.Values.SharedKeyStringToSign(f.Account); err != nil {
					t.Fatalf("SharedKeyStringToSign: %v", err)
				}
				if query, err = v.Values.SignWithSharedKey(cred); err != nil {
					t.Fatalf("SignWithSharedKey: %v", err)
				}
			case "user-delegation":
				if v.Key == nil {
					t.Fatal("user delegation vector without a key")
				}
				if sts, err = v.Values.UserDelegationStringToSign(f.Account, *v.Key); err != nil {
					t.Fatalf("UserDelegationStringToSign: %v", err)
				}
				if query, err = v.Values.SignWithUserDelegationKey(f.Account, *v.Key); err != nil {
					t.Fatalf("SignWithUserDelegationKey: %v", err)
				}
			default:
				t.Fatalf("unknown vector kind %q", v.Kind)
			}
			if sts != v.StringToSign {
				t.Fatalf("string-to-sign mismatch\n got: %q\nwant: %q", sts, v.StringToSign)
			}
			if n, labels := strings.Count(sts, "\n")+1, len(sasFieldNames(v)); n != labels {
				t.Fatalf("string-to-sign has %d fields; SIGNING.md's layout names %d", n, labels)
			}
			if query != v.Query {
				t.Fatalf("query mismatch\n got: %s\nwant: %s", query, v.Query)
			}
		})
	}
}
