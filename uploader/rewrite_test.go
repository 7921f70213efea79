package uploader_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/uploader"
	"github.com/stretchr/testify/require"
)

// rewriter passes requests to Azurite but lets a hook replace the answer,
// before or after forwarding, and records every request's headers.
type rewriter struct {
	mu   sync.Mutex
	hook func(r *http.Request, forward func() (*http.Response, error)) (*http.Response, error)
	sent []http.Header
	reqs []*http.Request
}

func (w *rewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	w.mu.Lock()
	hook := w.hook
	w.sent = append(w.sent, r.Header.Clone())
	w.reqs = append(w.reqs, r)
	w.mu.Unlock()
	forward := func() (*http.Response, error) { return http.DefaultTransport.RoundTrip(r) }
	if hook == nil {
		return forward()
	}
	return hook(r, forward)
}

func (w *rewriter) setHook(h func(*http.Request, func() (*http.Response, error)) (*http.Response, error)) {
	w.mu.Lock()
	w.hook = h
	w.mu.Unlock()
}

// azureError makes an Azure-style error answer.
func azureError(r *http.Request, status int, code string) *http.Response {
	body := `<?xml version="1.0" encoding="utf-8"?><Error><Code>` + code + `</Code><Message>synthetic</Message></Error>`
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), ProtoMajor: 1, ProtoMinor: 1, Request: r,
		Header:        http.Header{"X-Ms-Error-Code": {code}, "Content-Type": {"application/xml"}, "X-Ms-Request-Id": {"synthetic"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
	}
}

// afterForward forwards the request, drops the real answer and returns the
// given error instead: the operation happened, the caller is told otherwise.
func afterForward(status int, code string) func(*http.Request, func() (*http.Response, error)) (*http.Response, error) {
	return func(r *http.Request, forward func() (*http.Response, error)) (*http.Response, error) {
		res, err := forward()
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return azureError(r, status, code), nil
	}
}

func only(match func(*http.Request) bool, h func(*http.Request, func() (*http.Response, error)) (*http.Response, error)) func(*http.Request, func() (*http.Response, error)) (*http.Response, error) {
	var once sync.Once
	return func(r *http.Request, forward func() (*http.Response, error)) (*http.Response, error) {
		hit := false
		if match(r) {
			once.Do(func() { hit = true })
		}
		if hit {
			return h(r, forward)
		}
		return forward()
	}
}

func TestCommitAnsweredConflictButDone(t *testing.T) {
	for _, c := range []struct {
		status int
		code   string
	}{{409, "BlobAlreadyExists"}, {412, "ConditionNotMet"}} {
		rw := &rewriter{}
		e := newEnv(t, func(c *uploader.Config) { c.Retry.MaxTries = 1 }, rw)
		s := newSessionID()
		parts, all := randomParts(3, 1000)
		up, sp := e.uploadParts(t, s, parts)
		rw.setHook(only(isPBL, afterForward(c.status, c.code)))
		require.NoError(t, e.h.CompleteUpload(context.Background(), up, sp), c.code)
		require.Equal(t, all, e.download(t, s))
		require.Empty(t, e.blobs(t, e.cfg.InprogressContainer), "cleanup ran")
	}
}

func TestCommitFailureIsReported(t *testing.T) {
	rw := &rewriter{}
	e := newEnv(t, func(c *uploader.Config) { c.Retry.MaxTries = 1 }, rw)
	s := newSessionID()
	up, sp := e.uploadParts(t, s, [][]byte{[]byte("x")})
	rw.setHook(only(isPBL, func(r *http.Request, _ func() (*http.Response, error)) (*http.Response, error) {
		return azureError(r, 500, "InternalError"), nil
	}))
	err := e.h.CompleteUpload(context.Background(), up, sp)
	require.Error(t, err)
	require.NotErrorIs(t, err, uploader.ErrAlreadyExists)
	require.Contains(t, err.Error(), "commit 1 blocks")
	require.Len(t, e.blobs(t, e.cfg.InprogressContainer), 2, "marker and part kept for a retry")
	rw.setHook(nil)
	require.NoError(t, e.h.CompleteUpload(context.Background(), up, sp))
	require.Equal(t, "x", string(e.download(t, s)))
}

