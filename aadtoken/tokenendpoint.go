package aadtoken

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// clientAssertionType is the OAuth2 assertion type for JWT client
// authentication (RFC 7523), used by certificates and federated tokens.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// tokenEndpoint sends OAuth2 client-credentials requests to one Entra ID
// v2.0 token endpoint.
type tokenEndpoint struct {
	credential string // for messages: "client secret", ...
	tenantID   string
	clientID   string
	tokenURL   string
	scope      string
	client     *http.Client
	log        *slog.Logger
	now        func() time.Time
}

func newTokenEndpoint(credential, tenantID, clientID string, o CredentialOptions) (*tokenEndpoint, error) {
	if err := checkTenant(tenantID); err != nil {
		return nil, fmt.Errorf("aadtoken: %s: %w", credential, err)
	}
	if err := checkClientID(clientID); err != nil {
		return nil, fmt.Errorf("aadtoken: %s: %w", credential, err)
	}
	scope, err := scopeOrDefault(o.Scope)
	if err != nil {
		return nil, fmt.Errorf("aadtoken: %s: %w", credential, err)
	}
	tokenURL, err := authorityTokenURL(o.AuthorityHost, tenantID)
	if err != nil {
		return nil, fmt.Errorf("aadtoken: %s: %w", credential, err)
	}
	return &tokenEndpoint{
		credential: credential,
		tenantID:   tenantID,
		clientID:   clientID,
		tokenURL:   tokenURL,
		scope:      scope,
		client:     noRedirectClient(o.HTTPClient),
		log:        loggerOrDiscard(o.Logger),
		now:        time.Now,
	}, nil
}

// request posts grant_type=client_credentials with the given client
// authentication fields. secrets lists the values in auth, which are
// scrubbed from any error text.
func (e *tokenEndpoint) request(ctx context.Context, auth url.Values, secrets ...string) (Token, error) {
	form := url.Values{}
	form.Set("grant_type", "client_credentials")
	form.Set("client_id", e.clientID)
	form.Set("scope", e.scope)
	for k, v := range auth {
		form[k] = v
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, fmt.Errorf("aadtoken: %s: building the token request: %w", e.credential, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	e.log.Debug("aadtoken: requesting token", "credential", e.credential, "endpoint", e.tokenURL,
		"tenant_id", e.tenantID, "client_id", e.clientID, "scope", e.scope)

	resp, err := e.client.Do(req)
	if err != nil {
		err = fmt.Errorf("aadtoken: %s: token request failed: %w", e.credential, describeTransportError(err))
		e.log.Debug("aadtoken: token request failed", "credential", e.credential, "error", err.Error())
		return Token{}, err
	}
	defer resp.Body.Close()
	arrived := e.now()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return Token{}, fmt.Errorf("aadtoken: %s: %s: %w", e.credential, e.tokenURL, redirectError(resp))
	}
	body, err := readLimited(resp.Body)
	if err != nil {
		return Token{}, fmt.Errorf("aadtoken: %s: %s: %w", e.credential, e.tokenURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		aerr := newAuthError(e.credential, e.tokenURL, resp.StatusCode, body, secrets...)
		e.log.Debug("aadtoken: token request rejected", "credential", e.credential, "status", resp.StatusCode,
			"aadsts", aerr.AADSTS, "correlation_id", aerr.CorrelationID)
		return Token{}, aerr
	}
	tok, err := parseTokenResponse(body, arrived)
	if err != nil {
		return Token{}, fmt.Errorf("aadtoken: %s: %s: %w", e.credential, e.tokenURL, err)
	}
	e.log.Debug("aadtoken: token acquired", "credential", e.credential, "expires_on", tok.ExpiresOn)
	return tok, nil
}
