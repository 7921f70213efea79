package uploader_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/uploader"
	"github.com/stretchr/testify/require"
)

// sasRecorder remembers the source URL of every Put Block From URL.
type sasRecorder struct {
	base    http.RoundTripper
	sources chan string
	keys    atomic.Int32
}

func (s *sasRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if src := r.Header.Get("x-ms-copy-source"); src != "" {
		select {
		case s.sources <- src:
		default:
		}
	}
	if r.Method == http.MethodPost && r.URL.Query().Get("comp") == "userdelegationkey" {
		s.keys.Add(1)
	}
	return s.base.RoundTrip(r)
}

// TestBearerModeUsesUserDelegationSAS runs a completion against Azurite
// over HTTPS with bearer tokens: each part source is authorized by a
// user-delegation SAS for that one blob, read-only, https only, and the
// delegation key is fetched once and reused.
func TestBearerModeUsesUserDelegationSAS(t *testing.T) {
	e := emulatortest.StartHTTPS(t)
	ctx := context.Background()
	src := aadtoken.TokenSourceFunc(func(context.Context) (aadtoken.Token, error) {
		return aadtoken.Token{AccessToken: emulatortest.EmulatorToken(time.Hour), ExpiresOn: time.Now().Add(time.Hour)}, nil
	})
	rec := &sasRecorder{base: e.HTTPClient.Transport, sources: make(chan string, 100)}
	u, err := url.Parse("azblob://" + e.Host + "/" + e.AccountName)
	require.NoError(t, err)
	var cfg uploader.Config
	require.NoError(t, cfg.SetFromURL(u))
	cfg.Authorizer = aadtoken.NewBearerAuthorizer(src)
	cfg.HTTPClient = &http.Client{Transport: rec, CheckRedirect: e.HTTPClient.CheckRedirect}
	h, err := uploader.NewHandler(ctx, cfg)
	require.NoError(t, err)

	for range 2 {
		s := newSessionID()
		parts, all := randomParts(6, 20<<10)
		up, err := h.CreateUpload(ctx, s)
		require.NoError(t, err)
		var sp []uploader.StreamPart
		for i, p := range parts {
			part, err := h.UploadPart(ctx, *up, int64(i+1), bytes.NewReader(p))
			require.NoError(t, err)
			sp = append(sp, *part)
		}
		require.NoError(t, h.CompleteUpload(ctx, *up, sp))
		var w memWriterAt
		require.NoError(t, h.Download(ctx, s, &w))
		require.Equal(t, all, w.buf)
	}
	require.Equal(t, int32(1), rec.keys.Load(), "one delegation key for both completions")

	src1 := <-rec.sources
	su, err := url.Parse(src1)
	require.NoError(t, err)
	require.Equal(t, "https", su.Scheme)
	require.True(t, strings.HasPrefix(su.Path, "/"+e.AccountName+"/inprogress/part/"), su.Path)
	q := su.Query()
	require.Equal(t, "r", q.Get("sp"), "read only")
	require.Equal(t, "b", q.Get("sr"), "one blob")
	require.Equal(t, "https", q.Get("spr"))
	require.Equal(t, emulatortest.EmulatorTokenOID, q.Get("skoid"))
	require.NotEmpty(t, q.Get("sig"))
	st, err := time.Parse(time.RFC3339, q.Get("st"))
	require.NoError(t, err)
	se, err := time.Parse(time.RFC3339, q.Get("se"))
	require.NoError(t, err)
	require.InDelta(t, (15*time.Minute + 5*time.Minute).Seconds(), se.Sub(st).Seconds(), 2)
}

// TestSharedKeySourceSAS checks the account-key SAS of the HTTP emulator.
func TestSharedKeySourceSAS(t *testing.T) {
	rec := &sasRecorder{base: http.DefaultTransport, sources: make(chan string, 100)}
	e := newEnv(t, func(c *uploader.Config) { c.SASLifetime = 3 * time.Minute }, rec)
	s := newSessionID()
	up, sp := e.uploadParts(t, s, [][]byte{[]byte("one"), []byte("two")})
	require.NoError(t, e.h.CompleteUpload(context.Background(), up, sp))
	require.Len(t, rec.sources, 2)
	su, err := url.Parse(<-rec.sources)
	require.NoError(t, err)
	q := su.Query()
	require.Equal(t, "r", q.Get("sp"))
	require.Equal(t, "b", q.Get("sr"))
	require.Equal(t, "https,http", q.Get("spr"), "plain-http emulator")
	require.Empty(t, q.Get("skoid"), "account-key SAS")
	st, _ := time.Parse(time.RFC3339, q.Get("st"))
	se, _ := time.Parse(time.RFC3339, q.Get("se"))
	require.InDelta(t, (8 * time.Minute).Seconds(), se.Sub(st).Seconds(), 2)
	require.Zero(t, rec.keys.Load(), "no delegation key under SharedKey")
}
