package cli

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTable(t *testing.T) {
	tb := NewTable("SESSION", "PARTS", "AGE")
	tb.Row("a", 3, "5m")
	tb.Row("longer-name", 12, "1d2h")
	var b bytes.Buffer
	_, err := tb.WriteTo(&b)
	require.NoError(t, err)
	assert.Equal(t, "SESSION      PARTS  AGE\na            3      5m\nlonger-name  12     1d2h\n", b.String())
	assert.Equal(t, 2, tb.Len())
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, map[string]any{"url": "http://x/a&b"}))
	assert.Equal(t, "{\n  \"url\": \"http://x/a&b\"\n}\n", b.String())
	var v map[string]string
	require.NoError(t, json.Unmarshal(b.Bytes(), &v))
}

func TestFormatAge(t *testing.T) {
	assert.Equal(t, "0s", FormatAge(-time.Second))
	assert.Equal(t, "42s", FormatAge(42*time.Second))
	assert.Equal(t, "17m", FormatAge(17*time.Minute+5*time.Second))
	assert.Equal(t, "5h12m", FormatAge(5*time.Hour+12*time.Minute))
	assert.Equal(t, "3d4h", FormatAge(76*time.Hour))
	assert.Equal(t, "-", MiBPerSecond(1, 0))
	assert.Equal(t, "2.0", MiBPerSecond(4<<20, 2*time.Second))
}
