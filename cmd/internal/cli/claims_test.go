package cli

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fakeJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	require.NoError(t, err)
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(b) + "." + enc.EncodeToString([]byte("not-a-real-signature"))
}

func TestDecodeTokenClaims(t *testing.T) {
	tok := fakeJWT(t, map[string]any{
		"aud":   "https://storage.azure.com",
		"iss":   "https://sts.windows.net/72f988bf-0000-0000-0000-000000000000/",
		"tid":   "72f988bf-0000-0000-0000-000000000000",
		"appid": "11111111-2222-3333-4444-555555555555",
		"oid":   "66666666-7777-8888-9999-000000000000",
		"idtyp": "app",
		"exp":   1763700000,
		"iat":   1763696400.0,
		"roles": []string{"Storage.Read"},
	})
	c, err := DecodeTokenClaims(tok)
	require.NoError(t, err)
	assert.Equal(t, "72f988bf-0000-0000-0000-000000000000", c.TenantID)
	assert.Equal(t, "11111111-2222-3333-4444-555555555555", c.AppID)
	assert.Equal(t, []string{"https://storage.azure.com"}, c.Audience)
	assert.Equal(t, "66666666-7777-8888-9999-000000000000", c.ObjectID)
	assert.Equal(t, "app", c.IdentityType)
	assert.Equal(t, time.Unix(1763700000, 0).UTC(), c.Expires)
	assert.Equal(t, time.Unix(1763696400, 0).UTC(), c.IssuedAt)
	assert.True(t, c.NotBefore.IsZero())
	assert.Equal(t, []string{"Storage.Read"}, c.Roles)

	out, err := json.Marshal(c)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "not-a-real-signature")
	assert.NotContains(t, string(out), "nbf", "zero times are omitted")

	v2, err := DecodeTokenClaims(fakeJWT(t, map[string]any{"aud": []string{"a", "b"}, "azp": "x", "ver": "2.0"}))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, v2.Audience)
	assert.Equal(t, "x", v2.AuthorizedParty)
}

func TestDecodeTokenClaimsOpaque(t *testing.T) {
	const opaque = "opaque-token-value-that-is-secret"
	for _, tok := range []string{opaque, "a.b", "a.!!!.c", "a." + base64.RawURLEncoding.EncodeToString([]byte("[1]")) + ".c"} {
		_, err := DecodeTokenClaims(tok)
		require.ErrorIs(t, err, ErrNotJWT, tok)
		assert.NotContains(t, err.Error(), opaque)
	}
}

func FuzzDecodeTokenClaims(f *testing.F) {
	f.Add("a.eyJ0aWQiOiJ4In0.c")
	f.Add("...")
	f.Fuzz(func(t *testing.T, s string) { _, _ = DecodeTokenClaims(s) })
}
