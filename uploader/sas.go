package uploader

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/azblobmin/azblobmin/restapi"
)

// sasClockSkew back-dates every SAS start time, so that a service clock a
// little behind ours still accepts it.
const sasClockSkew = 5 * time.Minute

// Bounds of a requested user-delegation key's lifetime: twice the SAS
// lifetime, at least minKeyLifetime, at most the service's limit of 7 days.
// A key is reused until half its lifetime is left, so every SAS signed with
// it can still run for min(SAS lifetime, half the key lifetime).
const (
	minKeyLifetime = 2 * time.Hour
	maxKeyLifetime = 7 * 24 * time.Hour
)

// sourceSigner returns a read-only URL for one blob, usable as the source
// of Put Block From URL. The URL carries a SAS: never log it unredacted.
type sourceSigner interface {
	sourceURL(ctx context.Context, container, blob string) (string, error)
}

// delegationSigner makes user-delegation SAS tokens, fetching the
// delegation key once and reusing it until near its expiry. Concurrent
// callers share one fetch (single flight).
type delegationSigner struct {
	client   *restapi.Client
	account  string
	lifetime time.Duration
	protocol string
	now      func() time.Time

	// fetch is client.GetUserDelegationKey; a field so tests can count calls.
	fetch func(ctx context.Context, start, expiry time.Time) (*restapi.UserDelegationKey, error)

	mu       sync.Mutex
	key      *restapi.UserDelegationKey
	inflight *keyFetch
}

// keyFetch is one in-progress key request that other callers wait on.
type keyFetch struct {
	done chan struct{}
	key  *restapi.UserDelegationKey
	err  error
}

func (s *delegationSigner) sourceURL(ctx context.Context, container, blob string) (string, error) {
	k, err := s.delegationKey(ctx)
	if err != nil {
		return "", err
	}
	now := s.now().UTC()
	lifetime := s.lifetime
	if limit := k.SignedExpiry.Sub(now); limit < lifetime {
		lifetime = limit
	}
	q, err := signDelegation(readSASValues(s.protocol, container, blob, now, lifetime), s.account, k)
	if err != nil {
		return "", fmt.Errorf("sign user-delegation read SAS for %s/%s: %w", container, blob, err)
	}
	return s.client.BlobURL(container, blob) + "?" + q, nil
}

// keyLifetime is the lifetime requested for a new delegation key.
func (s *delegationSigner) keyLifetime() time.Duration {
	return min(max(2*s.lifetime, minKeyLifetime), maxKeyLifetime)
}

// usable reports whether k has at least half its requested lifetime left.
func (s *delegationSigner) usable(k *restapi.UserDelegationKey, now time.Time) bool {
	return k != nil && k.SignedExpiry.Sub(now) >= s.keyLifetime()/2
}

// delegationKey returns a cached key or fetches one, single-flight.
func (s *delegationSigner) delegationKey(ctx context.Context) (*restapi.UserDelegationKey, error) {
	s.mu.Lock()
	if s.usable(s.key, s.now()) {
		k := s.key
		s.mu.Unlock()
		return k, nil
	}
	f := s.inflight
	leader := f == nil
	if leader {
		f = &keyFetch{done: make(chan struct{})}
		s.inflight = f
	}
	s.mu.Unlock()

	if leader {
		f.key, f.err = s.fetchKey(ctx)
		s.mu.Lock()
		if f.err == nil {
			s.key = f.key
		}
		s.inflight = nil
		s.mu.Unlock()
		close(f.done)
		return f.key, f.err
	}
	select {
	case <-f.done:
		return f.key, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *delegationSigner) fetchKey(ctx context.Context) (*restapi.UserDelegationKey, error) {
	fetch := s.fetch
	if fetch == nil {
		fetch = s.client.GetUserDelegationKey
	}
	now := s.now().UTC()
	k, err := fetch(ctx, now.Add(-sasClockSkew), now.Add(s.keyLifetime()))
	if err != nil {
		return nil, fmt.Errorf("get user delegation key (needed to sign the per-part read SAS under Entra credentials; the identity needs Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action, e.g. via Storage Blob Data Contributor): %w", err)
	}
	if k == nil || k.Value == "" {
		return nil, fmt.Errorf("get user delegation key: the service returned no key")
	}
	return k, nil
}
