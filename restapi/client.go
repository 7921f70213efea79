package restapi

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// An Authorizer adds credentials to a request just before it is sent
// (and again before every retry).
//
// Authorize is called once per try, after every other header (x-ms-date
// included) is final, so a signature always covers what goes on the wire.
// sharedkey.Credential and aadtoken.BearerAuthorizer satisfy it.
type Authorizer interface {
	Authorize(ctx context.Context, req *http.Request) error
}

// DefaultServiceVersion is the x-ms-version sent unless overridden. Azure
// accepts it, and so does Azurite 3.37 (which knows versions up to
// 2026-06-06 and rejects newer ones).
const DefaultServiceVersion = "2025-11-05"

// Options configure a Client. The zero value is usable.
type Options struct {
	// HTTPClient sends the requests. nil means a client with its own
	// transport. Whatever is given, redirects are never followed: the
	// Client works on a shallow copy whose CheckRedirect refuses them, so
	// the caller's client is not changed. Note that an http.Client.Timeout
	// also bounds reading a streamed Get Blob body; prefer RetryPolicy.TryTimeout.
	HTTPClient *http.Client
	// ServiceVersion is sent as x-ms-version; "" means DefaultServiceVersion.
	ServiceVersion string
	// Retry bounds retries and per-try time.
	Retry RetryPolicy
	// Logger receives one debug record per try; nil discards.
	Logger *slog.Logger
	// UserAgent is appended after "azblobmin/<version> (<go version>; <os>)".
	UserAgent string
	// AccountName overrides the account name derived from the endpoint.
	// It is only needed for custom domains whose first label is not the
	// account name; it does not change any URL.
	AccountName string
}

// Client performs Blob REST operations against one account endpoint.
// It is safe for concurrent use and holds no global state.
type Client struct {
	ep        *endpoint
	auth      Authorizer
	http      *http.Client
	version   string
	retry     RetryPolicy
	log       *slog.Logger
	userAgent string

	// sleep waits between tries; tests replace it to observe delays.
	sleep func(ctx context.Context, d time.Duration) error
}

// NewClient returns a Client for the account at endpoint.
//
// endpoint is the account URL: https://acct.blob.core.windows.net, a
// sovereign-cloud or custom-domain host, or a path-style emulator URL such
// as http://127.0.0.1:10000/devstoreaccount1. It must not carry user info, a
// query or a fragment. Plain http is used only because the endpoint says
// so; requests only ever go to this endpoint's host.
//
// auth may be nil for anonymous access (public containers).
func NewClient(endpoint string, auth Authorizer, opts *Options) (*Client, error) {
	ep, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	o := orZero(opts)
	if o.AccountName != "" {
		if err := validateAccountName(o.AccountName); err != nil {
			return nil, err
		}
		ep.account = o.AccountName
	}
	if o.ServiceVersion == "" {
		o.ServiceVersion = DefaultServiceVersion
	} else if !validServiceVersion(o.ServiceVersion) {
		return nil, fmt.Errorf("restapi: service version %q is not of the form YYYY-MM-DD", o.ServiceVersion)
	}
	if strings.ContainsAny(o.UserAgent, "\r\n") {
		return nil, fmt.Errorf("restapi: Options.UserAgent must not contain line breaks")
	}
	retry, err := o.Retry.withDefaults()
	if err != nil {
		return nil, err
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		ep:        ep,
		auth:      auth,
		http:      noRedirectClient(o.HTTPClient),
		version:   o.ServiceVersion,
		retry:     retry,
		log:       logger,
		userAgent: userAgent(o.UserAgent),
		sleep:     sleepCtx,
	}
	return c, nil
}

// orZero returns *opts, or the zero options when opts is nil: every
// operation takes its options as an optional pointer.
func orZero[T any](opts *T) T {
	if opts == nil {
		var zero T
		return zero
	}
	return *opts
}

// noRedirectClient returns a client that never follows a redirect. A
// caller's client is copied, never modified.
func noRedirectClient(hc *http.Client) *http.Client {
	if hc == nil {
		var t *http.Transport
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			t = dt.Clone() // keeps proxy-from-environment, dial and TLS timeouts
		} else {
			t = &http.Transport{Proxy: http.ProxyFromEnvironment, TLSHandshakeTimeout: 10 * time.Second, ForceAttemptHTTP2: true}
		}
		t.MaxIdleConns = 256
		t.MaxIdleConnsPerHost = 64
		t.IdleConnTimeout = 90 * time.Second
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{}
		}
		t.TLSClientConfig.MinVersion = tls.VersionTLS12
		hc = &http.Client{Transport: t}
	} else {
		cp := *hc
		hc = &cp
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return hc
}

func validServiceVersion(v string) bool {
	if len(v) != 10 {
		return false
	}
	_, err := time.Parse("2006-01-02", v)
	return err == nil
}

// Endpoint returns the account endpoint without a trailing slash, e.g.
// https://acct.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1.
func (c *Client) Endpoint() string { return c.ep.base }

// AccountName returns the account name derived from the endpoint (the
// host's first label, or the first path segment for path-style endpoints),
// or Options.AccountName when set.
func (c *Client) AccountName() string { return c.ep.account }

// ContainerURL returns the unsigned URL of a container. The name is not
// validated here; operations validate it.
func (c *Client) ContainerURL(container string) string {
	return c.ep.base + "/" + escapePath(container)
}

// BlobURL returns the unsigned URL of a blob, each '/'-separated segment of
// the name percent-encoded exactly as the operations send it (so a SAS
// signed for this URL matches the request path).
func (c *Client) BlobURL(container, blob string) string {
	return c.ep.base + "/" + escapePath(container) + "/" + escapePath(blob)
}

// String describes the client without credentials.
func (c *Client) String() string {
	if c == nil {
		return "restapi.Client(nil)"
	}
	return fmt.Sprintf("restapi.Client{endpoint: %s, account: %s, version: %s, authorized: %t}",
		c.ep.base, c.ep.account, c.version, c.auth != nil)
}

// GoString is String, so %#v cannot dump the Authorizer's fields.
func (c *Client) GoString() string { return c.String() }
