package aadtoken

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// tokenResponse is the union of the JSON bodies returned by the v2.0 token
// endpoint, IMDS and the App Service identity endpoint. The time fields
// arrive as numbers or as strings depending on the endpoint, so they are
// kept raw and parsed by hand.
type tokenResponse struct {
	AccessToken string          `json:"access_token"`
	TokenType   string          `json:"token_type"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
	ExpiresOn   json.RawMessage `json:"expires_on"`
	RefreshIn   json.RawMessage `json:"refresh_in"`
}

// maxLifetime bounds expires_in and refresh_in: a larger value is a broken
// response, not a long-lived token, and bounding it avoids overflow.
const maxLifetime = 366 * 24 * time.Hour

// Unix-seconds bounds for expires_on: from 2000-01-01 to the end of 9999.
const (
	minUnix = 946684800
	maxUnix = 253402300799
)

// parseTokenResponse turns a 2xx token response body into a Token. now is
// the local time the response arrived; relative lifetimes (expires_in,
// refresh_in) are measured from it, which makes them immune to clock skew
// between this machine and the issuer, so they win over expires_on.
func parseTokenResponse(body []byte, now time.Time) (Token, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return Token{}, errors.New("the token response is empty")
	}
	if trimmed[0] != '{' {
		return Token{}, fmt.Errorf("the token response is not a JSON object (%d bytes starting with %s); is a proxy or captive portal answering?", len(body), describeFirstByte(trimmed[0]))
	}
	var r tokenResponse
	if err := json.Unmarshal(trimmed, &r); err != nil {
		return Token{}, fmt.Errorf("the token response is not valid JSON (truncated or malformed, %d bytes): %s", len(body), jsonErrorSummary(err))
	}
	if r.AccessToken == "" {
		return Token{}, errors.New("the token response has no access_token")
	}
	if err := checkTokenChars("access_token", r.AccessToken); err != nil {
		return Token{}, err
	}
	if r.TokenType != "" && !strings.EqualFold(r.TokenType, "Bearer") {
		return Token{}, fmt.Errorf("the token response has token_type %q; only Bearer tokens are supported", truncateForMessage(r.TokenType))
	}
	tok := Token{AccessToken: r.AccessToken}
	switch {
	case isPresent(r.ExpiresIn):
		d, err := parseSeconds(r.ExpiresIn)
		if err != nil {
			return Token{}, fmt.Errorf("the token response has a bad expires_in: %w", err)
		}
		tok.ExpiresOn = now.Add(d)
	case isPresent(r.ExpiresOn):
		t, err := parseExpiresOn(r.ExpiresOn)
		if err != nil {
			return Token{}, fmt.Errorf("the token response has a bad expires_on: %w", err)
		}
		tok.ExpiresOn = t
	default:
		return Token{}, errors.New("the token response has neither expires_in nor expires_on, so its lifetime is unknown")
	}
	if !tok.ExpiresOn.After(now) {
		return Token{}, fmt.Errorf("the token response says the token expired at %s, before it arrived (%s); check this machine's clock", fmtTime(tok.ExpiresOn), fmtTime(now))
	}
	if isPresent(r.RefreshIn) {
		d, err := parseSeconds(r.RefreshIn)
		if err != nil {
			return Token{}, fmt.Errorf("the token response has a bad refresh_in: %w", err)
		}
		if at := now.Add(d); at.Before(tok.ExpiresOn) {
			tok.RefreshOn = at
		}
	}
	return tok, nil
}

func isPresent(raw json.RawMessage) bool {
	s := bytes.TrimSpace(raw)
	return len(s) > 0 && !bytes.Equal(s, []byte("null")) && !bytes.Equal(s, []byte(`""`))
}

// checkTokenChars rejects tokens that cannot go in an HTTP header: a
// token with a CR or LF would otherwise inject headers.
func checkTokenChars(what, tok string) error {
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("the %s contains a byte (0x%02x at offset %d) that cannot be part of a token", what, c, i)
		}
	}
	return nil
}

// parseSeconds reads a positive number of seconds given as a JSON number
// or a JSON string holding one ("3599").
func parseSeconds(raw json.RawMessage) (time.Duration, error) {
	s, err := rawNumberText(raw)
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a number of seconds", truncateForMessage(s))
	}
	d := time.Duration(f * float64(time.Second))
	if f <= 0 || f > maxLifetime.Seconds() {
		return 0, fmt.Errorf("%s seconds is outside (0, %d]", truncateForMessage(s), int(maxLifetime.Seconds()))
	}
	return d, nil
}

// rawNumberText returns the text of a JSON number or of a JSON string.
func rawNumberText(raw json.RawMessage) (string, error) {
	b := bytes.TrimSpace(raw)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", errors.New("invalid JSON string")
		}
		return strings.TrimSpace(s), nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return "", fmt.Errorf("expected a number or a string, got %s", describeJSONKind(b))
	}
	return n.String(), nil
}

// expiresOnLayouts are the date forms identity endpoints have used for
// expires_on besides Unix seconds: RFC 3339, and the App Service
// (api-version 2017-09-01) "MM/dd/yyyy HH:mm:ss +00:00" form, which some
// hosts print with a 12-hour clock. Go's "1", "2", "15" and "3" accept one
// or two digits, so these cover zero-padded and unpadded variants.
var expiresOnLayouts = []string{
	time.RFC3339Nano,
	"1/2/2006 15:04:05 -07:00",
	"1/2/2006 3:04:05 PM -07:00",
}

// parseExpiresOn reads expires_on in every form the endpoints return:
// Unix seconds as a JSON number or a numeric string (IMDS, App Service
// 2019-08-01, the v1 endpoint), RFC 3339, or the App Service date form.
func parseExpiresOn(raw json.RawMessage) (time.Time, error) {
	b := bytes.TrimSpace(raw)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return time.Time{}, errors.New("invalid JSON string")
		}
		return parseExpiresOnString(s)
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return time.Time{}, fmt.Errorf("expected a number or a string, got %s", describeJSONKind(b))
	}
	return unixSeconds(n.String())
}

// parseExpiresOnString parses the string form of expires_on.
func parseExpiresOnString(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("empty value")
	}
	if looksNumeric(s) {
		return unixSeconds(s)
	}
	for _, layout := range expiresOnLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Unix() < minUnix || t.Unix() > maxUnix {
				return time.Time{}, fmt.Errorf("%q is outside the years 2000 to 9999", truncateForMessage(s))
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither Unix seconds, RFC 3339, nor \"MM/dd/yyyy HH:mm:ss +00:00\"", truncateForMessage(s))
}

func looksNumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return false
		}
	}
	return true
}

func unixSeconds(s string) (time.Time, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, fmt.Errorf("%q is not a number of Unix seconds", truncateForMessage(s))
	}
	if f < minUnix || f > maxUnix {
		return time.Time{}, fmt.Errorf("%s is outside the years 2000 to 9999 as Unix seconds", truncateForMessage(s))
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// jsonErrorSummary describes a decoding error without echoing input.
func jsonErrorSummary(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q has the wrong type (%s)", te.Field, te.Value)
	case strings.Contains(err.Error(), "unexpected end"):
		return "unexpected end of input"
	default:
		return "invalid JSON"
	}
}

func describeJSONKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "an invalid value"
	}
}

func describeFirstByte(c byte) string {
	if c > ' ' && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// truncateForMessage keeps non-secret values short in error messages.
func truncateForMessage(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
