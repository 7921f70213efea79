package jobs

import (
	"io"
)

// Data returns n bytes of deterministic, incompressible-looking content
// (xorshift64), the same on every call, so every variant sends the same
// bytes.
func Data(n int) []byte {
	b := make([]byte, n)
	x := uint64(0x9E3779B97F4A7C15)
	for i := 0; i+8 <= n; i += 8 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i], b[i+1], b[i+2], b[i+3] = byte(x), byte(x>>8), byte(x>>16), byte(x>>24)
		b[i+4], b[i+5], b[i+6], b[i+7] = byte(x>>32), byte(x>>40), byte(x>>48), byte(x>>56)
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(i)
	}
	return b
}

// chunk is what FeedPipe writes repeatedly: 1 MiB is large enough that the
// writer's cost is negligible next to the reader's.
var chunk = Data(1 << 20)

// Feed writes size bytes to w (a pipe to a child, in the stream job) and
// closes it. The bytes repeat with a 1 MiB period: the clients neither
// compress nor deduplicate, so that changes nothing they do.
func Feed(w io.WriteCloser, size int64) error {
	defer w.Close()
	for size > 0 {
		n := min(size, int64(len(chunk)))
		if _, err := w.Write(chunk[:n]); err != nil {
			return err
		}
		size -= n
	}
	return nil
}
