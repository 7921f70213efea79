package aadtoken_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/aadtoken"
)

// countingSource returns "tok-N" tokens valid for an hour.
type countingSource struct{ n atomic.Int32 }

func (s *countingSource) Token(context.Context) (aadtoken.Token, error) {
	n := s.n.Add(1)
	return aadtoken.Token{AccessToken: "tok-" + string(rune('0'+n)), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestBearerAuthorizerSetsHeaderAndCaches(t *testing.T) {
	src := &countingSource{}
	a := aadtoken.NewBearerAuthorizer(src)
	for range 5 {
		req, _ := http.NewRequest(http.MethodGet, "https://acct.blob.core.windows.net/c/b", nil)
		if err := a.Authorize(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if got := req.Header.Get("Authorization"); got != "Bearer tok-1" {
			t.Fatalf("Authorization = %q", got)
		}
	}
	if n := src.n.Load(); n != 1 {
		t.Fatalf("source called %d times; the authorizer must cache", n)
	}
}

func TestBearerAuthorizerRefusesPlainHTTP(t *testing.T) {
	src := &countingSource{}
	a := aadtoken.NewBearerAuthorizer(src)
	for _, u := range []string{"http://127.0.0.1:10000/devstoreaccount1/c", "HTTP://acct.blob.core.windows.net/c", "ftp://x/y"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		err := a.Authorize(context.Background(), req)
		if err == nil || !strings.Contains(err.Error(), "refusing to send a bearer token") || !strings.Contains(err.Error(), "use an https endpoint") {
			t.Errorf("%s: err = %v", u, err)
		}
		if req.Header.Get("Authorization") != "" {
			t.Errorf("%s: header set anyway", u)
		}
	}
	if src.n.Load() != 0 {
		t.Fatal("a token was fetched for a refused request")
	}
	if err := a.Authorize(context.Background(), nil); err == nil {
		t.Fatal("nil request accepted")
	}
}

func TestBearerAuthorizerDoesNotStackCaches(t *testing.T) {
	src := &countingSource{}
	cache := aadtoken.NewCachingSource(src, nil)
	a := aadtoken.NewBearerAuthorizer(cache)
	if !strings.Contains(a.String(), "aadtoken.BearerAuthorizer{aadtoken.CachingSource{source: *aadtoken_test.countingSource") {
		t.Fatalf("String = %s", a.String())
	}
	req, _ := http.NewRequest(http.MethodGet, "https://h/c", nil)
	if err := a.Authorize(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	cache.Invalidate() // with a second cache layer this would not reach the source
	if err := a.Authorize(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("Authorization"); got != "Bearer tok-2" {
		t.Fatalf("after Invalidate Authorization = %q; the authorizer wrapped the cache in another cache", got)
	}
}

func TestBearerAuthorizerPassesSourceErrors(t *testing.T) {
	want := errors.New("AADSTS700016 from the source")
	a := aadtoken.NewBearerAuthorizer(aadtoken.TokenSourceFunc(func(context.Context) (aadtoken.Token, error) {
		return aadtoken.Token{}, want
	}))
	req, _ := http.NewRequest(http.MethodGet, "https://h/c", nil)
	if err := a.Authorize(context.Background(), req); !errors.Is(err, want) {
		t.Fatalf("err = %v", err)
	}
	if err := aadtoken.NewBearerAuthorizer(nil).Authorize(context.Background(), req); err == nil {
		t.Fatal("nil source accepted")
	}
}
