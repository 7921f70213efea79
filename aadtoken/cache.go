package aadtoken

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// CacheOptions configure a [CachingSource]. The zero value is usable.
type CacheOptions struct {
	// Logger receives refresh failures (Warn) and refreshes (Debug).
	// nil discards.
	Logger *slog.Logger
	// RefreshBefore is how long before expiry a token is refreshed when
	// the issuer gave no refresh_in. 0 means 5 minutes. Tokens whose
	// lifetime is under twice this are refreshed at half-life instead.
	RefreshBefore time.Duration
	// ExpiryMargin is how long before ExpiresOn a token stops being
	// handed out, so that it does not expire in flight. 0 means 30
	// seconds, capped at a tenth of the token's lifetime.
	ExpiryMargin time.Duration
	// RetryMinBackoff and RetryMaxBackoff bound the wait between failed
	// refreshes while a still-valid token is served, so a failing endpoint
	// is not called on every request. 0 means 2 s and 1 min.
	RetryMinBackoff time.Duration
	RetryMaxBackoff time.Duration
	// Now is the clock; nil means time.Now. Tests inject a fake one.
	Now func() time.Time
}

// CachingSource wraps a [TokenSource]: it hands out the cached token while
// it is fresh, refreshes it ahead of expiry with at most one refresh in
// flight, keeps serving a still-valid token when a refresh fails, and
// returns the source's error once the token has expired.
//
// Refreshes run in the calling goroutine (the first caller that finds the
// token due); other callers meanwhile get the still-valid token, or wait for
// that refresh when there is none, until their context is done. No
// goroutine outlives a call.
//
// A token without ExpiresOn is never reused: every call fetches again.
type CachingSource struct {
	src           TokenSource
	log           *slog.Logger
	now           func() time.Time
	refreshBefore time.Duration
	expiryMargin  time.Duration
	minBackoff    time.Duration
	maxBackoff    time.Duration

	mu        sync.Mutex
	tok       Token
	fetchedAt time.Time
	inflight  *flight   // non-nil while a refresh runs
	failures  int       // consecutive failed refreshes
	nextTry   time.Time // no background-style refresh before this while a valid token exists
	lastErr   error     // most recent refresh error, for logs
	refreshes int       // completed calls to src, for tests and diagnostics
}

// flight is one refresh in progress; done is closed when it finishes.
type flight struct {
	done chan struct{}
	tok  Token
	err  error
	// ctxErr reports that the refresh ended because the refreshing
	// caller's context ended, which says nothing about the source: waiters
	// then try again themselves.
	ctxErr bool
}

// NewCachingSource wraps src in a cache. opts may be nil.
func NewCachingSource(src TokenSource, opts *CacheOptions) *CachingSource {
	var o CacheOptions
	if opts != nil {
		o = *opts
	}
	c := &CachingSource{
		src:           src,
		log:           loggerOrDiscard(o.Logger),
		now:           o.Now,
		refreshBefore: o.RefreshBefore,
		expiryMargin:  o.ExpiryMargin,
		minBackoff:    o.RetryMinBackoff,
		maxBackoff:    o.RetryMaxBackoff,
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.refreshBefore <= 0 {
		c.refreshBefore = 5 * time.Minute
	}
	if c.expiryMargin <= 0 {
		c.expiryMargin = 30 * time.Second
	}
	if c.minBackoff <= 0 {
		c.minBackoff = 2 * time.Second
	}
	if c.maxBackoff <= 0 {
		c.maxBackoff = time.Minute
	}
	if c.maxBackoff < c.minBackoff {
		c.maxBackoff = c.minBackoff
	}
	return c
}

// isCaching marks sources that already cache, so that wrappers do not
// stack caches.
func (c *CachingSource) isCaching() {}

type cachingSource interface{ isCaching() }

// Token returns a valid token, refreshing it when due.
func (c *CachingSource) Token(ctx context.Context) (Token, error) {
	if c.src == nil {
		return Token{}, errors.New("aadtoken: CachingSource has no token source")
	}
	for {
		c.mu.Lock()
		now := c.now()
		usable := c.usable(now)
		if usable && (now.Before(c.refreshAt()) || now.Before(c.nextTry) || c.inflight != nil) {
			tok := c.tok
			c.mu.Unlock()
			return tok, nil
		}
		if f := c.inflight; f != nil {
			// No usable token: wait for the refresh already running.
			c.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return Token{}, fmt.Errorf("aadtoken: waiting for a token refresh: %w", ctx.Err())
			}
			if f.err == nil {
				return f.tok, nil
			}
			if f.ctxErr && ctx.Err() == nil {
				continue // the refresher gave up, we have not: refresh ourselves
			}
			return Token{}, f.err
		}
		// This caller refreshes.
		f := &flight{done: make(chan struct{})}
		c.inflight = f
		c.mu.Unlock()
		return c.refresh(ctx, f, usable)
	}
}

