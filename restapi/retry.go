package restapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy bounds retries. Zero fields take the defaults shown.
//
// TryTimeout bounds each try without limiting transfer size: the clock
// restarts whenever the request body makes progress, then covers the wait
// for the answer's headers and (except for Get Blob, whose body is
// streamed to the caller) the reading of the answer. A streamed Get Blob
// body fails a Read that receives nothing for TryTimeout.
type RetryPolicy struct {
	MaxTries   int           // total tries including the first; 0 → default (4)
	TryTimeout time.Duration // per try, as above; 0 → default (60s)
	BaseDelay  time.Duration // 0 → default (200ms)
	MaxDelay   time.Duration // 0 → default (10s)
	// MaxRetryAfter caps a delay the server asks for with Retry-After or
	// x-ms-retry-after-ms; 0 → default (60s). A server asking for more
	// than this is waited on for this long.
	MaxRetryAfter time.Duration
}

// Defaults for RetryPolicy.
const (
	DefaultMaxTries      = 4
	DefaultTryTimeout    = 60 * time.Second
	DefaultBaseDelay     = 200 * time.Millisecond
	DefaultMaxDelay      = 10 * time.Second
	DefaultMaxRetryAfter = 60 * time.Second
)

func (p RetryPolicy) withDefaults() (RetryPolicy, error) {
	if p.MaxTries < 0 || p.TryTimeout < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxRetryAfter < 0 {
		return p, errors.New("restapi: RetryPolicy fields must not be negative")
	}
	if p.MaxTries == 0 {
		p.MaxTries = DefaultMaxTries
	}
	if p.TryTimeout == 0 {
		p.TryTimeout = DefaultTryTimeout
	}
	if p.BaseDelay == 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	if p.MaxRetryAfter == 0 {
		p.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if p.MaxDelay < p.BaseDelay {
		return p, fmt.Errorf("restapi: RetryPolicy.MaxDelay (%s) is shorter than BaseDelay (%s)", p.MaxDelay, p.BaseDelay)
	}
	return p, nil
}

// retryableStatus lists the answers that mean "try again": timeouts,
// throttling and transient server failures.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableTransportError reports whether a failure to get an answer is
// worth another try. Certificate problems are not: they will not fix
// themselves, and retrying only hides the message.
func retryableTransportError(err error) bool {
	var uae x509.UnknownAuthorityError
	var hne x509.HostnameError
	var cie x509.CertificateInvalidError
	var cve *tls.CertificateVerificationError
	var rhe tls.RecordHeaderError
	switch {
	case errors.As(err, &uae), errors.As(err, &hne), errors.As(err, &cie), errors.As(err, &cve):
		return false
	case errors.As(err, &rhe):
		// "server gave HTTP response to HTTPS client" and similar.
		return false
	}
	return true
}

// backoff returns the delay before try number next (2, 3, ...): full
// jitter over an exponentially growing window, so clients that failed
// together do not retry together.
func (p RetryPolicy) backoff(next int) time.Duration {
	window := p.BaseDelay
	for i := 2; i < next && window < p.MaxDelay; i++ {
		window *= 2
	}
	if window > p.MaxDelay {
		window = p.MaxDelay
	}
	if window <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(window) + 1))
}

// serverDelay reads how long the server asked us to wait: x-ms-retry-after-ms
// (milliseconds), else Retry-After (seconds or an HTTP date). ok is false
// when neither is present or parseable.
func serverDelay(h http.Header, now time.Time) (d time.Duration, ok bool) {
	if v := strings.TrimSpace(h.Get("x-ms-retry-after-ms")); v != "" {
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms >= 0 {
			if ms > int64(24*time.Hour/time.Millisecond) {
				ms = int64(24 * time.Hour / time.Millisecond)
			}
			return time.Duration(ms) * time.Millisecond, true
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil {
			if s < 0 {
				return 0, false
			}
			if s > 86400 {
				s = 86400
			}
			return time.Duration(s) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			d := t.Sub(now)
			if d < 0 {
				d = 0
			}
			return d, true
		}
	}
	return 0, false
}

// retryDelay combines our backoff with the server's request: never sooner
// than the server asked (up to MaxRetryAfter).
func (p RetryPolicy) retryDelay(next int, h http.Header, now time.Time) time.Duration {
	d := p.backoff(next)
	if h != nil {
		if sd, ok := serverDelay(h, now); ok {
			if sd > p.MaxRetryAfter {
				sd = p.MaxRetryAfter
			}
			if sd > d {
				d = sd
			}
		}
	}
	return d
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
