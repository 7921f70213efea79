package uploader_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/uploader"
)

// Benchmark knobs (environment variables):
//
//	UPLOADER_BENCH_PARTS       parts per CompleteUpload (default 1000)
//	UPLOADER_BENCH_PART_KIB    size of each part in KiB (default 4)
//	UPLOADER_BENCH_UPLOAD_MIB  size of the Upload stream in MiB (default 256; 1024 for the 1 GiB figure)
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchTransport keeps enough idle connections for the highest
// concurrency measured, as restapi's default client does (64 per host);
// http.DefaultTransport keeps 2, which would measure connection churn.
var benchTransport = func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 128
	return t
}()

// delayed adds a fixed latency to every Put Block From URL, modelling the
// round trip and server-side copy time of the real service, which Azurite
// on loopback does not have.
type delayed struct {
	base  http.RoundTripper
	delay time.Duration
}

func (d delayed) RoundTrip(r *http.Request) (*http.Response, error) {
	if d.delay > 0 && r.Header.Get("x-ms-copy-source") != "" {
		time.Sleep(d.delay)
	}
	return d.base.RoundTrip(r)
}

// BenchmarkCompleteUpload composes a recording of 1,000 parts on Azurite at
// several Put Block From URL concurrencies (5 is Teleport's), on loopback
// and with 50 ms added to each Put Block From URL.
func BenchmarkCompleteUpload(b *testing.B) {
	nParts := envInt("UPLOADER_BENCH_PARTS", 1000)
	partSize := envInt("UPLOADER_BENCH_PART_KIB", 4) << 10
	part := bytes.Repeat([]byte("r"), partSize)
	for _, delay := range []time.Duration{0, 50 * time.Millisecond} {
		for _, conc := range []int{5, 16, 32, 64} {
			b.Run(fmt.Sprintf("parts=%d/latency=%v/concurrency=%d", nParts, delay, conc), func(b *testing.B) {
				e := newEnv(b, func(c *uploader.Config) { c.CompleteConcurrency = conc }, delayed{benchTransport, delay})
				ctx := context.Background()
				b.ResetTimer()
				for range b.N {
					b.StopTimer()
					up, parts := uploadManyParts(b, e, nParts, part)
					b.StartTimer()
					if err := e.h.CompleteUpload(ctx, up, parts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// uploadManyParts uploads n copies of part, 32 at a time.
func uploadManyParts(b *testing.B, e *testEnv, n int, part []byte) (uploader.StreamUpload, []uploader.StreamPart) {
	ctx := context.Background()
	up, err := e.h.CreateUpload(ctx, newSessionID())
	if err != nil {
		b.Fatal(err)
	}
	parts := make([]uploader.StreamPart, n)
	var failed atomic.Value
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := range parts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			p, err := e.h.UploadPart(ctx, *up, int64(i+1), bytes.NewReader(part))
			if err != nil {
				failed.Store(err)
				return
			}
			parts[i] = *p
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	return *up, parts
}

// patternReader yields n bytes of a repeating pattern without allocating.
type patternReader struct{ left int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), r.left)
	for i := range p[:n] {
		p[i] = byte(i*131 + int(r.left))
	}
	r.left -= n
	return int(n), nil
}

// heapSampler records the peak of the Go heap in use while it runs.
type heapSampler struct {
	stop chan struct{}
	done chan struct{}
	peak atomic.Uint64
}

func startHeapSampler() *heapSampler {
	s := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(s.done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > s.peak.Load() {
				s.peak.Store(v)
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *heapSampler) finish() uint64 { close(s.stop); <-s.done; return s.peak.Load() }

// BenchmarkUpload streams a large recording through Upload (256 MiB by
// default) and reports throughput and the peak heap against the bound
// BlockSize × (UploadConcurrency + 2).
func BenchmarkUpload(b *testing.B) {
	size := int64(envInt("UPLOADER_BENCH_UPLOAD_MIB", 256)) << 20
	for _, conc := range []int{4, 8} {
		const block = 8 << 20
		b.Run(fmt.Sprintf("MiB=%d/block=8MiB/concurrency=%d", size>>20, conc), func(b *testing.B) {
			e := newEnv(b, func(c *uploader.Config) { c.BlockSize = block; c.UploadConcurrency = conc }, benchTransport)
			ctx := context.Background()
			b.SetBytes(size)
			var peak, base uint64
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				base = max(base, ms.HeapInuse)
				s := newSessionID()
				sampler := startHeapSampler()
				b.StartTimer()
				if _, err := e.h.Upload(ctx, s, &patternReader{left: size}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				peak = max(peak, sampler.finish())
				b.StartTimer()
			}
			bound := uint64(block * (conc + 2))
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(bound)/(1<<20), "bound-MiB")
			b.ReportMetric(float64(base)/(1<<20), "heap-before-MiB")
		})
	}
}

// BenchmarkUploadPart uploads one part of 1, 5 and 20 MiB: allocations per
// call must not grow with the part size.
func BenchmarkUploadPart(b *testing.B) {
	for _, mib := range []int{1, 5, 20} {
		b.Run(fmt.Sprintf("MiB=%d", mib), func(b *testing.B) {
			e := newEnv(b, nil, benchTransport)
			ctx := context.Background()
			up, err := e.h.CreateUpload(ctx, newSessionID())
			if err != nil {
				b.Fatal(err)
			}
			body := bytes.NewReader(bytes.Repeat([]byte("p"), mib<<20))
			b.SetBytes(int64(mib) << 20)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, err := body.Seek(0, io.SeekStart); err != nil {
					b.Fatal(err)
				}
				if _, err := e.h.UploadPart(ctx, *up, int64(i%uploader.MaxParts)+1, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
