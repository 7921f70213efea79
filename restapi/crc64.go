package restapi

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc64"
)

// crc64Poly is the polynomial Azure Storage uses for x-ms-content-crc64
// (the reflected form Go's hash/crc64 expects). It is not ECMA or ISO.
const crc64Poly = 0x9A6C9329AC4BC9B5

var crc64Table = crc64.MakeTable(crc64Poly)

// NewCRC64 returns a hash computing Azure's CRC-64 (polynomial
// 0x9A6C9329AC4BC9B5 with Go's hash/crc64). Sum64 gives the value;
// EncodeCRC64(h.Sum64()) gives the 8 bytes the headers carry.
func NewCRC64() hash.Hash64 { return crc64.New(crc64Table) }

// CRC64 returns Azure's CRC-64 of b.
func CRC64(b []byte) uint64 { return crc64.Checksum(b, crc64Table) }

// EncodeCRC64 returns the 8-byte little-endian form Azure sends in
// x-ms-content-crc64 (base64 of these bytes on the wire).
func EncodeCRC64(sum uint64) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, sum)
	return b
}

// DecodeCRC64 is the inverse of EncodeCRC64.
func DecodeCRC64(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("restapi: a CRC-64 is 8 bytes, got %d", len(b))
	}
	return binary.LittleEndian.Uint64(b), nil
}

// crc64Header formats an 8-byte CRC-64 for a header.
func crc64Header(field string, b []byte) (string, error) {
	if len(b) != 8 {
		return "", fmt.Errorf("restapi: %s must be the 8-byte CRC-64 (see EncodeCRC64), got %d bytes", field, len(b))
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// parseCRC64Header decodes an x-ms-content-crc64 value; a missing or
// malformed value gives nil rather than an error, since it is informative.
func parseCRC64Header(v string) []byte {
	if v == "" {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != 8 {
		return nil
	}
	return b
}
