package aadtoken

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// StorageScope is the OAuth2 scope for Azure Storage. The storage resource
// is "https://storage.azure.com" in every Azure cloud, so this is also right
// for sovereign clouds; only the authority host differs there.
const StorageScope = "https://storage.azure.com/.default"

// Token is an access token and its lifetime.
//
// Its String, Format, GoString, LogValue and MarshalJSON methods never
// reveal AccessToken; read the field directly when the token must be sent.
type Token struct {
	// AccessToken is the bearer token itself (a JWT for Entra ID).
	AccessToken string
	// ExpiresOn is when the token stops being accepted.
	ExpiresOn time.Time
	// RefreshOn, when not zero, is when the issuer asks clients to refresh
	// (the "refresh_in" of the token response). Zero means "not said".
	RefreshOn time.Time
}

// A TokenSource returns an access token. Implementations must be safe for
// concurrent use. A source that does not cache (every credential in this
// package) may do network I/O on every call; wrap it in [NewCachingSource]
// or use it through [NewBearerAuthorizer], which does.
type TokenSource interface {
	Token(ctx context.Context) (Token, error)
}

// TokenSourceFunc adapts a function to a [TokenSource].
type TokenSourceFunc func(ctx context.Context) (Token, error)

// Token calls f.
func (f TokenSourceFunc) Token(ctx context.Context) (Token, error) { return f(ctx) }

// String describes the token without its secret part.
func (t Token) String() string {
	s := "aadtoken.Token{AccessToken: " + redactedLen(t.AccessToken)
	s += ", ExpiresOn: " + fmtTime(t.ExpiresOn)
	if !t.RefreshOn.IsZero() {
		s += ", RefreshOn: " + fmtTime(t.RefreshOn)
	}
	return s + "}"
}

// GoString is String, so %#v is redacted too.
func (t Token) GoString() string { return t.String() }

// Format makes every fmt verb (%v, %+v, %#v, %s, %q, %x ...) print the
// redacted form.
func (t Token) Format(f fmt.State, verb rune) { writeRedacted(f, verb, t.String()) }

// LogValue keeps the token out of slog output, whichever handler is used.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("access_token", redactedLen(t.AccessToken)),
		slog.Time("expires_on", t.ExpiresOn),
		slog.Time("refresh_on", t.RefreshOn),
	)
}

// MarshalJSON encodes the redacted form: a Token is never serialized with
// its secret by accident (for example by a JSON logger).
func (t Token) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"access_token":%q,"expires_on":%q}`,
		redactedLen(t.AccessToken), fmtTime(t.ExpiresOn)), nil
}

// Valid reports whether the token is non-empty and not yet expired at now.
func (t Token) Valid(now time.Time) bool {
	return t.AccessToken != "" && now.Before(t.ExpiresOn)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "(unset)"
	}
	return t.UTC().Format(time.RFC3339)
}

// redactedLen says whether a secret is present, and how long it is (useful
// when debugging truncation), without revealing any of it.
func redactedLen(s string) string {
	if s == "" {
		return "(empty)"
	}
	return fmt.Sprintf("REDACTED(%d bytes)", len(s))
}

// writeRedacted prints s for any verb; %q quotes it so that the output
// stays a valid Go string literal.
func writeRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s)
		return
	}
	_, _ = f.Write([]byte(s))
}
