package aadtoken

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
)

const credWorkloadIdentity = "workload identity"

// maxFederatedTokenBytes bounds the federated token file; projected
// service account tokens are around 1 KiB.
const maxFederatedTokenBytes = 64 << 10

// WorkloadIdentityCredential exchanges a federated token (for example the
// Kubernetes service account token that AKS workload identity projects into
// the pod) for an Entra ID access token. The file is re-read on every
// request because the platform rotates it.
type WorkloadIdentityCredential struct {
	ep   *tokenEndpoint
	file string
}

// NewWorkloadIdentityCredential returns a credential for the identity
// clientID in tenantID whose federated credential trusts the token stored
// in tokenFile. opts may be nil.
func NewWorkloadIdentityCredential(tenantID, clientID, tokenFile string, opts *CredentialOptions) (*WorkloadIdentityCredential, error) {
	if tokenFile == "" {
		return nil, fmt.Errorf("aadtoken: %s: the federated token file path is empty: set %s", credWorkloadIdentity, EnvFederatedTokenFile)
	}
	ep, err := newTokenEndpoint(credWorkloadIdentity, tenantID, clientID, opts.orZero())
	if err != nil {
		return nil, err
	}
	return &WorkloadIdentityCredential{ep: ep, file: tokenFile}, nil
}

// NewWorkloadIdentityCredentialFromEnvironment reads
// AZURE_FEDERATED_TOKEN_FILE, AZURE_TENANT_ID, AZURE_CLIENT_ID and
// AZURE_AUTHORITY_HOST (all set by the AKS workload identity webhook).
// clientID, when not empty, replaces AZURE_CLIENT_ID: it selects another
// identity federated with the same token (the azure_client_id of an
// azblob:// URL). The error matches [ErrCredentialUnavailable] when a
// variable is missing.
func NewWorkloadIdentityCredentialFromEnvironment(clientID string, opts *CredentialOptions) (*WorkloadIdentityCredential, error) {
	o := opts.orZero()
	env := newEnvReader(o.LookupEnv)
	need := []string{EnvFederatedTokenFile, EnvTenantID}
	if clientID == "" {
		need = append(need, EnvClientID)
		clientID = env.get(EnvClientID)
	}
	if m := env.missing(need...); len(m) > 0 {
		return nil, unavailable(credWorkloadIdentity, "%s not set", strings.Join(m, ", "))
	}
	if o.AuthorityHost == "" {
		o.AuthorityHost = env.get(EnvAuthorityHost)
	}
	return NewWorkloadIdentityCredential(env.get(EnvTenantID), clientID, env.get(EnvFederatedTokenFile), &o)
}

// Token reads the federated token file and exchanges its content.
func (c *WorkloadIdentityCredential) Token(ctx context.Context) (Token, error) {
	if c == nil || c.ep == nil {
		return Token{}, errors.New("aadtoken: nil WorkloadIdentityCredential")
	}
	assertion, err := readFederatedToken(c.file)
	if err != nil {
		return Token{}, fmt.Errorf("aadtoken: %s: %w", credWorkloadIdentity, err)
	}
	return c.ep.request(ctx, url.Values{
		"client_assertion_type": {clientAssertionType},
		"client_assertion":      {assertion},
	}, assertion)
}

func readFederatedToken(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("reading the federated token file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFederatedTokenBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading the federated token file %s: %w", path, err)
	}
	if len(b) > maxFederatedTokenBytes {
		return "", fmt.Errorf("the federated token file %s is larger than %d bytes; it should hold one JWT", path, maxFederatedTokenBytes)
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", fmt.Errorf("the federated token file %s is empty; is the service account token projected into the pod?", path)
	}
	if err := checkTokenChars("federated token", string(b)); err != nil {
		return "", fmt.Errorf("the federated token file %s is not usable: %w", path, err)
	}
	return string(b), nil
}

// String names the credential; the token file's content is never printed.
func (c *WorkloadIdentityCredential) String() string {
	if c == nil || c.ep == nil {
		return "aadtoken.WorkloadIdentityCredential(nil)"
	}
	return fmt.Sprintf("aadtoken.WorkloadIdentityCredential{tenant: %s, client_id: %s, endpoint: %s, token_file: %s}",
		c.ep.tenantID, c.ep.clientID, c.ep.tokenURL, c.file)
}

// GoString is String.
func (c *WorkloadIdentityCredential) GoString() string { return c.String() }

// Format prints String for every verb.
func (c *WorkloadIdentityCredential) Format(f fmt.State, verb rune) {
	writeRedacted(f, verb, c.String())
}

// LogValue is String.
func (c *WorkloadIdentityCredential) LogValue() slog.Value { return slog.StringValue(c.String()) }
