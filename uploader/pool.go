package uploader

import (
	"context"
	"sync"
)

// blockBuf is one block buffer; data always has the pool's full block size.
type blockBuf struct{ data []byte }

// blockPool hands out at most limit block buffers to one write. Buffers
// come from (and go back to) a handler-wide sync.Pool, so consecutive
// writes reuse memory, while the per-write limit bounds the peak:
// UploadConcurrency blocks in flight and one being filled.
type blockPool struct {
	shared *sync.Pool
	size   int64
	tokens chan struct{}  // one per buffer handed out by this pool
	free   chan *blockBuf // buffers returned and ready for reuse
	mu     sync.Mutex
	all    []*blockBuf
}

func newBlockPool(shared *sync.Pool, size int64, limit int) *blockPool {
	return &blockPool{
		shared: shared,
		size:   size,
		tokens: make(chan struct{}, limit),
		free:   make(chan *blockBuf, limit),
	}
}

// get returns a free buffer, allocating one while under the limit, and
// waits otherwise.
func (p *blockPool) get(ctx context.Context) (*blockBuf, error) {
	select {
	case b := <-p.free:
		return b, nil
	default:
	}
	select {
	case b := <-p.free:
		return b, nil
	case p.tokens <- struct{}{}:
		return p.alloc(), nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

func (p *blockPool) alloc() *blockBuf {
	b, _ := p.shared.Get().(*blockBuf)
	if b == nil || int64(len(b.data)) != p.size {
		b = &blockBuf{data: make([]byte, p.size)}
	}
	p.mu.Lock()
	p.all = append(p.all, b)
	p.mu.Unlock()
	return b
}

// put returns b for reuse by this write. It never blocks.
func (p *blockPool) put(b *blockBuf) { p.free <- b }

// release hands every buffer this write allocated back to the shared pool.
// Call it only when no goroutine of the write still uses a buffer.
func (p *blockPool) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range p.all {
		p.shared.Put(b)
	}
	p.all = nil
}
