package sharedkey

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
)

// The Azurite emulator's well-known account, which UseDevelopmentStorage=true
// selects. The key is public (documented by Microsoft); it is not a secret.
const (
	EmulatorAccountName  = "devstoreaccount1"
	EmulatorAccountKey   = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
	EmulatorBlobEndpoint = "http://127.0.0.1:10000/" + EmulatorAccountName
)

// ConnectionString is a parsed Azure storage connection string. After
// ParseConnectionString, BlobEndpoint is always set (given, or built from
// DefaultEndpointsProtocol, AccountName and EndpointSuffix) and exactly one
// of AccountKey and SharedAccessSignature is set. String, GoString and every
// fmt verb hide AccountKey and SharedAccessSignature.
type ConnectionString struct {
	AccountName string
	AccountKey  string // base64; secret
	// BlobEndpoint is the account's blob endpoint URL without a trailing
	// slash, e.g. https://myaccount.blob.core.windows.net or
	// http://127.0.0.1:10000/devstoreaccount1.
	BlobEndpoint string
	// SharedAccessSignature is the SAS query string without a leading '?';
	// secret.
	SharedAccessSignature    string
	DefaultEndpointsProtocol string // "https" (default) or "http"
	EndpointSuffix           string // default "core.windows.net"
	UseDevelopmentStorage    bool
}

// connection string keys, in their documented spelling.
const (
	keyProtocol       = "DefaultEndpointsProtocol"
	keyAccountName    = "AccountName"
	keyAccountKey     = "AccountKey"
	keyBlobEndpoint   = "BlobEndpoint"
	keyEndpointSuffix = "EndpointSuffix"
	keySAS            = "SharedAccessSignature"
	keyDevStorage     = "UseDevelopmentStorage"
	keyDevProxy       = "DevelopmentStorageProxyUri"
)

var knownKeys = []string{keyProtocol, keyAccountName, keyAccountKey, keyBlobEndpoint, keyEndpointSuffix, keySAS, keyDevStorage}

// ignoredKeys are Azure connection string keys for other storage services.
// The standard Azurite and portal connection strings carry them; a blob
// client has no use for them.
var ignoredKeys = []string{"QueueEndpoint", "TableEndpoint", "FileEndpoint"}

// ParseConnectionString parses "Key=Value;Key=Value" as the Azure portal and
// Azurite print it. Keys are matched without regard to letter case (as the
// Azure SDKs do); values may contain '=' (base64 keys, SAS tokens); spaces
// around keys and values and empty parts (a trailing ';') are ignored.
// QueueEndpoint, TableEndpoint and FileEndpoint are accepted and ignored.
//
// Errors name the offending key and never contain AccountKey or
// SharedAccessSignature values: unknown, duplicated or empty keys; a missing
// AccountName, AccountKey/SharedAccessSignature or BlobEndpoint; both a key
// and a SAS; an invalid key, protocol or endpoint; and UseDevelopmentStorage
// combined with anything else (DevelopmentStorageProxyUri is not supported).
func ParseConnectionString(s string) (*ConnectionString, error) {
	cs, err := parseConnectionString(s)
	if err != nil {
		return nil, scrubSecrets(err, s)
	}
	return cs, nil
}

func parseConnectionString(s string) (*ConnectionString, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("sharedkey: connection string is empty")
	}
	settings := map[string]string{}
	for i, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("sharedkey: connection string part %d has no '='; every part must be Key=Value", i+1)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if strings.EqualFold(k, keyDevProxy) {
			return nil, fmt.Errorf("sharedkey: connection string key %s is not supported; point BlobEndpoint at the proxy instead", keyDevProxy)
		}
		name, known := canonicalKey(k)
		if !known {
			return nil, fmt.Errorf("sharedkey: connection string key %s is unknown; known keys are %s", describeKey(k), strings.Join(knownKeys, ", "))
		}
		if _, dup := settings[name]; dup {
			return nil, fmt.Errorf("sharedkey: connection string key %s appears more than once", name)
		}
		if v == "" {
			return nil, fmt.Errorf("sharedkey: connection string key %s has an empty value", name)
		}
		settings[name] = v
	}
	for _, k := range ignoredKeys {
		delete(settings, k)
	}
	if len(settings) == 0 {
		return nil, errors.New("sharedkey: connection string has no settings")
	}
	if _, ok := settings[keyDevStorage]; ok {
		return devStorage(settings)
	}
	return accountSettings(settings)
}

