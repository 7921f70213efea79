package aadtoken

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// BearerAuthorizer sets "Authorization: Bearer <token>" on requests. It
// satisfies restapi.Authorizer (Authorize(ctx, *http.Request) error)
// without this package importing restapi.
type BearerAuthorizer struct {
	src TokenSource
}

// NewBearerAuthorizer returns an authorizer drawing tokens from src. src is
// wrapped in a [CachingSource] with default options unless it already
// caches, so tokens are reused and refreshed ahead of expiry.
func NewBearerAuthorizer(src TokenSource) *BearerAuthorizer {
	if src != nil {
		if _, ok := src.(cachingSource); !ok {
			src = NewCachingSource(src, nil)
		}
	}
	return &BearerAuthorizer{src: src}
}

// Authorize sets the Authorization header on req. It refuses any request
// whose URL is not https: a bearer token sent in clear text can be replayed
// by anyone on the path until it expires.
func (a *BearerAuthorizer) Authorize(ctx context.Context, req *http.Request) error {
	if req == nil || req.URL == nil {
		return errors.New("aadtoken: Authorize called with a nil request")
	}
	if !strings.EqualFold(req.URL.Scheme, "https") {
		return fmt.Errorf("aadtoken: refusing to send a bearer token over %q to %s: use an https endpoint (Azure Storage requires https for Entra ID tokens; for Azurite start it with --cert/--key and --oauth basic)", req.URL.Scheme, req.URL.Host)
	}
	tok, err := a.Token(ctx)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return nil
}

// Token returns the current token, for callers that need the bearer value
// elsewhere (for example x-ms-copy-source-authorization).
func (a *BearerAuthorizer) Token(ctx context.Context) (Token, error) {
	if a == nil || a.src == nil {
		return Token{}, errors.New("aadtoken: BearerAuthorizer has no token source")
	}
	return a.src.Token(ctx)
}

// String describes the authorizer without any token.
func (a *BearerAuthorizer) String() string {
	if a == nil {
		return "aadtoken.BearerAuthorizer(nil)"
	}
	return "aadtoken.BearerAuthorizer{" + describeSource(a.src) + "}"
}

// GoString is String.
func (a *BearerAuthorizer) GoString() string { return a.String() }

// Format prints the redacted String for every verb.
func (a *BearerAuthorizer) Format(f fmt.State, verb rune) { writeRedacted(f, verb, a.String()) }

// LogValue keeps tokens out of slog output.
func (a *BearerAuthorizer) LogValue() slog.Value { return slog.StringValue(a.String()) }
