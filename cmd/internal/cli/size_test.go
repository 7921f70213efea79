package cli

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"5242880", 5242880},
		{"5MiB", 5 << 20},
		{"5mib", 5 << 20},
		{"5 MiB", 5 << 20},
		{"5MB", 5_000_000},
		{"5M", 5 << 20},
		{"5m", 5 << 20},
		{"1KiB", 1024},
		{"1kb", 1000},
		{"1.5GiB", 3 << 29},
		{"4000MiB", 4000 << 20},
		{"0", 0},
		{"12B", 12},
		{" 64MiB ", 64 << 20},
		{"1TiB", 1 << 40},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestParseSizeErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", "empty size"},
		{"MiB", "invalid size"},
		{"-5MiB", "invalid size"},
		{"+5", "invalid size"},
		{"five", "invalid size"},
		{"5XB", "invalid size"},
		{"1e6", "invalid size"},
		{"0x10", "invalid size"},
		{"1.5", "not a whole number"},
		{"1.1B", "not a whole number"},
		{"9999999999TiB", "too large"},
		{"NaN", "invalid size"},
		{"Inf", "invalid size"},
	}
	for _, tt := range tests {
		_, err := ParseSize(tt.in)
		require.Error(t, err, tt.in)
		assert.Contains(t, err.Error(), tt.msg, tt.in)
	}
}

func TestFormatSize(t *testing.T) {
	assert.Equal(t, "0 B", FormatSize(0))
	assert.Equal(t, "1023 B", FormatSize(1023))
	assert.Equal(t, "1.0 KiB", FormatSize(1024))
	assert.Equal(t, "5.0 MiB", FormatSize(5<<20))
	assert.Equal(t, "64.0 MiB", FormatSize(64<<20))
	assert.Equal(t, "1.5 GiB", FormatSize(3<<29))
}

func TestSizeFlag(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	f := NewSizeFlag(5 << 20)
	fs.Var(f, "part-size", "")
	assert.Equal(t, "5MiB", f.String())
	require.NoError(t, fs.Parse([]string{"-part-size", "8MB"}))
	assert.Equal(t, int64(8_000_000), f.Bytes())
	assert.Equal(t, "8MB", f.String())
	fs.SetOutput(new(discard))
	require.Error(t, fs.Parse([]string{"-part-size", "eight"}))
	assert.Equal(t, "1000", FormatFlagSize(1000))
	assert.Equal(t, "1GiB", FormatFlagSize(1<<30))
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"5MiB", "5MB", "5242880", "1.5GiB", "", "-1", "1e9", "0.5KiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err == nil && n < 0 {
			t.Fatalf("ParseSize(%q) = %d, negative", s, n)
		}
	})
}