func devStorage(settings map[string]string) (*ConnectionString, error) {
	if !strings.EqualFold(settings[keyDevStorage], "true") {
		return nil, fmt.Errorf("sharedkey: connection string key %s must be true (or left out)", keyDevStorage)
	}
	for k := range settings {
		if k != keyDevStorage {
			return nil, fmt.Errorf("sharedkey: connection string key %s cannot be combined with %s=true; use an explicit AccountName, AccountKey and BlobEndpoint instead", k, keyDevStorage)
		}
	}
	return &ConnectionString{
		AccountName:              EmulatorAccountName,
		AccountKey:               EmulatorAccountKey,
		BlobEndpoint:             EmulatorBlobEndpoint,
		DefaultEndpointsProtocol: "http",
		UseDevelopmentStorage:    true,
	}, nil
}

func accountSettings(settings map[string]string) (*ConnectionString, error) {
	cs := &ConnectionString{
		AccountName:              settings[keyAccountName],
		AccountKey:               settings[keyAccountKey],
		SharedAccessSignature:    strings.TrimPrefix(settings[keySAS], "?"),
		DefaultEndpointsProtocol: "https",
		EndpointSuffix:           "core.windows.net",
	}
	if p, ok := settings[keyProtocol]; ok {
		if !strings.EqualFold(p, "https") && !strings.EqualFold(p, "http") {
			return nil, fmt.Errorf("sharedkey: connection string key %s must be https or http", keyProtocol)
		}
		cs.DefaultEndpointsProtocol = strings.ToLower(p)
	}
	if sfx, ok := settings[keyEndpointSuffix]; ok {
		if strings.ContainsAny(sfx, "/:?#@ \t") || strings.HasPrefix(sfx, ".") {
			return nil, fmt.Errorf("sharedkey: connection string key %s must be a DNS suffix such as core.windows.net", keyEndpointSuffix)
		}
		cs.EndpointSuffix = sfx
	}
	if cs.AccountName != "" {
		if err := checkAccountName(cs.AccountName); err != nil {
			return nil, fmt.Errorf("sharedkey: connection string key %s: %w", keyAccountName, err)
		}
	}
	switch {
	case cs.AccountKey != "" && cs.SharedAccessSignature != "":
		return nil, fmt.Errorf("sharedkey: connection string sets both %s and %s; keep one", keyAccountKey, keySAS)
	case cs.AccountKey != "":
		if cs.AccountName == "" {
			return nil, fmt.Errorf("sharedkey: connection string has %s but no %s", keyAccountKey, keyAccountName)
		}
		if _, err := decodeAccountKey(cs.AccountKey); err != nil {
			return nil, fmt.Errorf("sharedkey: connection string key %s: %w", keyAccountKey, err)
		}
	case cs.SharedAccessSignature != "":
		if !hasQueryParam(cs.SharedAccessSignature, "sig") {
			return nil, fmt.Errorf("sharedkey: connection string key %s has no sig parameter; paste the whole SAS token", keySAS)
		}
	default:
		return nil, fmt.Errorf("sharedkey: connection string has neither %s nor %s", keyAccountKey, keySAS)
	}
	if ep, ok := settings[keyBlobEndpoint]; ok {
		u, err := url.Parse(ep)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
			return nil, fmt.Errorf("sharedkey: connection string key %s must be an http or https URL without query, fragment or user info", keyBlobEndpoint)
		}
		cs.BlobEndpoint = strings.TrimRight(ep, "/")
	} else {
		if cs.AccountName == "" {
			return nil, fmt.Errorf("sharedkey: connection string needs %s or %s", keyAccountName, keyBlobEndpoint)
		}
		cs.BlobEndpoint = cs.DefaultEndpointsProtocol + "://" + cs.AccountName + ".blob." + cs.EndpointSuffix
	}
	return cs, nil
}

