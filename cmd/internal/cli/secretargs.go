package cli

import (
	"fmt"
	"net/url"
	"strings"
)

// secretFlagHints maps the flag names people reach for when they want to
// hand a secret to a tool to where that secret must come from instead. A
// value on the command line is visible to every local user in `ps` and ends
// up in shell history, so none of these is ever a flag.
var secretFlagHints = map[string]string{
	"account-key":                 "set AZURE_STORAGE_KEY or use -account-key-file FILE",
	"key":                         "set AZURE_STORAGE_KEY or use -account-key-file FILE",
	"storage-key":                 "set AZURE_STORAGE_KEY or use -account-key-file FILE",
	"shared-key":                  "set AZURE_STORAGE_KEY or use -account-key-file FILE",
	"connection-string":           "set AZURE_STORAGE_CONNECTION_STRING or use -connection-string-file FILE",
	"conn-str":                    "set AZURE_STORAGE_CONNECTION_STRING or use -connection-string-file FILE",
	"sas":                         "put the SAS in a connection string (AZURE_STORAGE_CONNECTION_STRING or -connection-string-file FILE)",
	"sas-token":                   "put the SAS in a connection string (AZURE_STORAGE_CONNECTION_STRING or -connection-string-file FILE)",
	"sig":                         "put the SAS in a connection string (AZURE_STORAGE_CONNECTION_STRING or -connection-string-file FILE)",
	"token":                       "let `azblobmin token` show where tokens come from; set the Entra environment variables (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, ...)",
	"access-token":                "set the Entra environment variables (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, ...)",
	"bearer-token":                "set the Entra environment variables (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, ...)",
	"client-secret":               "set AZURE_CLIENT_SECRET (with AZURE_TENANT_ID and AZURE_CLIENT_ID)",
	"secret":                      "set AZURE_CLIENT_SECRET, AZURE_STORAGE_KEY or use a -...-file flag",
	"password":                    "set AZURE_CLIENT_CERTIFICATE_PASSWORD",
	"client-certificate-password": "set AZURE_CLIENT_CERTIFICATE_PASSWORD",
}

// CheckNoSecretFlags looks at the raw arguments of a command, before the
// flag package sees them, and refuses any flag that would carry a secret.
// It returns an error naming the flag (never its value) and saying where the
// secret belongs. Arguments after "--" are positional and not examined.
func CheckNoSecretFlags(args []string) error {
	for _, a := range args {
		if a == "--" {
			return nil
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name := strings.TrimLeft(a, "-")
		name, _, _ = strings.Cut(name, "=")
		norm := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
		if hint, ok := secretFlagHints[norm]; ok {
			return fmt.Errorf("flag -%s is not accepted: a secret given as a flag is visible to every user in `ps` and stays in shell history; %s", name, hint)
		}
	}
	return nil
}

// CheckURLHasNoSecret refuses a URL that carries a SAS signature or user
// information, for the same reason as CheckNoSecretFlags. The error never
// repeats the URL.
func CheckURLHasNoSecret(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(strings.ToLower(raw), "sig=") || strings.Contains(strings.ToLower(raw), "accountkey=") {
			return fmt.Errorf("the URL looks like it holds a secret; give credentials through the environment or a file, never in -url")
		}
		return fmt.Errorf("the URL cannot be parsed (%s); expected something like azblob://ACCOUNT.blob.core.windows.net", describeURLError(err))
	}
	if u.User != nil {
		return fmt.Errorf("the URL holds user information (user:password@); give credentials through the environment or a file, never in -url")
	}
	for k := range u.Query() {
		if strings.EqualFold(k, "sig") {
			return fmt.Errorf("the URL holds a SAS signature (sig=); a URL on the command line is visible in `ps`: put the SAS in a connection string (AZURE_STORAGE_CONNECTION_STRING or -connection-string-file FILE)")
		}
	}
	if strings.Contains(strings.ToLower(u.Fragment), "accountkey") || strings.Contains(strings.ToLower(u.Fragment), "sig=") {
		return fmt.Errorf("the URL fragment looks like it holds a secret; give credentials through the environment or a file, never in -url")
	}
	return nil
}

// describeURLError returns the reason of a url.Parse error without the URL
// itself, which may hold a secret.
func describeURLError(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return "malformed URL"
}
