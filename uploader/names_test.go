package uploader

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	sid = "5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a"
	uid = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
)

func TestCheckIDs(t *testing.T) {
	require.NoError(t, CheckSessionID(sid))
	require.NoError(t, CheckUploadID(uid))
	bad := []string{
		"",
		strings.ToUpper(sid),
		"{" + sid + "}",
		"urn:uuid:" + sid,
		strings.ReplaceAll(sid, "-", ""),
		"../" + sid[3:],
		sid[:35] + "/",
		"5b5e3a57%2f8c1d-4a3e-9a3c-0f5e2d1c4b6a",
		"5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6g",
		sid + " ",
		"5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a/x",
		"a//b",
	}
	for _, id := range bad {
		err := CheckSessionID(id)
		require.ErrorIs(t, err, ErrInvalidArgument, id)
		require.Contains(t, err.Error(), "canonical UUID")
		require.Contains(t, err.Error(), "lowercase hex")
		require.ErrorIs(t, CheckUploadID(id), ErrInvalidArgument, id)
	}
	long := CheckSessionID(strings.Repeat("x", 10000))
	require.Less(t, len(long.Error()), 400, "a huge input must not be echoed whole")
}

func TestCheckPartNumber(t *testing.T) {
	for _, n := range []int64{1, 2, 49999, 50000} {
		require.NoError(t, CheckPartNumber(n))
	}
	for _, n := range []int64{0, -1, 50001, 1 << 40, -1 << 63} {
		err := CheckPartNumber(n)
		require.ErrorIs(t, err, ErrInvalidArgument)
		require.Contains(t, err.Error(), "want 1 to 50000")
	}
}

func TestBlobNames(t *testing.T) {
	require.Equal(t, "upload/"+sid+"/"+uid, markerName(sid, uid))
	require.Equal(t, "part/"+sid+"/"+uid+"/17", partName(sid, uid, 17))
	require.Equal(t, "part/"+sid+"/"+uid+"/", partsPrefix(sid, uid))
	require.Equal(t, sid+"/summary.json", companionName(sid, summaryName))
	require.Equal(t, sid+"/summary.pending.json", companionName(sid, pendingSummaryName))
	require.Equal(t, sid+"/metadata", companionName(sid, metadataName))
	require.Equal(t, sid+"/thumbnail", companionName(sid, thumbnailName))
	require.Equal(t, sid+"/replay/index.3", replayName(sid, "index.3"))

	s, u, ok := parseMarkerName(markerName(sid, uid))
	require.True(t, ok)
	require.Equal(t, sid, s)
	require.Equal(t, uid, u)
	for n := int64(1); n <= MaxParts; n += 4999 {
		s, u, got, ok := parsePartName(partName(sid, uid, n))
		require.True(t, ok)
		require.Equal(t, [3]any{sid, uid, n}, [3]any{s, u, got})
	}
}

func TestParseBadNames(t *testing.T) {
	markers := []string{
		"", "upload/", "upload/" + sid, "upload/" + sid + "/", "upload/" + sid + "/" + uid + "/",
		"upload/" + sid + "/" + uid + "/x", "upload/" + strings.ToUpper(sid) + "/" + uid,
		"part/" + sid + "/" + uid, "uploads/" + sid + "/" + uid, "upload//" + uid,
	}
	for _, m := range markers {
		_, _, ok := parseMarkerName(m)
		require.False(t, ok, m)
	}
	parts := []string{
		"", "part/", "part/" + sid + "/" + uid, "part/" + sid + "/" + uid + "/",
		"part/" + sid + "/" + uid + "/0", "part/" + sid + "/" + uid + "/01",
		"part/" + sid + "/" + uid + "/50001", "part/" + sid + "/" + uid + "/-1",
		"part/" + sid + "/" + uid + "/+1", "part/" + sid + "/" + uid + "/1/2",
		"part/" + sid + "/" + uid + "/1x", "part/" + sid + "/" + uid + "/ 1",
		"part/" + sid + "/" + uid + "/99999999999999999999999",
		"upload/" + sid + "/" + uid + "/1", "part/x/" + uid + "/1",
	}
	for _, p := range parts {
		_, _, _, ok := parsePartName(p)
		require.False(t, ok, p)
	}
}

func TestReplayObjectNames(t *testing.T) {
	for _, n := range []string{"manifest", "index.0", "index.12", "blob.7", "commands.0", "blob.4611686018427387904"} {
		require.NoError(t, CheckReplayObjectName(n), n)
	}
	for _, n := range []string{"", "manifest.0", "index", "index.", "index.01", "index.-1", "blob.1.2",
		"commands.x", "../manifest", "replay/manifest", "Manifest", "thumbnail", "blob.1/..", "index.+1",
		"blob.99999999999999999999"} {
		err := CheckReplayObjectName(n)
		require.ErrorIs(t, err, ErrInvalidArgument, n)
		require.Contains(t, err.Error(), "want manifest, index.N, blob.N or commands.N")
	}
}

func TestParseDecimal(t *testing.T) {
	n, ok := parseDecimal("0", 10)
	require.True(t, ok)
	require.Zero(t, n)
	_, ok = parseDecimal("11", 10)
	require.False(t, ok)
	_, ok = parseDecimal("9223372036854775808", 1<<62)
	require.False(t, ok)
}

func TestSortUploads(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	us := []StreamUpload{
		{ID: "b", SessionID: "s2", Initiated: t0},
		{ID: "z", SessionID: "s9", Initiated: t0.Add(-time.Second)},
		{ID: "a", SessionID: "s2", Initiated: t0},
		{ID: "c", SessionID: "s1", Initiated: t0},
		{ID: "y", SessionID: "s0", Initiated: t0.Add(time.Hour)},
	}
	sortUploads(us)
	var got []string
	for _, u := range us {
		got = append(got, u.ID)
	}
	require.Equal(t, []string{"z", "c", "a", "b", "y"}, got)
}
