package uploader

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"sync"
)

// azureCRC64Poly is the polynomial of Azure's x-ms-content-crc64.
const azureCRC64Poly = 0x9A6C9329AC4BC9B5

var crcTable = sync.OnceValue(func() *crc64.Table { return crc64.MakeTable(azureCRC64Poly) })

// crcOf returns Azure's CRC-64 of p in wire form (8 bytes, little endian).
func crcOf(p []byte) []byte {
	return encodeCRC(crc64.Checksum(p, crcTable()))
}

// encodeCRC is the 8-byte little-endian form sent in x-ms-content-crc64.
func encodeCRC(sum uint64) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, sum)
	return b
}

// copyBufSize is the size of the pooled buffers used to stream bodies.
const copyBufSize = 64 << 10

var copyBufPool = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

// sizeAndCRC measures a seekable body from its current offset to its end
// and computes its CRC-64 in one streaming pass with a pooled buffer, then
// returns the body to where it started. The caller then sends it, which is
// a second pass: the checksum header must be known before the first byte
// is sent, and a ReadSeeker can be read twice without holding it in memory.
func sizeAndCRC(body io.ReadSeeker) (start, size int64, crc []byte, err error) {
	start, err = body.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("find the part's current offset: %w", err)
	}
	end, err := body.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("find the part's length: %w", err)
	}
	if end < start {
		return 0, 0, nil, errors.New("part body's end is before its current offset")
	}
	if _, err := body.Seek(start, io.SeekStart); err != nil {
		return 0, 0, nil, fmt.Errorf("rewind the part: %w", err)
	}
	h := crc64.New(crcTable())
	bp := copyBufPool.Get().(*[]byte)
	n, err := io.CopyBuffer(onlyWriter{h}, io.LimitReader(body, end-start), *bp)
	copyBufPool.Put(bp)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("read the part to checksum it: %w", err)
	}
	if n != end-start {
		return 0, 0, nil, fmt.Errorf("part body gave %d bytes but Seek reported %d", n, end-start)
	}
	if _, err := body.Seek(start, io.SeekStart); err != nil {
		return 0, 0, nil, fmt.Errorf("rewind the part: %w", err)
	}
	return start, n, encodeCRC(h.Sum64()), nil
}

// onlyReader and onlyWriter hide ReaderFrom/WriterTo so that io.CopyBuffer
// really uses the pooled buffer instead of an implementation's own.
type onlyReader struct{ io.Reader }
type onlyWriter struct{ io.Writer }

// offsetSeeker presents the bytes of rs from base onwards as a stream
// starting at 0, for a part body handed over at a non-zero offset.
type offsetSeeker struct {
	rs   io.ReadSeeker
	base int64
}

func (o *offsetSeeker) Read(p []byte) (int, error) { return o.rs.Read(p) }

func (o *offsetSeeker) Seek(offset int64, whence int) (int64, error) {
	if whence == io.SeekStart {
		offset += o.base
	}
	pos, err := o.rs.Seek(offset, whence)
	if pos < o.base && err == nil {
		return 0, errors.New("seek before the start of the part")
	}
	return pos - o.base, err
}
