package aadtoken

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
)

// Environment variables read by the FromEnvironment constructors and by
// [NewChainFromEnvironment]. They are the names the Azure SDKs use, so an
// existing deployment's settings carry over.
const (
	EnvTenantID                 = "AZURE_TENANT_ID"
	EnvClientID                 = "AZURE_CLIENT_ID"
	EnvClientSecret             = "AZURE_CLIENT_SECRET"
	EnvClientCertificatePath    = "AZURE_CLIENT_CERTIFICATE_PATH"
	EnvClientCertificatePass    = "AZURE_CLIENT_CERTIFICATE_PASSWORD"
	EnvClientSendCertChain      = "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN"
	EnvFederatedTokenFile       = "AZURE_FEDERATED_TOKEN_FILE"
	EnvAuthorityHost            = "AZURE_AUTHORITY_HOST"
	EnvIdentityEndpoint         = "IDENTITY_ENDPOINT"
	EnvIdentityHeader           = "IDENTITY_HEADER"
	EnvPodIdentityAuthorityHost = "AZURE_POD_IDENTITY_AUTHORITY_HOST"
)

// DefaultAuthorityHost is the Entra ID authority of the Azure public cloud.
// Others: https://login.microsoftonline.us/ (US Government),
// https://login.chinacloudapi.cn/ (China).
const DefaultAuthorityHost = "https://login.microsoftonline.com/"

// CredentialOptions configure the credentials that call the Entra ID v2.0
// token endpoint (client secret, client certificate, workload identity).
// The zero value is usable.
type CredentialOptions struct {
	// AuthorityHost is the Entra ID authority, https only. "" means
	// AZURE_AUTHORITY_HOST for the FromEnvironment constructors, else
	// DefaultAuthorityHost.
	AuthorityHost string
	// Scope is the scope requested; "" means StorageScope.
	Scope string
	// HTTPClient sends the token requests. It is copied and set to never
	// follow redirects. nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Logger receives Debug records about token requests; never secrets.
	// nil discards.
	Logger *slog.Logger
	// LookupEnv reads environment variables for the FromEnvironment
	// constructors; nil means os.LookupEnv. Tests and embedders inject
	// their own.
	LookupEnv func(string) (string, bool)
}

func (o *CredentialOptions) orZero() CredentialOptions {
	if o == nil {
		return CredentialOptions{}
	}
	return *o
}

// envReader looks variables up, treating empty values as unset (as the
// Azure SDKs do).
type envReader func(string) (string, bool)

func newEnvReader(f func(string) (string, bool)) envReader {
	if f == nil {
		f = os.LookupEnv
	}
	return envReader(f)
}

func (e envReader) get(name string) string {
	v, ok := e(name)
	if !ok {
		return ""
	}
	return strings.TrimSpace(v)
}

// missing returns the names among names that are unset.
func (e envReader) missing(names ...string) []string {
	var out []string
	for _, n := range names {
		if e.get(n) == "" {
			out = append(out, n)
		}
	}
	return out
}

func checkTenant(tenant string) error {
	if tenant == "" {
		return fmt.Errorf("the tenant id is empty: set %s to the directory (tenant) id of the app registration", EnvTenantID)
	}
	if !isTenantID(tenant) {
		return fmt.Errorf("the tenant id %q is not a GUID or domain name (letters, digits, '.', '-')", truncateForMessage(tenant))
	}
	return nil
}

func checkClientID(id string) error {
	if id == "" {
		return fmt.Errorf("the client id is empty: set %s to the application (client) id", EnvClientID)
	}
	if !isClientID(id) {
		return fmt.Errorf("the client id %q is not a GUID (letters, digits, '.', '_', '-')", truncateForMessage(id))
	}
	return nil
}

func scopeOrDefault(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return StorageScope, nil
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return "", fmt.Errorf("the scope %q must be a single scope such as %s", truncateForMessage(s), StorageScope)
	}
	return s, nil
}

// resourceFromScope turns a v2.0 scope into the v1 "resource" that
// managed identity endpoints and the Azure CLI expect.
func resourceFromScope(scope string) string {
	return strings.TrimSuffix(scope, "/.default")
}

// authorityTokenURL builds {authority}{tenant}/oauth2/v2.0/token.
func authorityTokenURL(authority, tenant string) (string, error) {
	if authority == "" {
		authority = DefaultAuthorityHost
	}
	u, err := parseHTTPSURL("the authority host", authority)
	if err != nil {
		return "", err
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("the authority host %q must not have a query or fragment", authority)
	}
	base := u.Scheme + "://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/") + "/"
	return base + tenant + "/oauth2/v2.0/token", nil
}
