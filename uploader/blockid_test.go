package uploader

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBlockID(t *testing.T) {
	// Golden value: changing the derivation would make completions resumed
	// by a newer version restage every block, so it must stay fixed.
	require.Equal(t, "MGYxZTJkM2MtNGI1YS00OTc4LTg2OTUtYTRiM2MyZDFlMGY5LTAwMDAx", blockID(uid, 1))
	raw, err := base64.StdEncoding.DecodeString(blockID(uid, 1))
	require.NoError(t, err)
	require.Equal(t, uid+"-00001", string(raw))

	seen := map[string]bool{}
	want := len(blockID(uid, 1))
	for _, n := range []int64{1, 2, 9, 10, 99, 100, 12345, 49999, MaxParts} {
		id := blockID(uid, n)
		require.Len(t, id, want, "every block id of a blob must have the same length")
		raw, err := base64.StdEncoding.DecodeString(id)
		require.NoError(t, err)
		require.Len(t, raw, blockIDRawLen)
		require.LessOrEqual(t, len(raw), 64, "Azure limits block ids to 64 bytes before encoding")
		require.False(t, seen[id])
		seen[id] = true
		require.Equal(t, id, blockID(uid, n), "deterministic")
	}
	require.NotEqual(t, blockID(uid, 1), blockID(sid, 1), "different uploads get different ids")
}
