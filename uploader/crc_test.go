package uploader

import (
	"bytes"
	"encoding/base64"
	"io"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

// refCRC64 is a bit-at-a-time reference of Azure's CRC-64 (reflected
// polynomial 0x9A6C9329AC4BC9B5, init and final xor all ones), written
// independently of hash/crc64 to cross-check the table version.
func refCRC64(p []byte) uint64 {
	crc := ^uint64(0)
	for _, b := range p {
		crc ^= uint64(b)
		for i := 0; i < 8; i++ {
			if crc&1 == 1 {
				crc = crc>>1 ^ azureCRC64Poly
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}

func TestCRCMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, n := range []int{0, 1, 7, 8, 9, 100, 4096, 100000} {
		p := make([]byte, n)
		rng.Read(p)
		want := encodeCRC(refCRC64(p))
		require.Equal(t, want, crcOf(p), "n=%d", n)
	}
	// Little-endian wire form: the low byte of the sum comes first.
	require.Equal(t, []byte{0x01, 0, 0, 0, 0, 0, 0, 0x80}, encodeCRC(0x8000000000000001))
	require.Equal(t, "AAAAAAAAAAA=", base64.StdEncoding.EncodeToString(crcOf(nil)))
}

func TestSizeAndCRC(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 10000) // 160,000 bytes
	r := bytes.NewReader(data)
	start, size, crc, err := sizeAndCRC(r)
	require.NoError(t, err)
	require.Zero(t, start)
	require.Equal(t, int64(len(data)), size)
	require.Equal(t, encodeCRC(refCRC64(data)), crc)
	pos, _ := r.Seek(0, io.SeekCurrent)
	require.Zero(t, pos, "body rewound for the send")

	// A body handed over at an offset: only the rest counts.
	_, err = r.Seek(1000, io.SeekStart)
	require.NoError(t, err)
	start, size, crc, err = sizeAndCRC(r)
	require.NoError(t, err)
	require.Equal(t, int64(1000), start)
	require.Equal(t, int64(len(data)-1000), size)
	require.Equal(t, encodeCRC(refCRC64(data[1000:])), crc)

	os := &offsetSeeker{rs: r, base: start}
	got, err := io.ReadAll(os)
	require.NoError(t, err)
	require.Equal(t, data[1000:], got)
	end, err := os.Seek(0, io.SeekEnd)
	require.NoError(t, err)
	require.Equal(t, size, end)
	p, err := os.Seek(0, io.SeekStart)
	require.NoError(t, err)
	require.Zero(t, p)
	got, err = io.ReadAll(os)
	require.NoError(t, err)
	require.Equal(t, data[1000:], got, "rewind works again, as for a retry")
	_, err = os.Seek(-1, io.SeekCurrent)
	require.NoError(t, err)
	_, err = os.Seek(-int64(len(data)), io.SeekEnd)
	require.Error(t, err, "seeking before the part's start is refused")
}

// shortSeeker claims more bytes than it delivers.
type shortSeeker struct{ *bytes.Reader }

func (s shortSeeker) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekEnd {
		return s.Reader.Seek(0, io.SeekEnd)
	}
	return s.Reader.Seek(off, whence)
}

func (s shortSeeker) Read(p []byte) (int, error) { return 0, io.EOF }

func TestSizeAndCRCShortBody(t *testing.T) {
	_, _, _, err := sizeAndCRC(shortSeeker{bytes.NewReader(make([]byte, 10))})
	require.ErrorContains(t, err, "gave 0 bytes but Seek reported 10")
}

func TestSizeAndCRCAllocsIndependentOfSize(t *testing.T) {
	allocs := func(n int) float64 {
		r := bytes.NewReader(make([]byte, n))
		return testing.AllocsPerRun(20, func() {
			_, _ = r.Seek(0, io.SeekStart)
			if _, _, _, err := sizeAndCRC(r); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(1<<20), allocs(20<<20)
	require.Equal(t, small, large, "allocations must not grow with the part size")
	require.LessOrEqual(t, large, 5.0)
}
