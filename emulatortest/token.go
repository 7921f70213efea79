package emulatortest

import (
	"encoding/base64"
	"encoding/json"
	"time"
)

// Identity claims carried by tokens from EmulatorToken. Azurite echoes the
// object and tenant ids in a user delegation key (SignedOID, SignedTID).
const (
	EmulatorTokenOID = "11111111-2222-4333-8444-555555555555"
	EmulatorTokenTID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
)

// EmulatorToken returns a bearer token that Azurite's --oauth basic accepts
// until ttl from now. Azurite decodes the JWT without checking its signature
// and checks only nbf/iat/exp, an issuer starting https://sts.windows.net/
// and the https://storage.azure.com audience, so the signature part is a
// fixed placeholder. The token is worthless outside the emulator; it exists
// so tests can feed a fake identity endpoint and reach StartHTTPS's Azurite
// with a bearer token. A negative ttl makes an already expired token.
func EmulatorToken(ttl time.Duration) string {
	now := time.Now()
	claims := map[string]any{
		"aud": "https://storage.azure.com",
		"iss": "https://sts.windows.net/" + EmulatorTokenTID + "/",
		"iat": now.Add(-5 * time.Minute).Unix(),
		"nbf": now.Add(-5 * time.Minute).Unix(),
		"exp": now.Add(ttl).Unix(),
		"oid": EmulatorTokenOID,
		"tid": EmulatorTokenTID,
		"sub": "azblobmin-emulatortest",
		"ver": "1.0",
	}
	header := []byte(`{"alg":"RS256","typ":"JWT"}`)
	payload, _ := json.Marshal(claims) // a map of strings and ints cannot fail
	enc := base64.RawURLEncoding
	return enc.EncodeToString(header) + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte("unsigned-emulator-token"))
}
