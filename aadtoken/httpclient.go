package aadtoken

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxResponseBytes bounds every body read from an identity endpoint. Real
// token responses are a few KiB; anything near this is not a token.
const maxResponseBytes = 1 << 20

// defaultHTTPTimeout bounds one token request when the caller supplies no
// client. Token endpoints answer in well under a second when healthy.
const defaultHTTPTimeout = 30 * time.Second

// noRedirectClient returns a client that never follows redirects. When c is
// given it is copied (the caller's client is not modified) and only its
// redirect policy is replaced: a token request answered with a redirect
// would otherwise carry a secret or an assertion to another URL.
func noRedirectClient(c *http.Client) *http.Client {
	var cp http.Client
	if c != nil {
		cp = *c
	} else {
		cp.Timeout = defaultHTTPTimeout
	}
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// readLimited reads at most maxResponseBytes of r, failing clearly beyond.
func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the response body failed (connection cut or truncated?): %w", err)
	}
	if len(b) > maxResponseBytes {
		return nil, fmt.Errorf("the response body is larger than %d bytes, which no token response is; is a proxy answering instead of the identity endpoint?", maxResponseBytes)
	}
	return b, nil
}

// redirectError describes a 3xx answer without following it.
func redirectError(resp *http.Response) error {
	loc := resp.Header.Get("Location")
	host := "(no Location header)"
	if u, err := url.Parse(loc); err == nil && u.Host != "" {
		host = u.Scheme + "://" + u.Host
	}
	return fmt.Errorf("the endpoint answered HTTP %d redirecting to %s; redirects are never followed for token requests (they could carry a credential elsewhere): configure the final URL directly", resp.StatusCode, host)
}

// parseHTTPSURL checks that raw is an absolute https URL (what every token
// authority must be).
func parseHTTPSURL(what, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not a valid URL: %v", what, raw, err)
	}
	if !strings.EqualFold(u.Scheme, "https") || u.Host == "" {
		return nil, fmt.Errorf("%s %q must be an absolute https URL (for example https://login.microsoftonline.com/): tokens and secrets are never sent over plain http", what, raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s must not contain user information", what)
	}
	return u, nil
}

// parseLocalEndpoint accepts https anywhere, and plain http only on a
// loopback or link-local address: managed identity endpoints (IMDS at
// 169.254.169.254, App Service and Container Apps on localhost) are http by
// design and never leave the machine.
func parseLocalEndpoint(what, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not a valid URL: %v", what, raw, err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%s %q must be an absolute http or https URL", what, raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s must not contain user information", what)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return u, nil
	case "http":
		if isLocalHost(u.Hostname()) {
			return u, nil
		}
		return nil, fmt.Errorf("%s %q uses plain http on a non-local host; only loopback and link-local addresses (such as 127.0.0.1 or 169.254.169.254) may use http", what, raw)
	default:
		return nil, fmt.Errorf("%s %q must use http or https", what, raw)
	}
}

func isLocalHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsLinkLocalUnicast())
}

// describeTransportError keeps the useful part of a client.Do error. The
// request URLs used here never carry secrets (those go in bodies and
// headers), so the *url.Error text is safe to show.
func describeTransportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, ue.URL, ue.Err)
	}
	return err
}
