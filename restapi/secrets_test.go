package restapi

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	secretSig    = "SECRETSIGc2VjcmV0LXNpZw%3D%3D"
	secretMAC    = "SECRETMACbWFjLXNlY3JldA=="
	secretSource = "SECRETSRCc3JjLXNpZw%3D%3D"
	secretToken  = "SECRETTOKENeyJhbGciOi"
	secretUDK    = "SECRETUDKa2V5LXZhbHVl"
)

var allSecrets = []string{"SECRETSIG", "SECRETMAC", "SECRETSRC", "SECRETTOKEN", "SECRETUDK"}

// sasAuth appends a SAS to the request URL and a SharedKey-looking header.
type sasAuth struct{ apiKey string }

func (a *sasAuth) Authorize(_ context.Context, r *http.Request) error {
	r.URL.RawQuery = strings.TrimPrefix(r.URL.RawQuery+"&sv=2025-11-05&sp=rw&sig="+secretSig, "&")
	r.Header.Set("Authorization", "SharedKey devstoreaccount1:"+secretMAC)
	return nil
}

func assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range allSecrets {
		assert.NotContains(t, s, sec, "%s leaks %s", what, sec)
	}
}

func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	// A server that echoes secrets back in every way Azure and Azurite do.
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("x-ms-request-id", "rid")
		switch {
		case r.URL.Query().Get("comp") == "block" && r.Method == "PUT" && r.Header.Get("x-ms-copy-source") != "":
			w.Header().Set("x-ms-error-code", "CannotVerifyCopySource")
			w.Header().Set("x-ms-copy-source-status-code", "403")
			w.Header().Set("x-ms-copy-source-error-code", "AuthenticationFailed")
			w.Header().Set("x-ms-copy-source-error-message", "bad sig="+secretSource)
			w.WriteHeader(403)
			fmt.Fprintf(w, `<Error><Code>CannotVerifyCopySource</Code><Message>Could not read %s</Message><HeaderName>x-ms-copy-source</HeaderName><HeaderValue>%s</HeaderValue></Error>`,
				xmlEscape(r.Header.Get("x-ms-copy-source")), xmlEscape(r.Header.Get("x-ms-copy-source")))
		case r.Method == "DELETE":
			w.Header().Set("x-ms-error-code", "AuthenticationFailed")
			w.WriteHeader(403)
			fmt.Fprintf(w, `<Error><Code>AuthenticationFailed</Code><Message>Signature did not match for %s</Message><AuthenticationErrorDetail>The MAC signature found in the HTTP request '%s' is not the same as any computed signature. Server used following string to sign: 'DELETE\n\n/devstoreaccount1/box/b\nsig:%s\nsv:2025-11-05'.</AuthenticationErrorDetail></Error>`,
				xmlEscape(r.URL.String()), secretMAC, secretSig)
		case r.Method == "HEAD":
			w.WriteHeader(500)
		default:
			w.Header().Set("x-ms-error-code", "InvalidHeaderValue")
			w.WriteHeader(400)
			fmt.Fprintf(w, `<Error><Code>InvalidHeaderValue</Code><Message>Authorization: %s</Message><HeaderName>Authorization</HeaderName><HeaderValue>%s</HeaderValue></Error>`,
				xmlEscape(r.Header.Get("Authorization")), xmlEscape(r.Header.Get("Authorization")))
		}
	})
	c, _ := testClient(t, rec, &sasAuth{}, &Options{Logger: logger, Retry: RetryPolicy{MaxTries: 2}})
	ctx := context.Background()

	var errs []error
	errs = append(errs, c.DeleteBlob(ctx, "box", "b", nil))
	_, err := c.PutBlockFromURL(ctx, "box", "b", "AAA=", "https://src.blob.core.windows.net/c/p?sv=1&sig="+secretSource, nil)
	errs = append(errs, err)
	errs = append(errs, c.CreateContainer(ctx, "box", nil))
	_, err = c.GetBlobProperties(ctx, "box", "b", nil)
	errs = append(errs, err)

	// A transport failure: url.Error would print the signed URL. The
	// transport refuses every dial, as a closed port does, without relying
	// on a port staying closed.
	refused := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	})
	dead, err := NewClient("http://127.0.0.1:9/devstoreaccount1", &sasAuth{}, &Options{Logger: logger, HTTPClient: &http.Client{Transport: refused},
		Retry: RetryPolicy{MaxTries: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})
	require.NoError(t, err)
	errs = append(errs, dead.DeleteBlob(ctx, "box", "b", nil))

	for i, e := range errs {
		require.Error(t, e, "case %d", i)
		assertNoSecrets(t, fmt.Sprintf("error %d", i), e.Error())
		assertNoSecrets(t, fmt.Sprintf("error %d %%+v", i), fmt.Sprintf("%+v %#v", e, e))
	}
	assert.Contains(t, errs[0].Error(), "REDACTED")
	assert.Contains(t, errs[4].Error(), "gave up after 2 tries")
	assert.Contains(t, errs[4].Error(), "sig=REDACTED")

	var re *ResponseError
	require.ErrorAs(t, errs[0], &re)
	assert.Contains(t, re.URL, "sv=2025-11-05&sp=rw&sig=REDACTED", "non-secret SAS fields stay readable")
	assert.Contains(t, re.AuthenticationErrorDetail, "sig:REDACTED")
	require.ErrorAs(t, errs[1], &re)
	assert.Equal(t, 403, re.CopySourceStatusCode)
	assert.Equal(t, "https://src.blob.core.windows.net/c/p?sv=1&sig=REDACTED", re.Details["HeaderValue"])
	require.ErrorAs(t, errs[2], &re)
	assert.Equal(t, "REDACTED", re.Details["HeaderValue"])

	require.NotZero(t, logs.Len())
	assertNoSecrets(t, "logs", logs.String())
	assert.Contains(t, logs.String(), `"op":"Delete Blob"`)
	assert.Contains(t, logs.String(), `"try":2`)
	assert.Contains(t, logs.String(), `"request_id":"rid"`)
}