func TestWriteAnsweredConflictButDone(t *testing.T) {
	rw := &rewriter{}
	e := newEnv(t, func(c *uploader.Config) { c.Retry.MaxTries = 1 }, rw)
	ctx := context.Background()
	isPut := func(r *http.Request) bool { return r.Method == http.MethodPut && r.URL.Query().Get("comp") == "" }

	rw.setHook(only(isPut, afterForward(412, "ConditionNotMet")))
	up, err := e.h.CreateUpload(ctx, newSessionID())
	require.NoError(t, err, "a conflict on our own fresh marker is success")
	uploads, err := e.h.ListUploads(ctx)
	require.NoError(t, err)
	require.Equal(t, up.ID, uploads[0].ID)

	s := newSessionID()
	rw.setHook(only(isPut, afterForward(409, "BlobAlreadyExists")))
	_, err = e.h.Upload(ctx, s, strings.NewReader("small"))
	require.NoError(t, err)
	require.Equal(t, "small", string(e.download(t, s)))

	// A conflict without the write having happened, and no blob there: the
	// service's answer is passed on rather than turned into success.
	rw.setHook(only(isPut, func(r *http.Request, _ func() (*http.Response, error)) (*http.Response, error) {
		return azureError(r, 409, "BlobAlreadyExists"), nil
	}))
	_, err = e.h.UploadMetadata(ctx, s, strings.NewReader("m"))
	require.ErrorIs(t, err, restapi.ErrAlreadyExists)
}

func TestImmutabilityHeadersOnCommit(t *testing.T) {
	rw := &rewriter{}
	e := newEnv(t, func(c *uploader.Config) {
		c.Immutability = uploader.ImmutabilityConfig{Period: 48 * time.Hour, Locked: true, LegalHold: true}
		c.BlockSize = 1024
	}, rw)
	ctx := context.Background()
	// Azurite neither enforces nor always accepts these headers, so the
	// commit is answered here after the headers were recorded.
	var mu sync.Mutex
	var commits []http.Header
	rw.setHook(func(r *http.Request, forward func() (*http.Response, error)) (*http.Response, error) {
		if r.Header.Get("x-ms-immutability-policy-until-date") != "" || r.Header.Get("x-ms-legal-hold") != "" {
			mu.Lock()
			commits = append(commits, r.Header.Clone())
			mu.Unlock()
			clone := r.Clone(r.Context())
			clone.Header.Del("x-ms-immutability-policy-until-date")
			clone.Header.Del("x-ms-immutability-policy-mode")
			clone.Header.Del("x-ms-legal-hold")
			// The signature covered the removed headers; re-sign the clone.
			require.NoError(t, devCredential(t).Authorize(r.Context(), clone))
			return http.DefaultTransport.RoundTrip(clone)
		}
		return forward()
	})
	before := time.Now().UTC()
	s1 := newSessionID()
	up, sp := e.uploadParts(t, s1, [][]byte{[]byte("part")})
	require.NoError(t, e.h.CompleteUpload(ctx, up, sp))
	s2 := newSessionID()
	_, err := e.h.Upload(ctx, s2, bytes.NewReader(make([]byte, 3000))) // staged blocks
	require.NoError(t, err)
	s3 := newSessionID()
	_, err = e.h.Upload(ctx, s3, strings.NewReader("tiny")) // one Put Blob
	require.NoError(t, err)
	_, err = e.h.UploadSummary(ctx, s3, strings.NewReader("{}"))
	require.NoError(t, err)
	after := time.Now().UTC()

	require.Len(t, commits, 3, "recordings only: not parts, markers or companions")
	for _, h := range commits {
		until, err := time.Parse(http.TimeFormat, h.Get("x-ms-immutability-policy-until-date"))
		require.NoError(t, err)
		require.False(t, until.Before(before.Add(48*time.Hour).Truncate(time.Second)))
		require.False(t, until.After(after.Add(48*time.Hour)))
		require.Equal(t, "Locked", h.Get("x-ms-immutability-policy-mode"))
		require.Equal(t, "true", h.Get("x-ms-legal-hold"))
		require.Equal(t, "*", h.Get("If-None-Match"))
	}
	for _, s := range []string{s1, s2, s3} {
		require.NotEmpty(t, e.download(t, s))
	}
}

