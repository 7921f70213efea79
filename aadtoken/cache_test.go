package aadtoken

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scriptedSource hands out numbered tokens with a fixed lifetime, fails
// while failing is set, and can block until released.
type scriptedSource struct {
	clock     *fakeClock
	lifetime  time.Duration
	refreshIn time.Duration
	calls     atomic.Int32
	failing   atomic.Bool
	gate      chan struct{} // when non-nil, each call waits for a receive... or ctx
	entered   chan struct{} // signalled when a call starts
}

var errEndpoint = errors.New("aadtoken test: endpoint says AADSTS7000215")

func (s *scriptedSource) Token(ctx context.Context) (Token, error) {
	n := s.calls.Add(1)
	if s.entered != nil {
		s.entered <- struct{}{}
	}
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return Token{}, ctx.Err()
		}
	}
	if s.failing.Load() {
		return Token{}, errEndpoint
	}
	now := s.clock.Now()
	tok := Token{AccessToken: fmt.Sprintf("token-%d", n), ExpiresOn: now.Add(s.lifetime)}
	if s.refreshIn > 0 {
		tok.RefreshOn = now.Add(s.refreshIn)
	}
	return tok, nil
}

func newTestCache(src *scriptedSource, log *slog.Logger) *CachingSource {
	return NewCachingSource(src, &CacheOptions{Now: src.clock.Now, Logger: log})
}

func mustToken(t *testing.T, c *CachingSource) Token {
	t.Helper()
	tok, err := c.Token(context.Background())
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	return tok
}

func TestCacheReusesUntilRefreshPoint(t *testing.T) {
	cases := []struct {
		name      string
		lifetime  time.Duration
		refreshIn time.Duration
		reuseAt   time.Duration // still the first token here
		refreshAt time.Duration // a new token here
	}{
		{"one-hour token: 5 minutes before expiry", time.Hour, 0, 54*time.Minute + 59*time.Second, 55 * time.Minute},
		{"24-hour IMDS token", 24 * time.Hour, 0, 23*time.Hour + 54*time.Minute, 23*time.Hour + 55*time.Minute},
		{"server refresh_in wins", time.Hour, 10 * time.Minute, 9 * time.Minute, 10 * time.Minute},
		{"short token: half-life", 4 * time.Minute, 0, 119 * time.Second, 2 * time.Minute},
		{"9-minute token: half-life", 9 * time.Minute, 0, 4 * time.Minute, 4*time.Minute + 30*time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := newFakeClock()
			src := &scriptedSource{clock: clock, lifetime: c.lifetime, refreshIn: c.refreshIn}
			cache := newTestCache(src, nil)
			start := clock.Now()
			if got := mustToken(t, cache).AccessToken; got != "token-1" {
				t.Fatalf("first token %q", got)
			}
			clock.t = start.Add(c.reuseAt)
			if got := mustToken(t, cache).AccessToken; got != "token-1" {
				t.Fatalf("at +%s got %q, want the cached token-1", c.reuseAt, got)
			}
			clock.t = start.Add(c.refreshAt)
			if got := mustToken(t, cache).AccessToken; got != "token-2" {
				t.Fatalf("at +%s got %q, want refreshed token-2", c.refreshAt, got)
			}
			if n := src.calls.Load(); n != 2 {
				t.Fatalf("source called %d times, want 2", n)
			}
		})
	}
}

func TestCacheConcurrentCallersShareOneRefresh(t *testing.T) {
	clock := newFakeClock()
	src := &scriptedSource{clock: clock, lifetime: time.Hour, gate: make(chan struct{}), entered: make(chan struct{}, 100)}
	cache := newTestCache(src, nil)

	const callers = 50
	var wg sync.WaitGroup
	results := make(chan string, callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := cache.Token(context.Background())
			if err != nil {
				results <- "error: " + err.Error()
				return
			}
			results <- tok.AccessToken
		}()
	}
	<-src.entered // the refresh is running; the others are waiting on it
	time.Sleep(20 * time.Millisecond)
	close(src.gate)
	wg.Wait()
	close(results)
	for r := range results {
		if r != "token-1" {
			t.Errorf("caller got %q, want token-1", r)
		}
	}
	if n := src.calls.Load(); n != 1 {
		t.Fatalf("source called %d times for %d concurrent callers, want 1", n, callers)
	}
}

