package uploader

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/azblobmin/azblobmin/restapi"
)

// Defaults applied by CheckAndSetDefaults.
const (
	DefaultSessionContainer    = "session"
	DefaultInprogressContainer = "inprogress"
	// DefaultCompleteConcurrency is the number of parallel Put Block From
	// URL calls during CompleteUpload (chosen by BenchmarkCompleteUpload;
	// Teleport's own handler uses 5).
	DefaultCompleteConcurrency = 32
	DefaultBlockSize           = 8 << 20
	DefaultUploadConcurrency   = 4
	DefaultSASLifetime         = 15 * time.Minute

	// MaxBlockSize is the largest block Put Block accepts (4000 MiB).
	MaxBlockSize = 4000 << 20
	// maxConcurrency bounds both concurrency settings: beyond it a single
	// handler only queues in the HTTP client.
	maxConcurrency = 1024
)

// Config configures a Handler. Build it with SetFromURL (or by hand), then
// NewHandler calls CheckAndSetDefaults.
type Config struct {
	// Endpoint is the account endpoint: https://acct.blob.core.windows.net,
	// or path-style http://127.0.0.1:10000/devstoreaccount1 for emulators.
	Endpoint string
	// SessionContainer holds finished recordings and companion objects
	// (default "session").
	SessionContainer string
	// InprogressContainer holds upload markers and parts (default "inprogress").
	InprogressContainer string
	// ClientID selects a user-assigned managed identity (azure_client_id).
	ClientID string
	// Authorizer, when set, signs every request. When nil, the environment
	// decides: AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_KEY give
	// SharedKey for the endpoint's account, otherwise the Entra chain of
	// aadtoken.NewChainFromEnvironment.
	Authorizer restapi.Authorizer
	// HTTPClient is used for every request (nil: restapi's default, which
	// never follows redirects and keeps 64 idle connections per host). A
	// client of your own should keep at least CompleteConcurrency idle
	// connections per host (http.Transport.MaxIdleConnsPerHost). Open
	// connections are not capped by default (200 recordings uploading at
	// once through one handler opened 378); to bound sockets, set
	// http.Transport.MaxConnsPerHost, and requests wait for a free one.
	HTTPClient *http.Client
	// Logger receives structured logs with URLs redacted; nil discards.
	Logger *slog.Logger
	// Retry bounds restapi's retries of each request.
	Retry restapi.RetryPolicy
	// CompleteConcurrency is the number of parallel Put Block From URL
	// calls in CompleteUpload (default DefaultCompleteConcurrency).
	CompleteConcurrency int
	// BlockSize is the block size staged by Upload and by companion uploads
	// larger than one block (default 8 MiB, at most 4000 MiB).
	BlockSize int64
	// UploadConcurrency is the number of blocks Upload stages at once
	// (default 4). Upload holds at most UploadConcurrency+1 blocks in memory.
	UploadConcurrency int
	// SASLifetime is how long each per-part source SAS stays valid during
	// CompleteUpload (default 15 minutes, at most 7 days).
	SASLifetime time.Duration
	// Immutability optionally locks each recording as it is committed.
	Immutability ImmutabilityConfig
	// Getenv reads the environment; nil means os.Getenv. Tests set it.
	Getenv func(string) string
}

// ImmutabilityConfig sets a version-level immutability policy and/or a
// legal hold on every recording as it is committed. Azure honours it only
// on containers with version-level immutability support enabled.
type ImmutabilityConfig struct {
	// Period, when positive, sets a retention policy until commit time + Period.
	Period time.Duration
	// Locked makes the policy locked (it can then only be extended);
	// otherwise it is unlocked. Requires Period.
	Locked bool
	// LegalHold sets a legal hold on the recording.
	LegalHold bool
}

