package uploader

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBlockPoolBounded(t *testing.T) {
	var shared sync.Pool
	p := newBlockPool(&shared, 1024, 3)
	ctx := context.Background()
	a, err := p.get(ctx)
	require.NoError(t, err)
	b, _ := p.get(ctx)
	c, _ := p.get(ctx)
	require.Len(t, a.data, 1024)
	require.NotSame(t, a, b)
	require.NotSame(t, b, c)

	// A fourth get waits until one is returned.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = p.get(short)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	p.put(b)
	d, err := p.get(ctx)
	require.NoError(t, err)
	require.Same(t, b, d, "a returned buffer is reused, not a new one allocated")

	p.release()
	// The next write gets recycled buffers from the shared pool (sync.Pool
	// may drop them at any GC, so only check they have the right size).
	p2 := newBlockPool(&shared, 1024, 1)
	e, err := p2.get(ctx)
	require.NoError(t, err)
	require.Len(t, e.data, 1024)
	p3 := newBlockPool(&shared, 2048, 1)
	f, _ := p3.get(ctx)
	require.Len(t, f.data, 2048, "a buffer of another size is never handed out")
}

func TestForEach(t *testing.T) {
	ctx := context.Background()
	var sum atomic.Int64
	require.NoError(t, forEach(ctx, 100, 7, func(ctx context.Context, i int) error {
		sum.Add(int64(i))
		return nil
	}))
	require.Equal(t, int64(4950), sum.Load())
	require.NoError(t, forEach(ctx, 0, 7, nil))

	var running, peak atomic.Int64
	require.NoError(t, forEach(ctx, 50, 4, func(ctx context.Context, i int) error {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		running.Add(-1)
		return nil
	}))
	require.LessOrEqual(t, peak.Load(), int64(4))

	boom := errors.New("boom")
	var after atomic.Int64
	err := forEach(ctx, 1000, 2, func(ctx context.Context, i int) error {
		if i == 3 {
			return boom
		}
		if ctx.Err() != nil {
			after.Add(1)
		}
		return nil
	})
	require.ErrorIs(t, err, boom)
	require.Less(t, after.Load(), int64(10), "the first error stops feeding new work")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, forEach(cctx, 5, 2, func(context.Context, int) error { return nil }), context.Canceled)
}