func TestCacheServesValidTokenDuringRefresh(t *testing.T) {
	clock := newFakeClock()
	src := &scriptedSource{clock: clock, lifetime: time.Hour}
	cache := newTestCache(src, nil)
	mustToken(t, cache)

	clock.Advance(56 * time.Minute) // refresh due, token still valid
	src.gate = make(chan struct{})
	src.entered = make(chan struct{}, 1)
	done := make(chan Token)
	go func() { done <- mustToken(t, cache) }()
	<-src.entered // the refresh is in flight and blocked

	// Another caller does not wait: it gets the still-valid token at once.
	if got := mustToken(t, cache).AccessToken; got != "token-1" {
		t.Fatalf("during refresh got %q, want token-1", got)
	}
	close(src.gate)
	if got := (<-done).AccessToken; got != "token-2" {
		t.Fatalf("refreshing caller got %q, want token-2", got)
	}
	if got := mustToken(t, cache).AccessToken; got != "token-2" {
		t.Fatalf("after refresh got %q, want token-2", got)
	}
}

func TestCacheFailedRefreshKeepsServingAndBacksOff(t *testing.T) {
	clock := newFakeClock()
	src := &scriptedSource{clock: clock, lifetime: time.Hour}
	var logs bytes.Buffer
	cache := newTestCache(src, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	mustToken(t, cache)

	src.failing.Store(true)
	clock.Advance(56 * time.Minute)
	if got := mustToken(t, cache).AccessToken; got != "token-1" {
		t.Fatalf("after a failed refresh got %q, want the still-valid token-1", got)
	}
	if n := src.calls.Load(); n != 2 {
		t.Fatalf("calls = %d, want 2", n)
	}
	if !strings.Contains(logs.String(), "token refresh failed; still serving the current token") ||
		!strings.Contains(logs.String(), "AADSTS7000215") {
		t.Fatalf("refresh failure not logged: %s", logs.String())
	}
	// Within the backoff the endpoint is not called again.
	clock.Advance(time.Second)
	for range 10 {
		mustToken(t, cache)
	}
	if n := src.calls.Load(); n != 2 {
		t.Fatalf("calls = %d during backoff, want 2", n)
	}
	// After it, one more try (failing again), then a longer wait.
	clock.Advance(2 * time.Second)
	mustToken(t, cache)
	if n := src.calls.Load(); n != 3 {
		t.Fatalf("calls = %d after backoff, want 3", n)
	}
	clock.Advance(3 * time.Second) // second backoff is 4 s
	mustToken(t, cache)
	if n := src.calls.Load(); n != 3 {
		t.Fatalf("calls = %d within the doubled backoff, want 3", n)
	}
	// The endpoint recovers: the next try after the backoff succeeds.
	src.failing.Store(false)
	clock.Advance(2 * time.Second)
	if got := mustToken(t, cache).AccessToken; got != "token-4" {
		t.Fatalf("after recovery got %q, want token-4", got)
	}
}

func TestCacheExpiredAndFailingReturnsEndpointError(t *testing.T) {
	clock := newFakeClock()
	src := &scriptedSource{clock: clock, lifetime: time.Hour}
	cache := newTestCache(src, nil)
	mustToken(t, cache)
	src.failing.Store(true)
	clock.Advance(time.Hour)
	_, err := cache.Token(context.Background())
	if !errors.Is(err, errEndpoint) {
		t.Fatalf("err = %v, want the endpoint's error", err)
	}
	// Within the expiry margin (30 s) the old token is no longer handed out.
	clock2 := newFakeClock()
	src2 := &scriptedSource{clock: clock2, lifetime: time.Hour}
	cache2 := newTestCache(src2, nil)
	mustToken(t, cache2)
	src2.failing.Store(true)
	clock2.Advance(time.Hour - 20*time.Second)
	if _, err := cache2.Token(context.Background()); !errors.Is(err, errEndpoint) {
		t.Fatalf("20 s before expiry: err = %v, want the endpoint's error", err)
	}
}

func TestCacheNoTokenYetFailingEndpoint(t *testing.T) {
	clock := newFakeClock()
	src := &scriptedSource{clock: clock, lifetime: time.Hour}
	src.failing.Store(true)
	cache := newTestCache(src, nil)
	for i := 1; i <= 3; i++ {
		if _, err := cache.Token(context.Background()); !errors.Is(err, errEndpoint) {
			t.Fatalf("try %d: err = %v", i, err)
		}
	}
	// Without a valid token every call tries again (one at a time).
	if n := src.calls.Load(); n != 3 {
		t.Fatalf("calls = %d, want 3", n)
	}
}

func TestCacheWaiterHonoursContext(t *testing.T) {
	clock := newFakeClock()
	src := &scriptedSource{clock: clock, lifetime: time.Hour, gate: make(chan struct{}), entered: make(chan struct{}, 2)}
	cache := newTestCache(src, nil)
	leader := make(chan error, 1)
	go func() {
		_, err := cache.Token(context.Background())
		leader <- err
	}()
	<-src.entered

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := cache.Token(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiter err = %v, want context.DeadlineExceeded", err)
	}
	close(src.gate)
	if err := <-leader; err != nil {
		t.Fatalf("leader: %v", err)
	}
}

func TestCacheWaiterTakesOverWhenRefresherGivesUp(t *testing.T) {
	clock := newFakeClock()
	src := &scriptedSource{clock: clock, lifetime: time.Hour, gate: make(chan struct{}), entered: make(chan struct{}, 2)}
	cache := newTestCache(src, nil)
	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	leader := make(chan error, 1)
	go func() {
		_, err := cache.Token(leaderCtx)
		leader <- err
	}()
	<-src.entered
	waiter := make(chan Token, 1)
	go func() { waiter <- mustToken(t, cache) }()
	time.Sleep(20 * time.Millisecond) // let the waiter block on the flight
	cancelLeader()
	if err := <-leader; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader err = %v, want context.Canceled", err)
	}
	<-src.entered // the waiter refreshes itself
	close(src.gate)
	if got := (<-waiter).AccessToken; got != "token-2" {
		t.Fatalf("waiter got %q, want token-2", got)
	}
}

