package aadtoken

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultIMDSEndpoint is the Azure Instance Metadata Service token URL,
// reachable only from inside an Azure VM, scale set or AKS node.
const DefaultIMDSEndpoint = "http://169.254.169.254/metadata/identity/oauth2/token"

const (
	imdsAPIVersion       = "2018-02-01"
	appServiceAPIVersion = "2019-08-01"
	credIMDS             = "managed identity (IMDS)"
	credAppService       = "managed identity (App Service)"
)

// ManagedIdentityOptions configure [ManagedIdentityCredential]. The zero
// value selects the system-assigned identity through IMDS.
type ManagedIdentityOptions struct {
	// At most one of ClientID, ObjectID and ResourceID selects a
	// user-assigned identity; all empty means the system-assigned one.
	// ResourceID is the identity's ARM id
	// (/subscriptions/.../userAssignedIdentities/name).
	ClientID   string
	ObjectID   string
	ResourceID string
	// Scope is the scope requested; "" means StorageScope. Managed
	// identity endpoints take a resource: the scope minus "/.default".
	Scope string
	// IMDSEndpoint overrides DefaultIMDSEndpoint (for AAD Pod Identity, or
	// a local stand-in in tests). https, or http on a loopback or
	// link-local address.
	IMDSEndpoint string
	// IdentityEndpoint and IdentityHeader select the App Service /
	// Functions / Container Apps flavour (the IDENTITY_ENDPOINT and
	// IDENTITY_HEADER those platforms set) instead of IMDS.
	IdentityEndpoint string
	IdentityHeader   string
	// Retry bounds retries; zero fields take the documented defaults.
	Retry ManagedIdentityRetry
	// ProbeTimeout, when positive, makes the first request a quick probe:
	// if nothing answers at the IMDS address within it, Token fails at
	// once with an error matching ErrCredentialUnavailable instead of
	// waiting for retries. Chains use 1 s; 0 disables the probe.
	ProbeTimeout time.Duration
	// HTTPClient sends the requests; copied and set to never follow
	// redirects. nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Logger receives Debug records (and a Warn per retry); never secrets.
	Logger *slog.Logger
	// LookupEnv is used by the FromEnvironment constructor; nil means
	// os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// ManagedIdentityCredential obtains tokens for the managed identity of the
// Azure resource the process runs on: through IMDS on VMs, scale sets and
// AKS nodes, or through the local identity endpoint on App Service,
// Functions and Container Apps.
type ManagedIdentityCredential struct {
	credential string // credIMDS or credAppService
	endpoint   *url.URL
	header     string // App Service X-IDENTITY-HEADER value (a secret)
	idParam    string // query parameter naming the user-assigned identity
	idValue    string
	resource   string
	retry      ManagedIdentityRetry
	probe      time.Duration
	probed     atomic.Bool
	client     *http.Client
	log        *slog.Logger
	now        func() time.Time
	sleep      func(context.Context, time.Duration) error
}

// NewManagedIdentityCredential returns a managed identity credential. opts
// may be nil (system-assigned identity through IMDS).
func NewManagedIdentityCredential(opts *ManagedIdentityOptions) (*ManagedIdentityCredential, error) {
	var o ManagedIdentityOptions
	if opts != nil {
		o = *opts
	}
	ids := 0
	for _, v := range []string{o.ClientID, o.ObjectID, o.ResourceID} {
		if v != "" {
			ids++
		}
	}
	if ids > 1 {
		return nil, errors.New("aadtoken: managed identity: set only one of ClientID, ObjectID and ResourceID")
	}
	scope, err := scopeOrDefault(o.Scope)
	if err != nil {
		return nil, fmt.Errorf("aadtoken: managed identity: %w", err)
	}
	c := &ManagedIdentityCredential{
		resource: resourceFromScope(scope),
		retry:    o.Retry.withDefaults(),
		client:   noRedirectClient(o.HTTPClient),
		log:      loggerOrDiscard(o.Logger),
		now:      time.Now,
		sleep:    sleepCtx,
	}
	if o.IdentityEndpoint != "" || o.IdentityHeader != "" {
		if o.IdentityEndpoint == "" || o.IdentityHeader == "" {
			return nil, fmt.Errorf("aadtoken: %s: both %s and %s are needed", credAppService, EnvIdentityEndpoint, EnvIdentityHeader)
		}
		u, err := parseLocalEndpoint(EnvIdentityEndpoint, o.IdentityEndpoint)
		if err != nil {
			return nil, fmt.Errorf("aadtoken: %s: %w", credAppService, err)
		}
		c.credential, c.endpoint, c.header = credAppService, u, o.IdentityHeader
		c.idParam, c.idValue = o.identityParam(appServiceIDParams)
		return c, nil
	}
	ep := o.IMDSEndpoint
	if ep == "" {
		ep = DefaultIMDSEndpoint
	}
	u, err := parseLocalEndpoint("the IMDS endpoint", ep)
	if err != nil {
		return nil, fmt.Errorf("aadtoken: %s: %w", credIMDS, err)
	}
	c.credential, c.endpoint, c.probe = credIMDS, u, o.ProbeTimeout
	c.idParam, c.idValue = o.identityParam(imdsIDParams)
	return c, nil
}

// The query parameters that select a user-assigned identity by client id,
// object id and ARM resource id: the two flavours name the last two
// differently.
var (
	imdsIDParams       = [3]string{"client_id", "object_id", "msi_res_id"}
	appServiceIDParams = [3]string{"client_id", "principal_id", "mi_res_id"}
)

// identityParam returns the query parameter and value that select the
// user-assigned identity o names, with the endpoint's parameter names for
// client id, object id and resource id; "" for the system-assigned one.
func (o *ManagedIdentityOptions) identityParam(names [3]string) (param, value string) {
	switch {
	case o.ClientID != "":
		return names[0], o.ClientID
	case o.ObjectID != "":
		return names[1], o.ObjectID
	case o.ResourceID != "":
		return names[2], o.ResourceID
	}
	return "", ""
}

// NewManagedIdentityCredentialFromEnvironment uses the App Service flavour
// when IDENTITY_ENDPOINT and IDENTITY_HEADER are set, else IMDS at
// AZURE_POD_IDENTITY_AUTHORITY_HOST (+ /metadata/identity/oauth2/token) or
// the default address. Explicit fields in opts win over the environment.
func NewManagedIdentityCredentialFromEnvironment(opts *ManagedIdentityOptions) (*ManagedIdentityCredential, error) {
	var o ManagedIdentityOptions
	if opts != nil {
		o = *opts
	}
	env := newEnvReader(o.LookupEnv)
	if o.IdentityEndpoint == "" && o.IdentityHeader == "" && o.IMDSEndpoint == "" {
		ie, ih := env.get(EnvIdentityEndpoint), env.get(EnvIdentityHeader)
		switch {
		case ie != "" && ih != "":
			o.IdentityEndpoint, o.IdentityHeader = ie, ih
		case env.get(EnvPodIdentityAuthorityHost) != "":
			o.IMDSEndpoint = strings.TrimSuffix(env.get(EnvPodIdentityAuthorityHost), "/") + "/metadata/identity/oauth2/token"
		}
	}
	return NewManagedIdentityCredential(&o)
}

// Token requests a token from the managed identity endpoint, retrying as
// Microsoft documents.
func (c *ManagedIdentityCredential) Token(ctx context.Context) (Token, error) {
	if c == nil || c.endpoint == nil {
		return Token{}, errors.New("aadtoken: nil ManagedIdentityCredential")
	}
	if c.probe > 0 && !c.probed.Load() {
		if err := c.probeIMDS(ctx); err != nil {
			return Token{}, err
		}
		c.probed.Store(true)
	}
	var (
		retries   int
		goneSince time.Time
	)
	for {
		tok, status, retryAfter, err := c.try(ctx)
		if err == nil {
			return tok, nil
		}
		if ctx.Err() != nil {
			return Token{}, err
		}
		var delay time.Duration
		switch {
		case status == http.StatusGone && c.credential == credIMDS:
			now := c.now()
			if goneSince.IsZero() {
				goneSince = now
			}
			if now.Sub(goneSince)+c.retry.GoneDelay > c.retry.GoneMaxWait {
				return Token{}, err
			}
			delay = c.retry.GoneDelay
		case c.retryable(status) && retries < c.retry.MaxRetries:
			delay = c.retry.BaseDelay << retries
			if delay > c.retry.MaxDelay || delay <= 0 {
				delay = c.retry.MaxDelay
			}
			if retryAfter > delay {
				delay = min(retryAfter, c.retry.MaxDelay)
			}
			retries++
		default:
			return Token{}, err
		}
		c.log.Warn("aadtoken: managed identity request failed; retrying", "credential", c.credential,
			"status", status, "delay", delay, "error", err.Error())
		if err := c.sleep(ctx, delay); err != nil {
			return Token{}, fmt.Errorf("aadtoken: %s: waiting to retry: %w", c.credential, err)
		}
	}
}

// retryable: status 0 is a transport error.
func (c *ManagedIdentityCredential) retryable(status int) bool {
	switch {
	case status == 0, status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		return true
	case status == http.StatusNotFound:
		return c.credential == credIMDS // identity not yet ready
	}
	return false
}

// try sends one request; status is 0 on transport errors.
func (c *ManagedIdentityCredential) try(ctx context.Context) (tok Token, status int, retryAfter time.Duration, err error) {
	q := url.Values{}
	if c.credential == credIMDS {
		q.Set("api-version", imdsAPIVersion)
	} else {
		q.Set("api-version", appServiceAPIVersion)
	}
	q.Set("resource", c.resource)
	if c.idParam != "" {
		q.Set(c.idParam, c.idValue)
	}
	u := *c.endpoint
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Token{}, 0, 0, fmt.Errorf("aadtoken: %s: building the request: %w", c.credential, err)
	}
	if c.credential == credIMDS {
		req.Header.Set("Metadata", "true")
	} else {
		req.Header.Set("X-IDENTITY-HEADER", c.header)
	}
	req.Header.Set("Accept", "application/json")
	c.log.Debug("aadtoken: requesting token", "credential", c.credential, "endpoint", u.String())

	resp, err := c.client.Do(req)
	if err != nil {
		return Token{}, 0, 0, fmt.Errorf("aadtoken: %s: token request failed: %w", c.credential, describeTransportError(err))
	}
	defer resp.Body.Close()
	arrived := c.now()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return Token{}, resp.StatusCode, 0, fmt.Errorf("aadtoken: %s: %s: %w", c.credential, c.endpoint, redirectError(resp))
	}
	body, err := readLimited(resp.Body)
	if err != nil {
		return Token{}, 0, 0, fmt.Errorf("aadtoken: %s: %s: %w", c.credential, c.endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		aerr := newAuthError(c.credential, c.endpoint.String(), resp.StatusCode, body, c.header)
		if resp.StatusCode == http.StatusBadRequest && c.credential == credIMDS {
			if c.idParam != "" {
				aerr.Hint = fmt.Sprintf("the identity with %s=%s is not assigned to this resource: assign it, or fix the id", c.idParam, c.idValue)
			} else {
				aerr.Hint = "this resource has no system-assigned identity: enable it, or select a user-assigned identity by client id"
			}
		}
		return Token{}, resp.StatusCode, parseRetryAfter(resp.Header.Get("Retry-After")), aerr
	}
	tok, err = parseTokenResponse(body, arrived)
	if err != nil {
		return Token{}, resp.StatusCode, 0, fmt.Errorf("aadtoken: %s: %s: %w", c.credential, c.endpoint, err)
	}
	c.log.Debug("aadtoken: token acquired", "credential", c.credential, "expires_on", tok.ExpiresOn)
	return tok, resp.StatusCode, 0, nil
}

// String names the credential; the identity header is never printed.
func (c *ManagedIdentityCredential) String() string {
	if c == nil || c.endpoint == nil {
		return "aadtoken.ManagedIdentityCredential(nil)"
	}
	id := "system-assigned"
	if c.idParam != "" {
		id = c.idParam + "=" + c.idValue
	}
	s := fmt.Sprintf("aadtoken.ManagedIdentityCredential{%s, endpoint: %s, identity: %s, resource: %s",
		c.credential, c.endpoint, id, c.resource)
	if c.header != "" {
		s += ", identity_header: " + redactedLen(c.header)
	}
	return s + "}"
}

// GoString is String.
func (c *ManagedIdentityCredential) GoString() string { return c.String() }

// Format prints the redacted String for every verb.
func (c *ManagedIdentityCredential) Format(f fmt.State, verb rune) {
	writeRedacted(f, verb, c.String())
}

// LogValue keeps the identity header out of slog output.
func (c *ManagedIdentityCredential) LogValue() slog.Value { return slog.StringValue(c.String()) }
