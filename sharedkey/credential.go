package sharedkey

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"sync"
	"time"
)

// MinKeyBytes is the shortest decoded account key NewCredential accepts.
// Real storage account keys are 64 bytes; 16 keeps short test keys usable
// while staying above the 112-bit HMAC key floor of FIPS 140-only mode.
const MinKeyBytes = 16

// Credential is a storage account name and its Shared Key. It is safe for
// concurrent use. Its String, GoString and fmt verbs never show the key.
type Credential struct {
	account string
	key     *accountKey
}

// accountKey holds the decoded key and a pool of HMAC states keyed with it,
// so that signing a request does not rebuild the HMAC pads each time.
type accountKey struct {
	secret  []byte
	signers sync.Pool // of *signer
	now     func() time.Time
}

// signer is the per-signature scratch space reused through the pool.
type signer struct {
	mac  hash.Hash
	buf  []byte // string-to-sign
	sum  [sha256.Size]byte
	auth []byte // Authorization header value
}

// maxPooledBuffer keeps one unusually large request from pinning memory in
// the pool.
const maxPooledBuffer = 16 << 10

// NewCredential returns a Credential for the named account. base64AccountKey
// is the key exactly as the Azure portal or `az storage account keys list`
// shows it: standard base64 (with + and /, padded with =) of at least
// MinKeyBytes bytes. The error says what is wrong without echoing the key.
func NewCredential(accountName, base64AccountKey string) (*Credential, error) {
	if err := checkAccountName(accountName); err != nil {
		return nil, err
	}
	secret, err := decodeAccountKey(base64AccountKey)
	if err != nil {
		return nil, fmt.Errorf("sharedkey: account key for account %q: %w", accountName, err)
	}
	return &Credential{account: accountName, key: newKeyed(secret)}, nil
}

// newKeyed wraps a decoded key (at least MinKeyBytes long).
func newKeyed(secret []byte) *accountKey {
	k := &accountKey{secret: secret, now: time.Now}
	k.signers.New = func() any {
		return &signer{mac: hmac.New(sha256.New, k.secret), buf: make([]byte, 0, 1024), auth: make([]byte, 0, 128)}
	}
	return k
}

// checkAccountName rejects names that would corrupt the Authorization header
// or the canonicalized resource.
func checkAccountName(name string) error {
	if name == "" {
		return errors.New("sharedkey: account name is empty; pass the storage account name (for Azurite: devstoreaccount1)")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c == 0x7f || c == ':' || c == '/' || c == '?' || c == '#' || c == '%' {
			return fmt.Errorf("sharedkey: account name %q contains %q, which cannot appear in a storage account name", name, c)
		}
	}
	return nil
}

// decodeAccountKey decodes a standard, padded base64 key. Its errors never
// contain the key.
func decodeAccountKey(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("the key is empty; copy key1 or key2 of the storage account")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/', c == '=':
		case c == '-' || c == '_':
			return nil, fmt.Errorf("the key is not standard base64: byte %d is %q, which only URL-safe base64 uses; copy the key exactly as the portal shows it", i, c)
		default:
			return nil, fmt.Errorf("the key is not standard base64: byte %d is not in A-Z a-z 0-9 + / = (stray whitespace or quotes?)", i)
		}
	}
	secret, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		var corrupt base64.CorruptInputError
		if errors.As(err, &corrupt) {
			return nil, fmt.Errorf("the key is not standard base64: malformed at byte %d (missing or misplaced = padding, or a truncated copy?)", int64(corrupt))
		}
		return nil, errors.New("the key is not standard base64")
	}
	if len(secret) < MinKeyBytes {
		return nil, fmt.Errorf("the key decodes to %d bytes, fewer than %d; storage account keys are 64 bytes, so this is probably not the whole key", len(secret), MinKeyBytes)
	}
	return secret, nil
}

// AccountName returns the storage account name.
func (c *Credential) AccountName() string {
	if c == nil {
		return ""
	}
	return c.account
}

// Authorize signs req in place. If req has neither an x-ms-date nor a Date
// header it first sets x-ms-date to the current time (RFC 1123, GMT); then it
// sets "Authorization: SharedKey <account>:<signature>", replacing any
// Authorization header already there. Call it again before every retry,
// after anything covered by the signature has changed (see StringToSign).
// When it returns an error (see StringToSign) the request carries no
// Authorization header. ctx is not used: signing does no I/O.
func (c *Credential) Authorize(ctx context.Context, req *http.Request) error {
	if c == nil || c.key == nil {
		return errors.New("sharedkey: Authorize called on a nil Credential; build one with NewCredential")
	}
	if req == nil {
		return errors.New("sharedkey: cannot sign a nil request")
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	if !hasDate(req.Header) {
		req.Header.Set("X-Ms-Date", c.key.now().UTC().Format(http.TimeFormat))
	}
	s := c.key.signers.Get().(*signer)
	defer c.key.put(s)

	buf, strayAuth, err := appendStringToSign(s.buf[:0], req, c.account)
	s.buf = buf[:0]
	if err != nil {
		// A signature from an earlier try must not go out with a request
		// that no longer signs.
		dropAuthorization(req.Header, true)
		return err
	}
	if strayAuth {
		dropAuthorization(req.Header, false)
	}
	s.mac.Reset()
	s.mac.Write(buf)
	sum := s.mac.Sum(s.sum[:0])

	auth := append(s.auth[:0], "SharedKey "...)
	auth = append(auth, c.account...)
	auth = append(auth, ':')
	auth = base64.StdEncoding.AppendEncode(auth, sum)
	s.auth = auth[:0]
	req.Header.Set("Authorization", string(auth))
	return nil
}

// dropAuthorization deletes Authorization headers stored under
// non-canonical keys, and the canonical one too when all is set.
func dropAuthorization(h http.Header, all bool) {
	for k := range h {
		if (all || k != "Authorization") && equalFoldASCII(k, "Authorization") {
			delete(h, k)
		}
	}
}

func (k *accountKey) put(s *signer) {
	if cap(s.buf) > maxPooledBuffer {
		return
	}
	k.signers.Put(s)
}

// sign returns the base64 HMAC-SHA256 of msg under the account key.
func (k *accountKey) sign(msg []byte) string {
	s := k.signers.Get().(*signer)
	defer k.put(s)
	s.mac.Reset()
	s.mac.Write(msg)
	return base64.StdEncoding.EncodeToString(s.mac.Sum(s.sum[:0]))
}

// hasDate reports whether h has an x-ms-date or Date header with a value,
// under any letter case.
func hasDate(h http.Header) bool {
	if len(h["X-Ms-Date"]) > 0 || len(h["Date"]) > 0 {
		return true // the usual, canonical keys: no need to scan
	}
	for k, v := range h {
		if len(v) > 0 && (equalFoldASCII(k, "x-ms-date") || equalFoldASCII(k, "Date")) {
			return true
		}
	}
	return false
}

// String returns a description naming the account; the key is never shown.
func (c Credential) String() string {
	return "sharedkey.Credential{account: " + c.account + ", key: [REDACTED]}"
}

// GoString is String: %#v must not print the key either.
func (c Credential) GoString() string { return c.String() }

// Format prints String for every verb, so no fmt verb (%v, %+v, %#v, %s,
// %q, %x, ...) reaches the key through reflection.
func (c Credential) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// Format prints a placeholder for every verb: the key never reaches fmt.
func (k *accountKey) Format(f fmt.State, _ rune) { io.WriteString(f, "[REDACTED]") }