func TestCacheSurvivesPanickingSource(t *testing.T) {
	cache := NewCachingSource(TokenSourceFunc(func(context.Context) (Token, error) { panic("boom") }), nil)
	_, err := cache.Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("err = %v", err)
	}
	// The flight was completed: a second call does not hang.
	if _, err := cache.Token(context.Background()); err == nil {
		t.Fatal("second call: no error")
	}
}

func TestCacheInvalidate(t *testing.T) {
	clock := newFakeClock()
	src := &scriptedSource{clock: clock, lifetime: time.Hour}
	cache := newTestCache(src, nil)
	mustToken(t, cache)
	cache.Invalidate()
	if got := mustToken(t, cache).AccessToken; got != "token-2" {
		t.Fatalf("after Invalidate got %q", got)
	}
}

func TestCacheEmptyTokenIsAnError(t *testing.T) {
	cache := NewCachingSource(TokenSourceFunc(func(context.Context) (Token, error) {
		return Token{ExpiresOn: time.Now().Add(time.Hour)}, nil
	}), nil)
	if _, err := cache.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "empty token") {
		t.Fatalf("err = %v", err)
	}
}

func TestCacheStringRedacts(t *testing.T) {
	clock := newFakeClock()
	src := &scriptedSource{clock: clock, lifetime: time.Hour}
	cache := newTestCache(src, nil)
	mustToken(t, cache)
	for _, s := range []string{cache.String(), fmt.Sprintf("%v", cache), fmt.Sprintf("%+v", cache), fmt.Sprintf("%#v", cache)} {
		if strings.Contains(s, "token-1") || !strings.Contains(s, "REDACTED") {
			t.Errorf("leaks or lacks redaction: %s", s)
		}
	}
}
