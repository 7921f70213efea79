package uploader

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/sharedkey"
)

// Environment variables read when Config.Authorizer is nil.
const (
	envConnectionString = "AZURE_STORAGE_CONNECTION_STRING"
	envAccountKey       = "AZURE_STORAGE_KEY"
	envAccountName      = "AZURE_STORAGE_ACCOUNT"
)

// resolveAuthorizer picks the credential for cfg (already defaulted):
// the explicit Authorizer, else SharedKey from the environment, else the
// Entra chain. account is the endpoint's account name.
func resolveAuthorizer(cfg *Config, account string) (restapi.Authorizer, error) {
	if cfg.Authorizer != nil {
		return cfg.Authorizer, nil
	}
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if cs := getenv(envConnectionString); cs != "" {
		parsed, err := sharedkey.ParseConnectionString(cs)
		if err != nil {
			// The parser's errors never quote the key or SAS.
			return nil, fmt.Errorf("%s: %w", envConnectionString, err)
		}
		if parsed.AccountKey == "" {
			if parsed.SharedAccessSignature != "" {
				return nil, invalidf("%s carries a SAS token, which the uploader cannot use: completion signs a read SAS per part, which needs the account key (AccountKey=…) or an Entra identity; unset %s to use Entra", envConnectionString, envConnectionString)
			}
			return nil, invalidf("%s has no AccountKey: give AccountName=…;AccountKey=…, or unset it to use Entra", envConnectionString)
		}
		if !strings.EqualFold(parsed.AccountName, account) {
			return nil, invalidf("%s is for account %q but the session storage URL names account %q: use the key of %q", envConnectionString, parsed.AccountName, account, account)
		}
		return sharedkey.NewCredential(account, parsed.AccountKey)
	}
	if key := getenv(envAccountKey); key != "" {
		if name := getenv(envAccountName); name != "" && !strings.EqualFold(name, account) {
			return nil, invalidf("%s is %q but the session storage URL names account %q: they must match", envAccountName, name, account)
		}
		cred, err := sharedkey.NewCredential(account, key)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", envAccountKey, err)
		}
		return cred, nil
	}
	if strings.HasPrefix(cfg.Endpoint, "http://") {
		return nil, invalidf("endpoint %s is plain http and no account key is set: Entra tokens are only sent over https; set %s (or %s), or use https", cfg.Endpoint, envAccountKey, envConnectionString)
	}
	chain, err := aadtoken.NewChainFromEnvironment(&aadtoken.ChainOptions{
		ClientID:   cfg.ClientID,
		Scope:      aadtoken.StorageScope,
		HTTPClient: cfg.HTTPClient,
		Logger:     cfg.Logger,
		// The Entra variables come from the same place as the storage ones,
		// so Config.Getenv governs every credential.
		LookupEnv: func(k string) (string, bool) { v := getenv(k); return v, v != "" },
	})
	if err != nil {
		return nil, fmt.Errorf("no storage credential: neither %s nor %s is set, and the Entra environment gives none: %w", envAccountKey, envConnectionString, err)
	}
	return aadtoken.NewBearerAuthorizer(chain), nil
}

// newSourceSigner picks how CompleteUpload authorizes Put Block From URL
// sources: an account-key service SAS when the handler signs with SharedKey,
// otherwise a user-delegation SAS (which needs an Entra identity).
func newSourceSigner(auth restapi.Authorizer, client *restapi.Client, cfg *Config) sourceSigner {
	if cred, ok := auth.(*sharedkey.Credential); ok {
		return &accountKeySigner{cred: cred, client: client, lifetime: cfg.SASLifetime, protocol: sasProtocol(cfg.Endpoint)}
	}
	return &delegationSigner{client: client, lifetime: cfg.SASLifetime, protocol: sasProtocol(cfg.Endpoint), account: client.AccountName(), now: time.Now}
}

// sasProtocol is "https" for https endpoints, so that a leaked SAS is
// useless over plain http, and "https,http" for emulators on http.
func sasProtocol(endpoint string) string {
	if strings.HasPrefix(endpoint, "https://") {
		return "https"
	}
	return "https,http"
}

// accountKeySigner makes service SAS tokens with the account key.
type accountKeySigner struct {
	cred     *sharedkey.Credential
	client   *restapi.Client
	lifetime time.Duration
	protocol string
}

func (s *accountKeySigner) sourceURL(_ context.Context, container, blob string) (string, error) {
	v := readSASValues(s.protocol, container, blob, time.Now().UTC(), s.lifetime)
	q, err := v.SignWithSharedKey(s.cred)
	if err != nil {
		return "", fmt.Errorf("sign read SAS for %s/%s: %w", container, blob, err)
	}
	return s.client.BlobURL(container, blob) + "?" + q, nil
}

// readSASValues are the values of every source SAS CompleteUpload signs,
// under either key: read-only, one blob, valid from a little in the past
// (clock skew between us and the service) for lifetime.
func readSASValues(protocol, container, blob string, now time.Time, lifetime time.Duration) sharedkey.BlobSASValues {
	return sharedkey.BlobSASValues{
		Version:       restapi.DefaultServiceVersion,
		Protocol:      protocol,
		StartTime:     now.Add(-sasClockSkew),
		ExpiryTime:    now.Add(lifetime),
		Permissions:   "r",
		ContainerName: container,
		BlobName:      blob,
		Resource:      "b",
	}
}

// signDelegation signs v with a user-delegation key.
func signDelegation(v sharedkey.BlobSASValues, account string, k *restapi.UserDelegationKey) (string, error) {
	return v.SignWithUserDelegationKey(account, sharedkey.UserDelegationKey(*k))
}
