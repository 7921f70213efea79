package restapi

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// UserDelegationKey mirrors sharedkey.UserDelegationKey field for field so
// that a plain conversion works: sharedkey.UserDelegationKey(*k).
type UserDelegationKey struct {
	SignedOID     string
	SignedTID     string
	SignedStart   time.Time
	SignedExpiry  time.Time
	SignedService string
	SignedVersion string
	Value         string // base64; a secret: it signs SAS tokens
}

// String describes the key without its Value.
func (k UserDelegationKey) String() string {
	return fmt.Sprintf("UserDelegationKey{oid: %s, tid: %s, start: %s, expiry: %s, service: %s, version: %s, value: REDACTED}",
		k.SignedOID, k.SignedTID, k.SignedStart.Format(time.RFC3339), k.SignedExpiry.Format(time.RFC3339), k.SignedService, k.SignedVersion)
}

// GoString is String, so %#v cannot print the key value.
func (k UserDelegationKey) GoString() string { return k.String() }

// Format prints String for every verb (%d or %x on the struct would
// otherwise print the fields, Value included).
func (k UserDelegationKey) Format(f fmt.State, _ rune) { io.WriteString(f, k.String()) }

// LogValue keeps Value out of structured logs: slog's JSON handler would
// otherwise print the exported field.
func (k UserDelegationKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// keyInfoTime is the time format of KeyInfo: ISO 8601 in UTC, whole seconds.
const keyInfoTime = "2006-01-02T15:04:05Z"

// maxUserDelegationKeyLifetime is the service's limit.
const maxUserDelegationKeyLifetime = 7 * 24 * time.Hour

type keyInfoXML struct {
	XMLName xml.Name `xml:"KeyInfo"`
	Start   string   `xml:"Start"`
	Expiry  string   `xml:"Expiry"`
}

type userDelegationKeyXML struct {
	XMLName       xml.Name `xml:"UserDelegationKey"`
	SignedOid     string   `xml:"SignedOid"`
	SignedTid     string   `xml:"SignedTid"`
	SignedStart   string   `xml:"SignedStart"`
	SignedExpiry  string   `xml:"SignedExpiry"`
	SignedService string   `xml:"SignedService"`
	SignedVersion string   `xml:"SignedVersion"`
	Value         string   `xml:"Value"`
}

// keyInfoBody renders the request body.
func keyInfoBody(start, expiry time.Time) ([]byte, error) {
	b, err := xml.Marshal(keyInfoXML{
		Start:  start.UTC().Format(keyInfoTime),
		Expiry: expiry.UTC().Format(keyInfoTime),
	})
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}

// parseUserDelegationKey decodes the answer.
func parseUserDelegationKey(body []byte) (*UserDelegationKey, error) {
	var x userDelegationKeyXML
	if err := decodeXML(opGetUserDelegationKey, body, &x); err != nil {
		return nil, err
	}
	k := &UserDelegationKey{
		SignedOID:     strings.TrimSpace(x.SignedOid),
		SignedTID:     strings.TrimSpace(x.SignedTid),
		SignedService: strings.TrimSpace(x.SignedService),
		SignedVersion: strings.TrimSpace(x.SignedVersion),
		Value:         strings.TrimSpace(x.Value),
	}
	var err error
	if k.SignedStart, err = time.Parse(time.RFC3339, strings.TrimSpace(x.SignedStart)); err != nil {
		return nil, fmt.Errorf("restapi: %s: SignedStart %q is not an ISO 8601 time", opGetUserDelegationKey, truncate(x.SignedStart, 40))
	}
	if k.SignedExpiry, err = time.Parse(time.RFC3339, strings.TrimSpace(x.SignedExpiry)); err != nil {
		return nil, fmt.Errorf("restapi: %s: SignedExpiry %q is not an ISO 8601 time", opGetUserDelegationKey, truncate(x.SignedExpiry, 40))
	}
	k.SignedStart = k.SignedStart.UTC()
	k.SignedExpiry = k.SignedExpiry.UTC()
	switch {
	case k.Value == "":
		return nil, fmt.Errorf("restapi: %s: the answer has no key Value", opGetUserDelegationKey)
	case k.SignedOID == "" || k.SignedTID == "":
		return nil, fmt.Errorf("restapi: %s: the answer lacks SignedOid or SignedTid", opGetUserDelegationKey)
	case k.SignedVersion == "":
		return nil, fmt.Errorf("restapi: %s: the answer lacks SignedVersion", opGetUserDelegationKey)
	}
	return k, nil
}

// GetUserDelegationKey asks the service for a key to sign user-delegation
// SAS tokens valid between start and expiry (at most 7 days from now). A
// zero start means now. The request must be authorized with an Entra ID
// bearer token (Azurite: HTTPS with --oauth basic); SharedKey is refused.
// The identity needs the generateUserDelegationKey permission (e.g.
// Storage Blob Delegator).
func (c *Client) GetUserDelegationKey(ctx context.Context, start, expiry time.Time) (*UserDelegationKey, error) {
	if start.IsZero() {
		start = time.Now()
	}
	start = start.UTC().Truncate(time.Second)
	expiry = expiry.UTC().Truncate(time.Second)
	if !expiry.After(start) {
		return nil, fmt.Errorf("restapi: %s: expiry %s is not after start %s", opGetUserDelegationKey, expiry.Format(keyInfoTime), start.Format(keyInfoTime))
	}
	if expiry.Sub(time.Now()) > maxUserDelegationKeyLifetime {
		return nil, fmt.Errorf("restapi: %s: expiry %s is more than 7 days from now; the service refuses that", opGetUserDelegationKey, expiry.Format(keyInfoTime))
	}
	body, err := keyInfoBody(start, expiry)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set(hdrContentType, "application/xml")
	var key *UserDelegationKey
	cl := &call{
		op: opGetUserDelegationKey, method: http.MethodPost,
		query:  url.Values{"restype": {"service"}, "comp": {"userdelegationkey"}},
		header: h, body: bytes.NewReader(body),
	}
	cl.handle = func(resp *http.Response) error {
		b, err := readBody(cl, resp, udkBodyLimit)
		if err != nil {
			return err
		}
		key, err = parseUserDelegationKey(b)
		return err
	}
	if _, err := c.do(ctx, cl); err != nil {
		return nil, err
	}
	return key, nil
}
