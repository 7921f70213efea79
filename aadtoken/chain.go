package aadtoken

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// ChainOptions configure [NewChainFromEnvironment]. The zero value is
// usable.
type ChainOptions struct {
	// ClientID selects a user-assigned identity: the azure_client_id of an
	// azblob:// URL. It is the managed identity's client id and replaces
	// AZURE_CLIENT_ID for workload identity (an AKS workload identity is a
	// user-assigned identity with a federated credential, so the same id
	// names it). It does not change the client secret or certificate
	// credentials, whose secret belongs to AZURE_CLIENT_ID's app.
	ClientID string
	// Scope is the scope requested; "" means StorageScope.
	Scope string
	// HTTPClient sends token requests; copied and set to never follow
	// redirects. nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Logger receives Debug records about each attempt; never secrets.
	Logger *slog.Logger
	// LookupEnv reads environment variables; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// IMDSEndpoint overrides the IMDS address (tests, AAD Pod Identity);
	// "" means AZURE_POD_IDENTITY_AUTHORITY_HOST or the default. Setting
	// it selects IMDS even when IDENTITY_ENDPOINT is set.
	IMDSEndpoint string
	// IMDSProbeTimeout bounds the first contact with IMDS; 0 means 1 s,
	// negative disables the probe.
	IMDSProbeTimeout time.Duration
	// ManagedIdentityRetry overrides the managed identity retry schedule.
	ManagedIdentityRetry ManagedIdentityRetry
	// AzureCLIPath is the az executable; "" means "az" on PATH.
	AzureCLIPath string
	// AzureCLITimeout bounds one az run; 0 means 20 s.
	AzureCLITimeout time.Duration
	// ExcludeAzureCLI leaves the Azure CLI out of the chain (servers).
	ExcludeAzureCLI bool
}

// Chain tries credentials in order until one returns a token, then keeps
// using that one (later failures are returned as they are, not retried on
// the others, so a process does not silently switch identities). Build it
// with [NewChainFromEnvironment]. A Chain does not cache; use it through
// [NewBearerAuthorizer] or [NewCachingSource].
type Chain struct {
	entries  []chainEntry
	log      *slog.Logger
	selected atomic.Pointer[chainEntry]
	turn     chan struct{} // one discovery at a time; a channel so waiting honours ctx
}

type chainEntry struct {
	name string
	src  TokenSource // nil when err says why it cannot be used
	err  error
}

// ChainAttempt is one credential's outcome in a [ChainError].
type ChainAttempt struct {
	// Credential names the credential kind.
	Credential string
	// Skipped is true when the credential is not set up here (its error
	// matches ErrCredentialUnavailable), false when it was tried and
	// failed.
	Skipped bool
	// Err says why.
	Err error
}

// ChainError is returned when no credential of a chain produced a token.
// It lists every credential and why it was skipped or failed.
type ChainError struct {
	Attempts []ChainAttempt
}

// Error lists each credential on its own line.
func (e *ChainError) Error() string {
	var b strings.Builder
	b.WriteString("aadtoken: no credential could get a token:")
	for _, a := range e.Attempts {
		verb := "failed"
		if a.Skipped {
			verb = "skipped"
		}
		fmt.Fprintf(&b, "\n  - %s: %s: %s", a.Credential, verb, attemptReason(a))
	}
	b.WriteString("\nset the environment variables of one credential (see the README's Authentication section), or run on Azure with a managed identity")
	return b.String()
}

// Unwrap exposes each attempt's error to errors.Is and errors.As.
func (e *ChainError) Unwrap() []error {
	out := make([]error, 0, len(e.Attempts))
	for _, a := range e.Attempts {
		out = append(out, a.Err)
	}
	return out
}

func attemptReason(a ChainAttempt) string {
	var ue *unavailableError
	if errors.As(a.Err, &ue) {
		return ue.reason
	}
	msg := a.Err.Error()
	msg = strings.TrimPrefix(msg, "aadtoken: ")
	return strings.TrimPrefix(msg, a.Credential+": ")
}

// Credential names used in chain errors and logs.
const (
	chainManagedIdentity = "managed identity"
)

