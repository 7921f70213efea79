package jobs

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/google/uuid"
)

func bg() context.Context { return context.Background() }

// newSession returns a fresh session id (a canonical UUID, as the uploader
// requires).
func newSession() string { return uuid.NewString() }

// isSDKAlreadyExists reports the SDK's "container already exists".
func isSDKAlreadyExists(err error) bool {
	return bloberror.HasCode(err, bloberror.ContainerAlreadyExists)
}

// sdkBlockID is the block id the SDK variant stages part n under
// (Teleport's scheme: a fixed-width number, base64).
func sdkBlockID(n int) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	return base64.StdEncoding.EncodeToString(b[:])
}

// parallel runs fn(0…n-1) with at most limit at once and returns the first
// error.
func parallel(n, limit int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		sem   = make(chan struct{}, limit)
	)
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}
