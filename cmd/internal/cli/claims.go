package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TokenClaims are the non-secret facts in an Entra access token that help
// an operator see which identity, tenant and audience a token is for. They
// are read from the JWT payload WITHOUT verifying the signature: this is a
// diagnostic, never an authorization decision.
type TokenClaims struct {
	TenantID        string    `json:"tid,omitempty"`
	AppID           string    `json:"appid,omitempty"` // v1 tokens
	AuthorizedParty string    `json:"azp,omitempty"`   // v2 tokens
	Audience        []string  `json:"aud,omitempty"`
	ObjectID        string    `json:"oid,omitempty"`
	Issuer          string    `json:"iss,omitempty"`
	Subject         string    `json:"sub,omitempty"`
	IdentityType    string    `json:"idtyp,omitempty"`
	ManagedIdentity string    `json:"xms_mirid,omitempty"`
	Roles           []string  `json:"roles,omitempty"`
	Scope           string    `json:"scp,omitempty"`
	Version         string    `json:"ver,omitempty"`
	IssuedAt        time.Time `json:"iat,omitzero"`
	NotBefore       time.Time `json:"nbf,omitzero"`
	Expires         time.Time `json:"exp,omitzero"`
}

// ErrNotJWT is returned by DecodeTokenClaims for an opaque token.
var ErrNotJWT = errors.New("the token is not a JWT (no claims can be shown)")

// DecodeTokenClaims reads the payload of a JWT without verifying it and
// returns the non-secret claims. Errors never include the token.
func DecodeTokenClaims(token string) (TokenClaims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return TokenClaims{}, ErrNotJWT
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return TokenClaims{}, fmt.Errorf("%w: payload is not base64url", ErrNotJWT)
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return TokenClaims{}, fmt.Errorf("%w: payload is not a JSON object", ErrNotJWT)
	}
	var c TokenClaims
	str := func(name string) string {
		var s string
		if v, ok := raw[name]; ok {
			_ = json.Unmarshal(v, &s)
		}
		return s
	}
	strs := func(name string) []string {
		v, ok := raw[name]
		if !ok {
			return nil
		}
		var one string
		if json.Unmarshal(v, &one) == nil {
			return []string{one}
		}
		var many []string
		_ = json.Unmarshal(v, &many)
		return many
	}
	unix := func(name string) time.Time {
		var n json.Number
		if v, ok := raw[name]; ok && json.Unmarshal(v, &n) == nil {
			if f, err := n.Float64(); err == nil && f > 0 {
				return time.Unix(int64(f), 0).UTC()
			}
		}
		return time.Time{}
	}
	c.TenantID = str("tid")
	c.AppID = str("appid")
	c.AuthorizedParty = str("azp")
	c.Audience = strs("aud")
	c.ObjectID = str("oid")
	c.Issuer = str("iss")
	c.Subject = str("sub")
	c.IdentityType = str("idtyp")
	c.ManagedIdentity = str("xms_mirid")
	c.Roles = strs("roles")
	c.Scope = str("scp")
	c.Version = str("ver")
	c.IssuedAt = unix("iat")
	c.NotBefore = unix("nbf")
	c.Expires = unix("exp")
	return c, nil
}