// NewChainFromEnvironment builds the credential chain, in this order:
// client secret (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET),
// client certificate (AZURE_CLIENT_CERTIFICATE_PATH), workload identity
// (AZURE_FEDERATED_TOKEN_FILE), managed identity (IDENTITY_ENDPOINT and
// IDENTITY_HEADER, else IMDS; user-assigned by opts.ClientID, else
// AZURE_CLIENT_ID, else system-assigned) and the Azure CLI. Nothing is
// contacted until Token is called. Credentials that are set up wrongly
// (for example an unreadable certificate file) are reported by Token in the
// chain's error, so the error always covers every credential.
func NewChainFromEnvironment(opts *ChainOptions) (*Chain, error) {
	var o ChainOptions
	if opts != nil {
		o = *opts
	}
	if _, err := scopeOrDefault(o.Scope); err != nil {
		return nil, fmt.Errorf("aadtoken: chain: %w", err)
	}
	if o.ClientID != "" {
		if err := checkClientID(o.ClientID); err != nil {
			return nil, fmt.Errorf("aadtoken: chain: azure_client_id: %w", err)
		}
	}
	env := newEnvReader(o.LookupEnv)
	co := CredentialOptions{Scope: o.Scope, HTTPClient: o.HTTPClient, Logger: o.Logger, LookupEnv: o.LookupEnv}
	c := &Chain{log: loggerOrDiscard(o.Logger), turn: make(chan struct{}, 1)}

	add := func(name string, src TokenSource, err error) {
		if err != nil {
			c.entries = append(c.entries, chainEntry{name: name, err: err})
			return
		}
		c.entries = append(c.entries, chainEntry{name: name, src: src})
	}
	cs, err := NewClientSecretCredentialFromEnvironment(&co)
	add(credClientSecret, cs, err)
	cc, err := NewClientCertificateCredentialFromEnvironment(&ClientCertificateOptions{CredentialOptions: co})
	add(credClientCertificate, cc, err)
	wi, err := NewWorkloadIdentityCredentialFromEnvironment(o.ClientID, &co)
	add(credWorkloadIdentity, wi, err)

	miID := o.ClientID
	if miID == "" {
		miID = env.get(EnvClientID)
	}
	probe := o.IMDSProbeTimeout
	if probe == 0 {
		probe = time.Second
	}
	mi, err := NewManagedIdentityCredentialFromEnvironment(&ManagedIdentityOptions{
		ClientID:     miID,
		Scope:        o.Scope,
		IMDSEndpoint: o.IMDSEndpoint,
		Retry:        o.ManagedIdentityRetry,
		ProbeTimeout: max(probe, 0),
		HTTPClient:   o.HTTPClient,
		Logger:       o.Logger,
		LookupEnv:    o.LookupEnv,
	})
	add(chainManagedIdentity, mi, err)

	if !o.ExcludeAzureCLI {
		cli, err := NewAzureCLICredential(&AzureCLIOptions{
			TenantID: env.get(EnvTenantID),
			Scope:    o.Scope,
			Path:     o.AzureCLIPath,
			Timeout:  o.AzureCLITimeout,
			Logger:   o.Logger,
		})
		add(credAzureCLI, cli, err)
	}
	return c, nil
}

// Token returns a token from the credential that worked before, or tries
// each in order.
func (c *Chain) Token(ctx context.Context) (Token, error) {
	if c == nil {
		return Token{}, errors.New("aadtoken: nil Chain")
	}
	if e := c.selected.Load(); e != nil {
		return e.src.Token(ctx)
	}
	select {
	case c.turn <- struct{}{}:
	case <-ctx.Done():
		return Token{}, fmt.Errorf("aadtoken: chain: %w", ctx.Err())
	}
	defer func() { <-c.turn }()
	if e := c.selected.Load(); e != nil { // another caller found it meanwhile
		return e.src.Token(ctx)
	}
	var attempts []ChainAttempt
	for i := range c.entries {
		e := &c.entries[i]
		err := e.err
		if err == nil {
			var tok Token
			tok, err = e.src.Token(ctx)
			if err == nil {
				c.selected.Store(e)
				c.log.Debug("aadtoken: chain selected a credential", "credential", e.name, "source", describeSource(e.src))
				return tok, nil
			}
			if ctx.Err() != nil {
				return Token{}, err
			}
		}
		skipped := errors.Is(err, ErrCredentialUnavailable)
		if skipped {
			c.log.Debug("aadtoken: chain credential skipped", "credential", e.name, "reason", err.Error())
		} else {
			// Set up but failing: worth a warning, since the chain may now
			// settle on another identity than the one configured.
			c.log.Warn("aadtoken: chain credential failed; trying the next", "credential", e.name, "error", err.Error())
		}
		attempts = append(attempts, ChainAttempt{Credential: e.name, Skipped: skipped, Err: err})
	}
	return Token{}, &ChainError{Attempts: attempts}
}

// Selected names the credential in use, or "" before one has worked.
func (c *Chain) Selected() string {
	if e := c.selected.Load(); e != nil {
		return e.name
	}
	return ""
}

// String lists the chain's credentials without secrets.
func (c *Chain) String() string {
	if c == nil {
		return "aadtoken.Chain(nil)"
	}
	parts := make([]string, 0, len(c.entries))
	for _, e := range c.entries {
		if e.src != nil {
			parts = append(parts, describeSource(e.src))
		} else {
			parts = append(parts, e.name+" (unavailable)")
		}
	}
	s := "aadtoken.Chain{" + strings.Join(parts, ", ")
	if sel := c.Selected(); sel != "" {
		s += "; selected: " + sel
	}
	return s + "}"
}

// GoString is String.
func (c *Chain) GoString() string { return c.String() }

// Format prints the redacted String for every verb.
func (c *Chain) Format(f fmt.State, verb rune) { writeRedacted(f, verb, c.String()) }

// LogValue keeps secrets out of slog output.
func (c *Chain) LogValue() slog.Value { return slog.StringValue(c.String()) }
