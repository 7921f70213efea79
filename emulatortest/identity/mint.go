package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// StorageResource is the audience of Azure Storage tokens.
const StorageResource = "https://storage.azure.com"

// StorageScope is the v2.0 scope for Azure Storage.
const StorageScope = StorageResource + "/.default"

// AccessClaims are the claims of a minted access token.
type AccessClaims struct {
	Tenant   string        // tid; the issuer is https://sts.windows.net/{Tenant}/
	ObjectID string        // oid (and sub): the identity's object id
	AppID    string        // appid: the client id
	Audience string        // aud; "" means StorageResource
	Lifetime time.Duration // 0 means one hour
	Now      time.Time     // zero means time.Now()
}

// Minter signs access tokens the way Entra ID does (RS256 JWTs with a kid).
type Minter struct {
	key *rsa.PrivateKey
	kid string
}

var (
	sharedKeyOnce sync.Once
	sharedKey     *rsa.PrivateKey
	sharedKeyErr  error
)

// NewMinter returns a minter. All minters in a test process share one
// RSA-2048 key, generated once, to keep tests fast.
func NewMinter() (*Minter, error) {
	sharedKeyOnce.Do(func() { sharedKey, sharedKeyErr = rsa.GenerateKey(rand.Reader, 2048) })
	if sharedKeyErr != nil {
		return nil, sharedKeyErr
	}
	return &Minter{key: sharedKey, kid: "azblobmin-stand-in"}, nil
}

// PublicKey verifies minted tokens.
func (m *Minter) PublicKey() *rsa.PublicKey { return &m.key.PublicKey }

// Mint returns a signed access token.
func (m *Minter) Mint(c AccessClaims) (string, error) {
	now := c.Now
	if now.IsZero() {
		now = time.Now()
	}
	life := c.Lifetime
	if life <= 0 {
		life = time.Hour
	}
	aud := c.Audience
	if aud == "" {
		aud = StorageResource
	}
	uti, err := randomHex(11)
	if err != nil {
		return "", err
	}
	claims := jwt.MapClaims{
		// aud must be a plain string: Azurite compares it with ===.
		"aud":   aud,
		"iss":   "https://sts.windows.net/" + c.Tenant + "/",
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"exp":   now.Add(life).Unix(),
		"oid":   c.ObjectID,
		"sub":   c.ObjectID,
		"tid":   c.Tenant,
		"appid": c.AppID,
		"idtyp": "app",
		"uti":   uti,
		"ver":   "1.0",
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = m.kid
	return t.SignedString(m.key)
}

// NewUUID returns a random version-4 UUID string.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("identity: crypto/rand failed: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return strings.Join([]string{h[0:8], h[8:12], h[12:16], h[16:20], h[20:32]}, "-")
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
