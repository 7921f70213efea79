package restapi

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseContentRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want contentRange
	}{
		{"bytes 0-99/1234", contentRange{0, 99, 1234}},
		{"bytes 5-5/6", contentRange{5, 5, 6}},
		{"bytes */1234", contentRange{-1, -1, 1234}},
		{"bytes 0-99/*", contentRange{0, 99, -1}},
		{" bytes 0-0/1 ", contentRange{0, 0, 1}},
	} {
		got, err := parseContentRange(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, in := range []string{"", "bytes", "items 0-1/2", "bytes 0-1", "bytes 1-0/5", "bytes 0-5/5", "bytes -1-2/5", "bytes 0-1/-5",
		"bytes */*", "bytes a-b/c", "bytes 0-99999999999999999999/1", "bytes +1-2/5", "bytes 0--1/5"} {
		_, err := parseContentRange(in)
		assert.Error(t, err, in)
	}
}

func TestParseErrorXML(t *testing.T) {
	e, err := parseErrorXML([]byte("\ufeff" + `<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidHeaderValue</Code><Message>bad
RequestId:1</Message><HeaderName>x-ms-copy-source-authorization</HeaderName><HeaderValue>Bearer abc</HeaderValue><Reason>why</Reason></Error>`))
	require.NoError(t, err)
	assert.Equal(t, "InvalidHeaderValue", e.Code)
	assert.Equal(t, "bad\nRequestId:1", e.Message)
	assert.Equal(t, map[string]string{"HeaderName": "x-ms-copy-source-authorization", "HeaderValue": "REDACTED", "Reason": "why"}, e.Details)

	for _, in := range []string{"", "<Other/>", "<Error>", "not xml", "<Error><Code>x</Code></Error><extra"} {
		_, err := parseErrorXML([]byte(in))
		assert.Error(t, err, in)
	}

	// Many and long details stay bounded.
	var b strings.Builder
	b.WriteString("<Error>")
	for i := 0; i < 100; i++ {
		b.WriteString("<D" + strings.Repeat("x", i) + ">" + strings.Repeat("v", 5000) + "</D" + strings.Repeat("x", i) + ">")
	}
	b.WriteString("</Error>")
	e, err = parseErrorXML([]byte(b.String()))
	require.NoError(t, err)
	assert.Len(t, e.Details, maxErrorDetails)
	for _, v := range e.Details {
		assert.LessOrEqual(t, len(v), maxErrorDetailBytes)
	}
}

func TestParseUserDelegationKey(t *testing.T) {
	k, err := parseUserDelegationKey([]byte(`<?xml version="1.0" encoding="utf-8"?><UserDelegationKey><SignedOid>o</SignedOid><SignedTid>t</SignedTid><SignedStart>2030-01-02T03:04:05.1234567Z</SignedStart><SignedExpiry>2030-01-02T05:04:05+02:00</SignedExpiry><SignedService>b</SignedService><SignedVersion>2026-06-06</SignedVersion><Value>dmFs</Value></UserDelegationKey>`))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2030, 1, 2, 3, 4, 5, 123456700, time.UTC), k.SignedStart)
	assert.Equal(t, time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), k.SignedExpiry)
	assert.Equal(t, time.UTC, k.SignedExpiry.Location())
	for _, in := range []string{
		`<UserDelegationKey><SignedOid>o</SignedOid><SignedTid>t</SignedTid><SignedStart>yesterday</SignedStart><SignedExpiry>2030-01-02T03:04:05Z</SignedExpiry><SignedVersion>v</SignedVersion><Value>v</Value></UserDelegationKey>`,
		`<UserDelegationKey><SignedOid>o</SignedOid><SignedTid>t</SignedTid><SignedStart>2030-01-02T03:04:05Z</SignedStart><SignedExpiry>2030-01-02T03:04:05Z</SignedExpiry><SignedVersion>v</SignedVersion></UserDelegationKey>`,
		`<UserDelegationKey><SignedStart>2030-01-02T03:04:05Z</SignedStart><SignedExpiry>2030-01-02T03:04:05Z</SignedExpiry><SignedVersion>v</SignedVersion><Value>v</Value></UserDelegationKey>`,
		`<KeyInfo/>`,
	} {
		_, err := parseUserDelegationKey([]byte(in))
		assert.Error(t, err, in)
	}
	body, err := keyInfoBody(time.Date(2030, 1, 2, 3, 4, 5, 999, time.FixedZone("x", 3600)), time.Date(2030, 1, 3, 3, 4, 5, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<KeyInfo><Start>2030-01-02T02:04:05Z</Start><Expiry>2030-01-03T03:04:05Z</Expiry></KeyInfo>`, string(body))
}

func TestParseBlockListErrors(t *testing.T) {
	for _, in := range []string{
		`<BlockList><CommittedBlocks><Block><Name>a</Name><Size>x</Size></Block></CommittedBlocks></BlockList>`,
		`<BlockList><UncommittedBlocks><Block><Name>a</Name><Size>-1</Size></Block></UncommittedBlocks></BlockList>`,
		`<Blocks/>`,
	} {
		_, err := parseBlockList([]byte(in))
		assert.Error(t, err, in)
	}
	bl, err := parseBlockList([]byte(`<BlockList><CommittedBlocks /><UncommittedBlocks /></BlockList>`))
	require.NoError(t, err)
	assert.Empty(t, bl.Committed)
	assert.Empty(t, bl.Uncommitted)
}

func TestBlockListXML(t *testing.T) {
	b, err := blockListXML(nil)
	require.NoError(t, err)
	assert.Equal(t, `<?xml version="1.0" encoding="utf-8"?><BlockList></BlockList>`, string(b))
}
