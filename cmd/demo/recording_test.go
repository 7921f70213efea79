package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGenerateRecording(t *testing.T) {
	var a, b bytes.Buffer
	ia, err := generateRecording(&a, 1<<20, 7)
	require.NoError(t, err)
	ib, err := generateRecording(&b, 1<<20, 7)
	require.NoError(t, err)
	assert.Equal(t, ia, ib, "same seed, same recording")
	assert.Equal(t, a.Bytes(), b.Bytes())
	assert.GreaterOrEqual(t, ia.Size, int64(1<<20))
	assert.Less(t, ia.Size, int64(1<<20)+64<<10, "stops soon after the size")
	assert.Equal(t, int64(a.Len()), ia.Size)
	sum, n, err := sha256Of(bytes.NewReader(a.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, ia.SHA256, sum)
	assert.Equal(t, ia.Size, n)

	ic, err := generateRecording(io.Discard, 1<<20, 8)
	require.NoError(t, err)
	assert.NotEqual(t, ia.SHA256, ic.SHA256, "another seed, another recording")

	// Every line is an event; the first and last frame the session, print
	// events carry terminal output as base64 at growing offsets.
	sc := bufio.NewScanner(&a)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var events []map[string]any
	for sc.Scan() {
		var ev map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &ev), sc.Text())
		events = append(events, ev)
	}
	require.Equal(t, ia.Events, len(events))
	assert.Equal(t, "session.start", events[0]["event"])
	assert.Equal(t, "session.end", events[len(events)-1]["event"])
	var offset float64
	prints := 0
	for i, ev := range events {
		assert.Equal(t, float64(i), ev["ei"])
		if ev["event"] != "print" {
			continue
		}
		prints++
		data, err := base64.StdEncoding.DecodeString(ev["data"].(string))
		require.NoError(t, err)
		assert.Equal(t, float64(len(data)), ev["bytes"])
		assert.Equal(t, offset, ev["offset"])
		offset += float64(len(data))
	}
	assert.Greater(t, prints, 100)
}

func BenchmarkGenerateRecording(b *testing.B) {
	b.SetBytes(8 << 20)
	for b.Loop() {
		if _, err := generateRecording(io.Discard, 8<<20, 1); err != nil {
			b.Fatal(err)
		}
	}
}
