package jobs

import (
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// heapSampler records the peak of live heap objects while it runs. Reading
// runtime/metrics does not stop the world, so sampling every millisecond
// costs the measured job almost nothing.
type heapSampler struct {
	stop chan struct{}
	done chan struct{}
	peak atomic.Uint64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func startHeapSampler(every time.Duration) *heapSampler {
	s := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	sample := []metrics.Sample{{Name: heapMetric}}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
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

// finish stops sampling and returns the peak in bytes.
func (s *heapSampler) finish() int64 {
	close(s.stop)
	<-s.done
	return int64(s.peak.Load())
}