type secretHolder struct{ Key string }

func (s *secretHolder) Authorize(context.Context, *http.Request) error { return nil }

func TestStringsHideSecrets(t *testing.T) {
	c, err := NewClient("https://acct.blob.core.windows.net", &secretHolder{Key: secretToken}, nil)
	require.NoError(t, err)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprintf("%+v", *c)} {
		assertNoSecrets(t, "client", s)
	}
	assert.Equal(t, "restapi.Client{endpoint: https://acct.blob.core.windows.net, account: acct, version: 2025-11-05, authorized: true}", c.String())

	k := UserDelegationKey{SignedOID: "oid", Value: secretUDK}
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s %d %x %q", k, k, k, &k, k, k, k)} {
		assertNoSecrets(t, "user delegation key", s)
	}
}

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://a.blob.core.windows.net/c/b?sv=2025-11-05&se=2030-01-01&sp=r&sig=abc%2Bdef%3D", "https://a.blob.core.windows.net/c/b?sv=2025-11-05&se=2030-01-01&sp=r&sig=REDACTED"},
		{"https://a.blob.core.windows.net/c/b?SIG=abc&x=1", "https://a.blob.core.windows.net/c/b?SIG=REDACTED&x=1"},
		{"https://a.blob.core.windows.net/c/b%20x?comp=list", "https://a.blob.core.windows.net/c/b%20x?comp=list"},
		{"https://u:pw@a/x", "https://u:REDACTED@a/x"},
		{"http://[::1/x?sig=abc", "http://[::1/x?sig=REDACTED"},
		{"not a url sig=abc&x", "not a url sig=REDACTED&x"},
		{"https://a/x?sig=", "https://a/x?sig=REDACTED"},
		{"https://a/x#sig=abc", "https://a/x#sig=REDACTED"},
		{"", ""},
	} {
		assert.Equal(t, tc.want, RedactURL(tc.in), tc.in)
	}
}

func TestRedactText(t *testing.T) {
	in := "GET https://a/c?sig=abc&sv=1 failed; Authorization: SharedKey acct:bWFj+/== and Bearer eyJ0eXAi.eyJzdWIi.c2ln; " +
		"signature found in the HTTP request 'bWFj' is not; string 'PUT\nsig:abc\nsv:1'"
	out := RedactText(in)
	for _, s := range []string{"sig=abc", "bWFj", "eyJ0eXAi", "sig:abc"} {
		assert.NotContains(t, out, s)
	}
	assert.Contains(t, out, "sv=1")
	assert.Contains(t, out, "SharedKey acct:REDACTED")
	assert.Contains(t, out, "Bearer REDACTED")
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
