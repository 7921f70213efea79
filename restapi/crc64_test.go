package restapi

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Golden values: the CRC-64/NVME check value ("123456789" →
// 0xae8b14860a799888, the catalogue value Azurite's implementation also
// quotes), and values cross-checked against Azurite's CRC64Hash.
func TestCRC64Golden(t *testing.T) {
	assert.Equal(t, uint64(0xae8b14860a799888), CRC64([]byte("123456789")))
	assert.Equal(t, uint64(0), CRC64(nil))

	h := NewCRC64()
	h.Write([]byte("1234"))
	h.Write([]byte("56789"))
	assert.Equal(t, uint64(0xae8b14860a799888), h.Sum64(), "streaming equals one-shot")

	b := EncodeCRC64(0xae8b14860a799888)
	assert.Equal(t, []byte{0x88, 0x98, 0x79, 0x0a, 0x86, 0x14, 0x8b, 0xae}, b, "little-endian")
	assert.Equal(t, "iJh5CoYUi64=", base64.StdEncoding.EncodeToString(b))
	v, err := DecodeCRC64(b)
	require.NoError(t, err)
	assert.Equal(t, uint64(0xae8b14860a799888), v)
	_, err = DecodeCRC64([]byte{1})
	assert.Error(t, err)

	// Header values Azurite's CRC64Hash produces for the same inputs.
	for in, want := range map[string]string{
		"":            "AAAAAAAAAAA=",
		"hello world": "vo7q9sPVKY0=",
		"The quick brown fox jumps over the lazy dog": "Q8FUSQVUbNc=",
	} {
		assert.Equal(t, want, base64.StdEncoding.EncodeToString(EncodeCRC64(CRC64([]byte(in)))), in)
	}

	assert.Nil(t, parseCRC64Header("not base64!"))
	assert.Nil(t, parseCRC64Header("AAAA"))
	assert.Equal(t, b, parseCRC64Header("iJh5CoYUi64="))
}

func BenchmarkCRC64(b *testing.B) {
	buf := make([]byte, 4<<20)
	b.SetBytes(int64(len(buf)))
	for i := 0; i < b.N; i++ {
		CRC64(buf)
	}
}