func TestNewHandlerPermissionWarnings(t *testing.T) {
	for name, c := range map[string]struct {
		check, create string // error code answered, "" forwards
		wantErr       string
		wantWarn      string
	}{
		"cannot check":            {check: "AuthorizationPermissionMismatch", wantWarn: "cannot confirm that the container exists"},
		"missing, cannot create":  {check: "ContainerNotFound", create: "AuthorizationPermissionMismatch", wantWarn: "cannot be created"},
		"wrong credentials":       {check: "AuthenticationFailed", wantErr: "check container"},
		"missing, created by us":  {check: "ContainerNotFound"},
		"created meanwhile":       {check: "ContainerNotFound", create: "ContainerAlreadyExists"},
		"service error on create": {check: "ContainerNotFound", create: "InternalError", wantErr: "create container"},
	} {
		t.Run(name, func(t *testing.T) {
			status := map[string]int{"AuthorizationPermissionMismatch": 403, "ContainerNotFound": 404, "AuthenticationFailed": 403,
				"ContainerAlreadyExists": 409, "InternalError": 500}
			rw := &rewriter{}
			rw.setHook(func(r *http.Request, forward func() (*http.Response, error)) (*http.Response, error) {
				if r.URL.Query().Get("restype") != "container" {
					return forward()
				}
				code := c.create
				if r.Method == http.MethodGet || r.Method == http.MethodHead {
					code = c.check
				}
				if code == "" {
					return forward()
				}
				return azureError(r, status[code], code), nil
			})
			var logs bytes.Buffer
			client, _ := emulatortest.NewCountingClient(rw)
			cfg := configFor(t, nil)
			cfg.Authorizer = devCredential(t)
			cfg.HTTPClient = client
			cfg.Retry.MaxTries = 1
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			h, err := uploader.NewHandler(context.Background(), cfg)
			if c.wantErr != "" {
				require.ErrorContains(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, h)
			if c.wantWarn != "" {
				require.Contains(t, logs.String(), "level=WARN")
				require.Contains(t, logs.String(), c.wantWarn)
			} else {
				require.NotContains(t, logs.String(), "level=WARN")
			}
		})
	}
}

// TestLogsHoldNoSecrets runs a full flow with debug logging and checks
// that neither the account key nor any SAS signature is logged.
func TestLogsHoldNoSecrets(t *testing.T) {
	var logs bytes.Buffer
	rw := &rewriter{}
	e := newEnv(t, func(c *uploader.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.Retry.MaxTries = 2
	}, rw)
	ctx := context.Background()
	s := newSessionID()
	up, sp := e.uploadParts(t, s, [][]byte{[]byte("a"), []byte("b")})
	// Fail one staging so the error (with its source URL) is logged and retried.
	rw.setHook(only(isPBFU, func(r *http.Request, _ func() (*http.Response, error)) (*http.Response, error) {
		return azureError(r, 503, "ServerBusy"), nil
	}))
	require.NoError(t, e.h.CompleteUpload(ctx, up, sp))
	// And a staging that fails for good: the error must not carry the SAS.
	s2 := newSessionID()
	up2, sp2 := e.uploadParts(t, s2, [][]byte{[]byte("c")})
	rw.setHook(func(r *http.Request, forward func() (*http.Response, error)) (*http.Response, error) {
		if isPBFU(r) {
			return azureError(r, 403, "CannotVerifyCopySource"), nil
		}
		return forward()
	})
	err := e.h.CompleteUpload(ctx, up2, sp2)
	require.Error(t, err)
	require.NotRegexp(t, `sig=[^R]`, err.Error())
	require.Contains(t, err.Error(), "stage part 1")

	out := logs.String() + err.Error()
	require.NotEmpty(t, out)
	require.NotContains(t, out, emu.AccountKey)
	for _, m := range regexp.MustCompile(`sig=[^&\s"]*`).FindAllString(out, -1) {
		require.Equal(t, "sig=REDACTED", m)
	}
	for _, h := range rw.sent {
		if src := h.Get("x-ms-copy-source"); src != "" {
			require.Contains(t, src, "sig=", "the real request carries the signature")
			require.NotContains(t, out, src)
		}
	}
}
