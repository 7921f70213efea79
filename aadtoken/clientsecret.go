package aadtoken

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

const credClientSecret = "client secret"

// ClientSecretCredential authenticates a service principal (app
// registration) with a client secret, using the OAuth2 client-credentials
// flow on the Entra ID v2.0 token endpoint. Each Token call is one request;
// wrap it in [NewCachingSource] or use it through [NewBearerAuthorizer].
type ClientSecretCredential struct {
	ep     *tokenEndpoint
	secret string
}

// NewClientSecretCredential returns a credential for the app clientID in
// tenantID with the given secret. opts may be nil.
func NewClientSecretCredential(tenantID, clientID, secret string, opts *CredentialOptions) (*ClientSecretCredential, error) {
	o := opts.orZero()
	if secret == "" {
		return nil, fmt.Errorf("aadtoken: %s: the client secret is empty: set %s to the secret's Value from the app registration", credClientSecret, EnvClientSecret)
	}
	if strings.ContainsAny(secret, "\r\n") {
		return nil, fmt.Errorf("aadtoken: %s: the client secret contains a line break; copy it again without the trailing newline", credClientSecret)
	}
	ep, err := newTokenEndpoint(credClientSecret, tenantID, clientID, o)
	if err != nil {
		return nil, err
	}
	return &ClientSecretCredential{ep: ep, secret: secret}, nil
}

// NewClientSecretCredentialFromEnvironment reads AZURE_TENANT_ID,
// AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_AUTHORITY_HOST (default
// https://login.microsoftonline.com/). opts.AuthorityHost, when set, wins
// over the environment. The error matches [ErrCredentialUnavailable] when a
// variable is missing.
func NewClientSecretCredentialFromEnvironment(opts *CredentialOptions) (*ClientSecretCredential, error) {
	o := opts.orZero()
	env := newEnvReader(o.LookupEnv)
	if m := env.missing(EnvTenantID, EnvClientID, EnvClientSecret); len(m) > 0 {
		return nil, unavailable(credClientSecret, "%s not set", strings.Join(m, ", "))
	}
	if o.AuthorityHost == "" {
		o.AuthorityHost = env.get(EnvAuthorityHost)
	}
	return NewClientSecretCredential(env.get(EnvTenantID), env.get(EnvClientID), env.get(EnvClientSecret), &o)
}

// Token requests a new token.
func (c *ClientSecretCredential) Token(ctx context.Context) (Token, error) {
	if c == nil || c.ep == nil {
		return Token{}, errors.New("aadtoken: nil ClientSecretCredential")
	}
	return c.ep.request(ctx, url.Values{"client_secret": {c.secret}}, c.secret)
}

// String names the credential without its secret.
func (c *ClientSecretCredential) String() string {
	if c == nil || c.ep == nil {
		return "aadtoken.ClientSecretCredential(nil)"
	}
	return fmt.Sprintf("aadtoken.ClientSecretCredential{tenant: %s, client_id: %s, endpoint: %s, secret: %s}",
		c.ep.tenantID, c.ep.clientID, c.ep.tokenURL, redactedLen(c.secret))
}

// GoString is String.
func (c *ClientSecretCredential) GoString() string { return c.String() }

// Format prints the redacted String for every verb.
func (c *ClientSecretCredential) Format(f fmt.State, verb rune) { writeRedacted(f, verb, c.String()) }

// LogValue keeps the secret out of slog output.
func (c *ClientSecretCredential) LogValue() slog.Value { return slog.StringValue(c.String()) }
