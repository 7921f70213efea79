package restapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedirectRefused(t *testing.T) {
	var otherHits atomic.Int32
	var otherAuth atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		otherAuth.Store(r.Header.Get("Authorization"))
	}))
	defer other.Close()
	otherURL, _ := url.Parse(other.URL)

	for _, status := range []int{301, 302, 303, 307, 308} {
		rec := newRecorder(t, func(_ int, w http.ResponseWriter, r *http.Request, _ []byte) {
			http.Redirect(w, r, other.URL+r.URL.Path+"?sig=LEAK", status)
		})
		// Default client, and a caller's client that would follow redirects.
		callerClient := &http.Client{}
		for _, hc := range []*http.Client{nil, callerClient} {
			c, _ := testClient(t, rec, &fakeAuth{}, &Options{HTTPClient: hc})
			_, err := c.PutBlob(context.Background(), "box", "b", strings.NewReader("data"), nil)
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, status, re.StatusCode)
			assert.Equal(t, otherURL.Host, re.RedirectHost)
			assert.Contains(t, err.Error(), "redirect to "+otherURL.Host+" refused; credentials are only sent to the configured endpoint")
			assert.NotContains(t, err.Error(), "LEAK")
		}
		assert.Nil(t, callerClient.CheckRedirect, "the caller's client is not modified")
	}
	assert.Equal(t, int32(0), otherHits.Load(), "nothing reached the other host")
	assert.Nil(t, otherAuth.Load())
}

func TestAuthorizerCannotRedirect(t *testing.T) {
	rec := newRecorder(t, nil)
	c, _ := testClient(t, rec, authFunc(func(_ context.Context, r *http.Request) error {
		r.URL.Host = "evil.example.com"
		r.Header.Set("Authorization", "SharedKey a:b")
		return nil
	}), nil)
	err := c.CreateContainer(context.Background(), "box", nil)
	require.ErrorContains(t, err, "changed the request's destination")
	assert.Equal(t, 0, rec.count())
}

func TestBearerRefusedOverHTTP(t *testing.T) {
	rec := newRecorder(t, nil)
	c, _ := testClient(t, rec, authFunc(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer eyJtoken")
		return nil
	}), nil)
	err := c.CreateContainer(context.Background(), "box", nil)
	require.ErrorContains(t, err, "bearer token over plain http")
	assert.NotContains(t, err.Error(), "eyJtoken")
	assert.Equal(t, 0, rec.count())
}

func TestAuthorizeErrorIsNotRetried(t *testing.T) {
	rec := newRecorder(t, nil)
	calls := 0
	c, _ := testClient(t, rec, authFunc(func(context.Context, *http.Request) error {
		calls++
		return errors.New("token endpoint said no")
	}), nil)
	err := c.CreateContainer(context.Background(), "box", nil)
	require.ErrorContains(t, err, "authorizing the request: token endpoint said no")
	assert.Equal(t, 1, calls)
	assert.Equal(t, 0, rec.count())
}

type authFunc func(context.Context, *http.Request) error

func (f authFunc) Authorize(ctx context.Context, r *http.Request) error { return f(ctx, r) }