func canonicalKey(k string) (string, bool) {
	for _, list := range [][]string{knownKeys, ignoredKeys} {
		for _, name := range list {
			if strings.EqualFold(k, name) {
				return name, true
			}
		}
	}
	return "", false
}

// describeKey quotes an unknown key when it looks like a setting name, and
// otherwise declines to print it: a key pasted without "AccountKey=" splits
// at its '=' padding into a "key" that is most of the secret.
func describeKey(k string) string {
	if k == "" {
		return "(empty)"
	}
	if len(k) > 40 {
		return "(not shown: it does not look like a setting name)"
	}
	for i := 0; i < len(k); i++ {
		if c := k[i] | 0x20; c < 'a' || c > 'z' {
			return "(not shown: it does not look like a setting name)"
		}
	}
	return fmt.Sprintf("%q", k)
}

func hasQueryParam(q, name string) bool {
	for rest := q; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "&")
		if k, _, _ := strings.Cut(seg, "="); k == name {
			return true
		}
	}
	return false
}

// minScrubbed is the shortest secret value scrubSecrets hides; shorter
// strings are not plausible keys and would garble the message.
const minScrubbed = 6

// scrubSecrets is a second line of defence: whatever the message says, no
// AccountKey or SharedAccessSignature value from s survives in it. Values of
// unknown keys and unlabelled parts count as secrets too (a pasted key).
func scrubSecrets(err error, s string) error {
	var secrets []string
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			v = part
		} else if name, _ := canonicalKey(strings.TrimSpace(k)); name != keyAccountKey && name != keySAS && name != "" {
			continue
		}
		for _, secret := range []string{v, strings.TrimSpace(v), strings.TrimPrefix(strings.TrimSpace(v), "?")} {
			if len(secret) >= minScrubbed {
				secrets = append(secrets, secret)
			}
		}
	}
	// "***" is shorter than any scrubbed secret, so every replacement
	// shrinks the message and the loop ends; repeating catches a secret
	// that an earlier replacement brought together.
	msg := err.Error()
	for changed := true; changed; {
		changed = false
		for _, secret := range secrets {
			if strings.Contains(msg, secret) {
				msg = strings.ReplaceAll(msg, secret, "***")
				changed = true
			}
		}
	}
	return errors.New(msg)
}

// Credential returns a Credential for AccountName and AccountKey, or an error
// when the connection string carries a SAS instead of a key.
func (cs *ConnectionString) Credential() (*Credential, error) {
	if cs == nil || cs.AccountKey == "" {
		return nil, fmt.Errorf("sharedkey: connection string has no %s; it authorizes with a SAS, which is appended to request URLs instead", keyAccountKey)
	}
	return NewCredential(cs.AccountName, cs.AccountKey)
}

// String describes the connection string with AccountKey and
// SharedAccessSignature redacted.
func (cs ConnectionString) String() string {
	redact := func(s string) string {
		if s == "" {
			return ""
		}
		return "[REDACTED]"
	}
	return fmt.Sprintf("sharedkey.ConnectionString{AccountName: %s, AccountKey: %s, BlobEndpoint: %s, SharedAccessSignature: %s, DefaultEndpointsProtocol: %s, EndpointSuffix: %s, UseDevelopmentStorage: %t}",
		cs.AccountName, redact(cs.AccountKey), cs.BlobEndpoint, redact(cs.SharedAccessSignature), cs.DefaultEndpointsProtocol, cs.EndpointSuffix, cs.UseDevelopmentStorage)
}

// GoString is String: %#v must not print the secrets either.
func (cs ConnectionString) GoString() string { return cs.String() }

// Format prints String for every fmt verb.
func (cs ConnectionString) Format(f fmt.State, _ rune) { io.WriteString(f, cs.String()) }

// LogValue keeps AccountKey and SharedAccessSignature out of structured
// logs: slog's JSON handler would otherwise print the exported fields.
func (cs ConnectionString) LogValue() slog.Value { return slog.StringValue(cs.String()) }