// SetFromURL fills Endpoint, and the containers and client id when given,
// from a session storage URL:
//
//	azblob://<account>.blob.core.windows.net                     → https
//	azblob-http://127.0.0.1:10000/devstoreaccount1               → http (emulators, path-style)
//	https://… or http://…                                        → as written
//
// with optional fragment parameters session_container, inprogress_container
// and azure_client_id, for example
// azblob://acct.blob.core.windows.net#session_container=rec&azure_client_id=<uuid>.
// A URL carrying user info or a query is refused without echoing it:
// secrets are never read from the URL.
func (c *Config) SetFromURL(u *url.URL) error {
	if u == nil {
		return invalidf("session storage URL is missing")
	}
	var scheme string
	switch strings.ToLower(u.Scheme) {
	case "azblob", "https":
		scheme = "https"
	case "azblob-http", "http":
		scheme = "http"
	default:
		return invalidf("session storage URL scheme %q is not supported: want azblob://<account>.blob.core.windows.net, azblob-http://host:port/<account>, https:// or http://", clip(u.Scheme))
	}
	if u.User != nil {
		return invalidf("session storage URL must not carry user info (it was not echoed here): credentials come from AZURE_STORAGE_KEY, AZURE_STORAGE_CONNECTION_STRING or the Entra environment, never from the URL")
	}
	if u.RawQuery != "" || u.ForceQuery {
		what := "a query"
		if q, err := url.ParseQuery(u.RawQuery); err == nil && q.Has("sig") {
			what = "a SAS token"
		}
		return invalidf("session storage URL must not carry %s (it was not echoed here): credentials are never read from the URL; container names and the client id go in the fragment, e.g. #session_container=session", what)
	}
	if u.Opaque != "" || u.Host == "" {
		return invalidf("session storage URL has no host: want e.g. azblob://<account>.blob.core.windows.net")
	}
	path := strings.Trim(u.Path, "/")
	if strings.Contains(path, "/") {
		return invalidf("session storage URL path %q has more than one segment: the path may only name the account (path-style emulators), e.g. azblob-http://127.0.0.1:10000/devstoreaccount1", clip(u.Path))
	}
	if path != "" {
		if err := checkAccountName(path); err != nil {
			return err
		}
	}
	params, err := url.ParseQuery(u.EscapedFragment())
	if err != nil {
		return invalidf("session storage URL fragment is not in key=value&key=value form: %v", err)
	}
	var unknown []string
	for k, v := range params {
		switch k {
		case "session_container", "inprogress_container", "azure_client_id":
			if len(v) != 1 {
				return invalidf("fragment parameter %s is given %d times: give it once", k, len(v))
			}
		default:
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		for i, k := range unknown {
			unknown[i] = fmt.Sprintf("%q", clip(k))
		}
		return invalidf("unknown fragment parameter(s) %s: allowed are session_container, inprogress_container and azure_client_id", strings.Join(unknown, ", "))
	}
	endpoint := scheme + "://" + u.Host
	if path != "" {
		endpoint += "/" + path
	}
	if v, ok := params["session_container"]; ok {
		if err := checkContainerName("session_container", v[0]); err != nil {
			return err
		}
		c.SessionContainer = v[0]
	}
	if v, ok := params["inprogress_container"]; ok {
		if err := checkContainerName("inprogress_container", v[0]); err != nil {
			return err
		}
		c.InprogressContainer = v[0]
	}
	if v, ok := params["azure_client_id"]; ok {
		if err := checkClientID(v[0]); err != nil {
			return err
		}
		c.ClientID = v[0]
	}
	c.Endpoint = endpoint
	return nil
}

// CheckAndSetDefaults validates c and fills in defaults. NewHandler calls it.
func (c *Config) CheckAndSetDefaults() error {
	if c.Endpoint == "" {
		return invalidf("Config.Endpoint is empty: set it, e.g. with SetFromURL(azblob://<account>.blob.core.windows.net)")
	}
	if _, err := endpointAccount(c.Endpoint); err != nil {
		return err
	}
	if c.SessionContainer == "" {
		c.SessionContainer = DefaultSessionContainer
	}
	if c.InprogressContainer == "" {
		c.InprogressContainer = DefaultInprogressContainer
	}
	if err := checkContainerName("session container", c.SessionContainer); err != nil {
		return err
	}
	if err := checkContainerName("in-progress container", c.InprogressContainer); err != nil {
		return err
	}
	if c.SessionContainer == c.InprogressContainer {
		return invalidf("session and in-progress containers are both %q: they must differ (recordings may be immutable, parts must be deletable)", c.SessionContainer)
	}
	if c.ClientID != "" {
		if err := checkClientID(c.ClientID); err != nil {
			return err
		}
	}
	if c.CompleteConcurrency == 0 {
		c.CompleteConcurrency = DefaultCompleteConcurrency
	}
	if c.CompleteConcurrency < 1 || c.CompleteConcurrency > maxConcurrency {
		return invalidf("CompleteConcurrency %d is out of range: want 1 to %d", c.CompleteConcurrency, maxConcurrency)
	}
	if c.UploadConcurrency == 0 {
		c.UploadConcurrency = DefaultUploadConcurrency
	}
	if c.UploadConcurrency < 1 || c.UploadConcurrency > maxConcurrency {
		return invalidf("UploadConcurrency %d is out of range: want 1 to %d", c.UploadConcurrency, maxConcurrency)
	}
	if c.BlockSize == 0 {
		c.BlockSize = DefaultBlockSize
	}
	if c.BlockSize < 1 || c.BlockSize > MaxBlockSize {
		return invalidf("BlockSize %d is out of range: want 1 byte to %d (4000 MiB)", c.BlockSize, int64(MaxBlockSize))
	}
	if c.SASLifetime == 0 {
		c.SASLifetime = DefaultSASLifetime
	}
	if c.SASLifetime < time.Minute || c.SASLifetime > 7*24*time.Hour {
		return invalidf("SASLifetime %v is out of range: want 1m to 168h", c.SASLifetime)
	}
	im := c.Immutability
	if im.Period < 0 {
		return invalidf("Immutability.Period %v is negative: want 0 (no retention policy) or a positive duration", im.Period)
	}
	if im.Locked && im.Period == 0 {
		return invalidf("Immutability.Locked needs Immutability.Period: a locked policy must say how long it lasts")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// checkContainerName applies Azure's container naming rules: 3–63
// characters of lowercase letters, digits and single hyphens, starting and
// ending with a letter or digit.
func checkContainerName(what, name string) error {
	bad := len(name) < 3 || len(name) > 63 || name[0] == '-' || name[len(name)-1] == '-' || strings.Contains(name, "--")
	for i := 0; i < len(name) && !bad; i++ {
		ch := name[i]
		bad = !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-')
	}
	if bad {
		return invalidf("%s name %q is not a valid container name: want 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit", what, clip(name))
	}
	return nil
}

// checkAccountName applies Azure's storage account naming rules: 3–24
// lowercase letters and digits.
func checkAccountName(name string) error {
	bad := len(name) < 3 || len(name) > 24
	for i := 0; i < len(name) && !bad; i++ {
		ch := name[i]
		bad = !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9')
	}
	if bad {
		return invalidf("storage account name %q is not valid: want 3 to 24 lowercase letters and digits", clip(name))
	}
	return nil
}

// checkClientID requires a UUID, the form of every Entra client id.
func checkClientID(id string) error {
	if !canonicalUUID(strings.ToLower(id)) {
		return invalidf("azure_client_id %q is not a client id: want the managed identity's client id, a UUID like 11111111-2222-3333-4444-555555555555", clip(id))
	}
	return nil
}

// endpointAccount returns the account an endpoint names: the first path
// segment of a path-style endpoint, else the host's first label.
func endpointAccount(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", invalidf("Config.Endpoint is not an account endpoint: want https://<account>.blob.core.windows.net or http(s)://host:port/<account>")
	}
	path := strings.Trim(u.Path, "/")
	if path != "" {
		if strings.Contains(path, "/") {
			return "", invalidf("Config.Endpoint path %q has more than one segment: the path may only name the account", clip(u.Path))
		}
		return path, checkAccountName(path)
	}
	host := u.Hostname()
	label, _, _ := strings.Cut(host, ".")
	if label == host || strings.ContainsAny(host, ":") || isDottedNumeric(host) {
		return "", invalidf("Config.Endpoint host %q does not name an account: use <account>.blob.core.windows.net, or put the account in the path for emulators (http://127.0.0.1:10000/devstoreaccount1)", clip(host))
	}
	return label, checkAccountName(label)
}

// isDottedNumeric reports an IPv4 literal, which names no account.
func isDottedNumeric(host string) bool {
	for i := 0; i < len(host); i++ {
		if (host[i] < '0' || host[i] > '9') && host[i] != '.' {
			return false
		}
	}
	return true
}

// immutabilityHeaders turns the configuration into restapi's per-blob WORM
// options, evaluated at commit time now.
func (im ImmutabilityConfig) headers(now time.Time) restapi.Immutability {
	var out restapi.Immutability
	if im.Period > 0 {
		out.PolicyUntil = now.Add(im.Period).UTC()
		out.PolicyMode = "Unlocked"
		if im.Locked {
			out.PolicyMode = "Locked"
		}
	}
	if im.LegalHold {
		hold := true
		out.LegalHold = &hold
	}
	return out
}