// refresh calls the source once and publishes the outcome to waiters.
func (c *CachingSource) refresh(ctx context.Context, f *flight, haveUsable bool) (Token, error) {
	tok, err := c.callSource(ctx)

	c.mu.Lock()
	defer c.mu.Unlock()
	defer close(f.done)
	c.inflight = nil
	c.refreshes++
	now := c.now()
	if err == nil && tok.AccessToken == "" {
		err = errors.New("aadtoken: the token source returned an empty token")
	}
	if err == nil {
		c.tok, c.fetchedAt = tok, now
		c.failures, c.nextTry, c.lastErr = 0, time.Time{}, nil
		f.tok = tok
		c.log.Debug("aadtoken: token refreshed", "expires_on", tok.ExpiresOn, "refresh_at", c.refreshAt())
		return tok, nil
	}
	f.err = err
	f.ctxErr = ctx.Err() != nil
	if f.ctxErr {
		return Token{}, err
	}
	c.failures++
	c.lastErr = err
	backoff := c.minBackoff << min(c.failures-1, 16)
	if backoff > c.maxBackoff || backoff <= 0 {
		backoff = c.maxBackoff
	}
	c.nextTry = now.Add(backoff)
	if haveUsable && c.usable(now) {
		// The old token still works: serve it, and try again later.
		c.log.Warn("aadtoken: token refresh failed; still serving the current token",
			"error", err.Error(), "expires_on", c.tok.ExpiresOn, "retry_after", backoff, "failures", c.failures)
		f.err, f.tok = nil, c.tok
		return c.tok, nil
	}
	c.log.Debug("aadtoken: token request failed and no valid token is cached", "error", err.Error())
	return Token{}, err
}

// callSource runs the source, turning a panic into an error so that the
// flight is always completed and waiters are never stuck.
func (c *CachingSource) callSource(ctx context.Context) (tok Token, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("aadtoken: the token source panicked (%T)", r)
		}
	}()
	return c.src.Token(ctx)
}

// usable reports whether the cached token may still be handed out.
// Callers hold c.mu.
func (c *CachingSource) usable(now time.Time) bool {
	if c.tok.AccessToken == "" || c.tok.ExpiresOn.IsZero() {
		return false
	}
	margin := c.expiryMargin
	if life := c.tok.ExpiresOn.Sub(c.fetchedAt); life > 0 && margin > life/10 {
		margin = life / 10
	}
	return now.Before(c.tok.ExpiresOn.Add(-margin))
}

// refreshAt is when the cached token should be replaced: the issuer's
// refresh_in when given, otherwise RefreshBefore ahead of expiry, or at
// half-life for tokens too short for that. Callers hold c.mu.
func (c *CachingSource) refreshAt() time.Time {
	t := c.tok
	if !t.RefreshOn.IsZero() && t.RefreshOn.Before(t.ExpiresOn) {
		return t.RefreshOn
	}
	life := t.ExpiresOn.Sub(c.fetchedAt)
	if life < 2*c.refreshBefore {
		return c.fetchedAt.Add(life / 2)
	}
	return t.ExpiresOn.Add(-c.refreshBefore)
}

// Invalidate drops the cached token so the next call fetches a new one
// (for example after the service rejected it).
func (c *CachingSource) Invalidate() {
	c.mu.Lock()
	c.tok, c.fetchedAt, c.nextTry, c.failures = Token{}, time.Time{}, time.Time{}, 0
	c.mu.Unlock()
}

// String describes the cache without its token.
func (c *CachingSource) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("aadtoken.CachingSource{source: %s, cached: %s}", describeSource(c.src), c.tok)
}

// GoString is String.
func (c *CachingSource) GoString() string { return c.String() }

// Format prints the redacted String for every verb.
func (c *CachingSource) Format(f fmt.State, verb rune) { writeRedacted(f, verb, c.String()) }

// LogValue keeps the cached token out of slog output.
func (c *CachingSource) LogValue() slog.Value { return slog.StringValue(c.String()) }

// describeSource names a source without printing its fields (which may hold
// secrets) unless it knows how to redact itself.
func describeSource(s TokenSource) string {
	if s == nil {
		return "<nil>"
	}
	if st, ok := s.(fmt.Stringer); ok {
		return st.String()
	}
	return fmt.Sprintf("%T", s)
}

func loggerOrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