func TestErrorMapping(t *testing.T) {
	const azureAuthDetail = `The MAC signature found in the HTTP request 'kX2p4m0E0P+0Jk2Qk7wXnnXnBqkq0vOrVLN4Fv2P9iA=' is not the same as any computed signature. Server used following string to sign: 'PUT\n\n\n11\n\n\n\n\n\n\n\n\nx-ms-date:Wed, 02 Jan 2030 03:04:05 GMT\nx-ms-version:2025-11-05\n/acct/box/b'.`
	tests := []struct {
		name      string
		method    string // "HEAD" uses GetBlobProperties, else DeleteBlob
		status    int
		hdrCode   string
		body      string
		code      string
		is        []error
		isNot     []error
		contains  []string
		authEqual string
	}{
		{
			name: "blob not found", status: 404, hdrCode: "BlobNotFound",
			body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.` + "\nRequestId:r1\nTime:2030-01-01T00:00:00Z" + `</Message></Error>`,
			code: "BlobNotFound", is: []error{ErrNotFound}, isNot: []error{ErrAlreadyExists, ErrConditionNotMet, ErrAuthenticationFailed},
			contains: []string{`Delete Blob of blob "b" in container "box"`, "404 BlobNotFound: The specified blob does not exist. [request id rid]"},
		},
		{name: "container not found (code from body only)", status: 404, body: `<Error><Code>ContainerNotFound</Code><Message>The specified container does not exist.</Message></Error>`, code: "ContainerNotFound", is: []error{ErrNotFound}, contains: []string{"create the container first"}},
		{name: "HEAD 404 without body", method: "HEAD", status: 404, hdrCode: "BlobNotFound", code: "BlobNotFound", is: []error{ErrNotFound}, contains: []string{"Get Blob Properties", "Not Found"}},
		{name: "HEAD 404 without code", method: "HEAD", status: 404, is: []error{ErrNotFound}},
		{name: "HEAD 403 without code", method: "HEAD", status: 403, contains: []string{"a HEAD answer carries no detail"}},
		{name: "already exists", status: 409, hdrCode: "BlobAlreadyExists", body: `<Error><Code>BlobAlreadyExists</Code><Message>The specified blob already exists.</Message></Error>`, code: "BlobAlreadyExists", is: []error{ErrAlreadyExists}, isNot: []error{ErrConditionNotMet}},
		{name: "other conflict", status: 409, hdrCode: "LeaseIdMissing", code: "LeaseIdMissing", isNot: []error{ErrAlreadyExists}},
		{name: "condition not met", status: 412, hdrCode: "ConditionNotMet", code: "ConditionNotMet", is: []error{ErrConditionNotMet}, isNot: []error{ErrAlreadyExists}},
		{name: "copy source not found", status: 404, hdrCode: "CannotVerifyCopySource", code: "CannotVerifyCopySource", isNot: []error{ErrNotFound}},
		{
			name: "authentication failed (Azure)", status: 403, hdrCode: "AuthenticationFailed",
			body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.` + "\nRequestId:x" + `</Message><AuthenticationErrorDetail>` + xmlEscape(azureAuthDetail) + `</AuthenticationErrorDetail></Error>`,
			code: "AuthenticationFailed", is: []error{ErrAuthenticationFailed},
			contains:  []string{"check the account name and key", "clock"},
			authEqual: strings.Replace(azureAuthDetail, "kX2p4m0E0P+0Jk2Qk7wXnnXnBqkq0vOrVLN4Fv2P9iA=", "REDACTED", 1),
		},
		{name: "authorization failure (Azurite wrong key)", status: 403, hdrCode: "AuthorizationFailure", code: "AuthorizationFailure", is: []error{ErrAuthenticationFailed}, contains: []string{"Azurite answers this for a wrong key"}},
		{name: "permission mismatch", status: 403, hdrCode: "AuthorizationPermissionMismatch", code: "AuthorizationPermissionMismatch", isNot: []error{ErrAuthenticationFailed}, contains: []string{"Storage Blob Data Contributor"}},
		{
			name: "bad version", status: 400, hdrCode: "InvalidHeaderValue",
			body: `<Error><Code>InvalidHeaderValue</Code><Message>The value for one of the HTTP headers is not in the correct format.</Message><HeaderName>x-ms-version</HeaderName><HeaderValue>2099-01-01</HeaderValue></Error>`,
			code: "InvalidHeaderValue", contains: []string{"Options.ServiceVersion"},
		},
		{name: "error body is not XML", status: 400, body: `<html>proxy error</html>`, contains: []string{"400: Bad Request"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header().Set("x-ms-request-id", "rid")
				if tc.hdrCode != "" {
					w.Header().Set("x-ms-error-code", tc.hdrCode)
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			})
			c, _ := testClient(t, rec, nil, nil)
			var err error
			if tc.method == "HEAD" {
				_, err = c.GetBlobProperties(context.Background(), "box", "b", nil)
			} else {
				err = c.DeleteBlob(context.Background(), "box", "b", nil)
			}
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tc.status, re.StatusCode)
			assert.Equal(t, tc.code, re.ErrorCode)
			assert.Equal(t, "rid", re.RequestID)
			assert.Equal(t, "box", re.Container)
			assert.Equal(t, "b", re.Blob)
			assert.NotEmpty(t, re.ClientRequestID)
			assert.Equal(t, rec.srv.URL+"/devstoreaccount1/box/b", re.URL)
			assert.NotContains(t, re.Message, "\n", "only the first line of the message")
			for _, s := range tc.is {
				assert.ErrorIs(t, err, s)
			}
			for _, s := range tc.isNot {
				assert.NotErrorIs(t, err, s)
			}
			for _, s := range tc.contains {
				assert.Contains(t, err.Error(), s)
			}
			if tc.authEqual != "" {
				assert.Equal(t, tc.authEqual, re.AuthenticationErrorDetail)
				assert.NotContains(t, err.Error(), "kX2p4m0E0P")
			}
		})
	}
}

func TestUserDelegationKeyPermissionHint(t *testing.T) {
	e := &ResponseError{StatusCode: 403, ErrorCode: "AuthorizationPermissionMismatch", Operation: opGetUserDelegationKey}
	assert.Contains(t, e.Error(), "Storage Blob Delegator")
	e = &ResponseError{StatusCode: 403, ErrorCode: "AuthenticationFailed", Operation: opGetBlob, AuthenticationErrorDetail: "Lifetime validation failed. The token is expired."}
	assert.Contains(t, e.Error(), "access token was refused")
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;").Replace(s)
}
