package uploader

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/restapi"
	"github.com/stretchr/testify/require"
)

func TestDelegationKeyCache(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var calls atomic.Int32
	release := make(chan struct{})
	s := &delegationSigner{
		lifetime: 15 * time.Minute,
		now:      func() time.Time { return now },
		fetch: func(ctx context.Context, start, expiry time.Time) (*restapi.UserDelegationKey, error) {
			calls.Add(1)
			<-release
			require.Equal(t, now.Add(-sasClockSkew), start)
			require.Equal(t, now.Add(2*time.Hour), expiry, "at least minKeyLifetime")
			return &restapi.UserDelegationKey{SignedStart: start, SignedExpiry: expiry, Value: "a2V5"}, nil
		},
	}
	// Many callers at once share one fetch.
	var wg sync.WaitGroup
	keys := make([]*restapi.UserDelegationKey, 20)
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := s.delegationKey(context.Background())
			require.NoError(t, err)
			keys[i] = k
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	require.Equal(t, int32(1), calls.Load())
	for _, k := range keys {
		require.Same(t, keys[0], k)
	}

	// Reused while at least half its lifetime is left…
	now = now.Add(59 * time.Minute)
	_, err := s.delegationKey(context.Background())
	require.NoError(t, err)
	require.Equal(t, int32(1), calls.Load())
	// …and replaced after that.
	now = now.Add(2 * time.Minute)
	s.fetch = func(ctx context.Context, start, expiry time.Time) (*restapi.UserDelegationKey, error) {
		calls.Add(1)
		return &restapi.UserDelegationKey{SignedExpiry: expiry, Value: "a2V5Mg=="}, nil
	}
	k, err := s.delegationKey(context.Background())
	require.NoError(t, err)
	require.Equal(t, "a2V5Mg==", k.Value)
	require.Equal(t, int32(2), calls.Load())
}

func TestDelegationKeyErrors(t *testing.T) {
	now := time.Now()
	denied := errors.New("403 AuthorizationPermissionMismatch")
	s := &delegationSigner{
		lifetime: 7 * 24 * time.Hour,
		now:      func() time.Time { return now },
		fetch: func(ctx context.Context, start, expiry time.Time) (*restapi.UserDelegationKey, error) {
			require.Equal(t, 7*24*time.Hour, expiry.Sub(now), "capped at the service's 7 days")
			return nil, denied
		},
	}
	_, err := s.delegationKey(context.Background())
	require.ErrorIs(t, err, denied)
	require.ErrorContains(t, err, "generateUserDelegationKey")
	require.Nil(t, s.key, "a failure is not cached")

	s.fetch = func(ctx context.Context, start, expiry time.Time) (*restapi.UserDelegationKey, error) {
		return &restapi.UserDelegationKey{}, nil
	}
	_, err = s.delegationKey(context.Background())
	require.ErrorContains(t, err, "returned no key")
}
