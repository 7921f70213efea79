package emulatortest

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestCountingTransportWithoutBaseSendsNothing(t *testing.T) {
	c, ct := NewCountingClient(nil)
	body := &closeRecorder{Reader: strings.NewReader("x")}
	req, _ := http.NewRequest(http.MethodPut, "http://127.0.0.1:1/devstoreaccount1/c/b", body)
	_, err := c.Do(req)
	if !errors.Is(err, ErrNoNetwork) {
		t.Fatalf("err = %v, want ErrNoNetwork", err)
	}
	if !body.closed {
		t.Fatal("request body not closed")
	}
	if ct.Count() != 1 || ct.CountOf(http.MethodPut, "/devstoreaccount1/c/b") != 1 {
		t.Fatalf("counts %v", ct.Counts())
	}
	ct.Reset()
	if ct.Count() != 0 || len(ct.Counts()) != 0 {
		t.Fatalf("after Reset: %d %v", ct.Count(), ct.Counts())
	}
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestCountingTransportCountsConcurrently(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	var ct CountingTransport // the zero value works
	ct.Base = srv.Client().Transport
	// Not following redirects keeps the count at one per call.
	c := &http.Client{Transport: &ct, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			path := "/a"
			if i%5 == 0 {
				path = "/b%20c"
			}
			req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			resp, err := c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}(i)
	}
	wg.Wait()
	if ct.Count() != 50 || ct.CountOf("GET", "/a") != 40 || ct.CountOf("GET", "/b c") != 10 {
		t.Fatalf("count %d, per key %v", ct.Count(), ct.Counts())
	}
	if keys := strings.Join(ct.Keys(), "|"); keys != "GET /a|GET /b c" {
		t.Fatalf("Keys = %q", keys)
	}
	// NewCountingClient does not follow redirects either.
	nc, nct := NewCountingClient(srv.Client().Transport)
	resp, err := nc.Get(srv.URL + "/a")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || nct.Count() != 1 {
		t.Fatalf("status %d, count %d; want the 302 back after one request", resp.StatusCode, nct.Count())
	}
}
