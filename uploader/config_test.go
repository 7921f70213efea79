package uploader

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const testClientID = "11111111-2222-3333-4444-555555555555"

func TestSetFromURL(t *testing.T) {
	tests := []struct {
		in         string
		endpoint   string
		session    string
		inprogress string
		clientID   string
	}{
		{in: "azblob://acct.blob.core.windows.net", endpoint: "https://acct.blob.core.windows.net"},
		{in: "azblob://acct.blob.core.windows.net/", endpoint: "https://acct.blob.core.windows.net"},
		{in: "AZBLOB://acct.blob.core.windows.net", endpoint: "https://acct.blob.core.windows.net"},
		{in: "azblob-http://127.0.0.1:10000/devstoreaccount1", endpoint: "http://127.0.0.1:10000/devstoreaccount1"},
		{in: "azblob://127.0.0.1:10000/devstoreaccount1", endpoint: "https://127.0.0.1:10000/devstoreaccount1"},
		{in: "https://acct.blob.core.windows.net", endpoint: "https://acct.blob.core.windows.net"},
		{in: "http://localhost:10000/devstoreaccount1/", endpoint: "http://localhost:10000/devstoreaccount1"},
		{in: "azblob://acct.blob.core.windows.net#session_container=rec&inprogress_container=parts-1",
			endpoint: "https://acct.blob.core.windows.net", session: "rec", inprogress: "parts-1"},
		{in: "azblob://acct.blob.core.windows.net#azure_client_id=" + testClientID,
			endpoint: "https://acct.blob.core.windows.net", clientID: testClientID},
		{in: "azblob://acct.blob.core.windows.net#", endpoint: "https://acct.blob.core.windows.net"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := url.Parse(tt.in)
			require.NoError(t, err)
			var c Config
			require.NoError(t, c.SetFromURL(u))
			require.Equal(t, tt.endpoint, c.Endpoint)
			require.Equal(t, tt.session, c.SessionContainer)
			require.Equal(t, tt.inprogress, c.InprogressContainer)
			require.Equal(t, tt.clientID, c.ClientID)
			require.NoError(t, c.CheckAndSetDefaults())
			if tt.session == "" {
				require.Equal(t, "session", c.SessionContainer)
			}
			if tt.inprogress == "" {
				require.Equal(t, "inprogress", c.InprogressContainer)
			}
		})
	}
}

func TestSetFromURLErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string   // substring of the error
		secrets []string // must not appear in the error
	}{
		{name: "scheme", in: "s3://bucket", want: `scheme "s3" is not supported`},
		{name: "file scheme", in: "file:///tmp/x", want: "not supported"},
		{name: "userinfo password", in: "azblob://alice:hunter2secret@acct.blob.core.windows.net", want: "must not carry user info", secrets: []string{"hunter2secret", "alice"}},
		{name: "userinfo name", in: "azblob://tokenvalue123@acct.blob.core.windows.net", want: "must not carry user info", secrets: []string{"tokenvalue123"}},
		{name: "sas query", in: "azblob://acct.blob.core.windows.net/?sv=2022-11-02&sig=c2VjcmV0c2lnbmF0dXJl", want: "must not carry a SAS token", secrets: []string{"c2VjcmV0c2lnbmF0dXJl", "sig="}},
		{name: "other query", in: "azblob://acct.blob.core.windows.net?session_container=x", want: "must not carry a query", secrets: []string{"session_container=x"}},
		{name: "no host", in: "azblob:///devstoreaccount1", want: "has no host"},
		{name: "opaque", in: "azblob:acct", want: "has no host"},
		{name: "deep path", in: "azblob-http://127.0.0.1:10000/devstoreaccount1/extra", want: "more than one segment"},
		{name: "bad account in path", in: "azblob-http://127.0.0.1:10000/Dev_Store", want: "storage account name"},
		{name: "unknown params", in: "azblob://acct.blob.core.windows.net#zeta=1&alpha=2&session_container=ok1", want: `unknown fragment parameter(s) "alpha", "zeta"`, secrets: []string{"=1", "=2"}},
		{name: "sig in fragment", in: "azblob://acct.blob.core.windows.net#sig=topsecretvalue", want: `"sig"`, secrets: []string{"topsecretvalue"}},
		{name: "repeated param", in: "azblob://acct.blob.core.windows.net#session_container=a1a&session_container=b2b", want: "given 2 times"},
		{name: "bad fragment", in: "azblob://acct.blob.core.windows.net#session_container=abc;x=1", want: "not in key=value"},
		{name: "container upper", in: "azblob://acct.blob.core.windows.net#session_container=Session", want: "session_container name \"Session\""},
		{name: "container short", in: "azblob://acct.blob.core.windows.net#inprogress_container=ab", want: "inprogress_container name"},
		{name: "container long", in: "azblob://acct.blob.core.windows.net#session_container=" + strings.Repeat("a", 64), want: "3 to 63"},
		{name: "container leading hyphen", in: "azblob://acct.blob.core.windows.net#session_container=-abc", want: "starting and ending"},
		{name: "container trailing hyphen", in: "azblob://acct.blob.core.windows.net#session_container=abc-", want: "starting and ending"},
		{name: "container double hyphen", in: "azblob://acct.blob.core.windows.net#session_container=ab--c", want: "single hyphens"},
		{name: "container underscore", in: "azblob://acct.blob.core.windows.net#session_container=ab_c", want: "session_container name"},
		{name: "container empty", in: "azblob://acct.blob.core.windows.net#session_container=", want: "session_container name"},
		{name: "client id", in: "azblob://acct.blob.core.windows.net#azure_client_id=not-a-uuid", want: "azure_client_id \"not-a-uuid\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.in)
			require.NoError(t, err)
			c := Config{Endpoint: "unchanged"}
			err = c.SetFromURL(u)
			require.Error(t, err)
			require.ErrorIs(t, err, ErrInvalidArgument)
			require.Contains(t, err.Error(), tt.want)
			for _, s := range tt.secrets {
				require.NotContains(t, err.Error(), s)
			}
			require.Equal(t, "unchanged", c.Endpoint, "a refused URL must not change the config")
		})
	}
	var c Config
	require.ErrorIs(t, c.SetFromURL(nil), ErrInvalidArgument)
}

func TestCheckAndSetDefaults(t *testing.T) {
	c := Config{Endpoint: "https://acct.blob.core.windows.net"}
	require.NoError(t, c.CheckAndSetDefaults())
	require.Equal(t, "session", c.SessionContainer)
	require.Equal(t, "inprogress", c.InprogressContainer)
	require.Equal(t, DefaultCompleteConcurrency, c.CompleteConcurrency)
	require.Equal(t, DefaultUploadConcurrency, c.UploadConcurrency)
	require.Equal(t, int64(DefaultBlockSize), c.BlockSize)
	require.Equal(t, DefaultSASLifetime, c.SASLifetime)
	require.NotNil(t, c.Logger)

	base := func(mod func(*Config)) Config {
		c := Config{Endpoint: "https://acct.blob.core.windows.net"}
		mod(&c)
		return c
	}
	bad := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no endpoint", Config{}, "Endpoint is empty"},
		{"endpoint scheme", base(func(c *Config) { c.Endpoint = "ftp://acct.blob.core.windows.net" }), "not an account endpoint"},
		{"endpoint query", base(func(c *Config) { c.Endpoint = "https://acct.blob.core.windows.net?sig=abc" }), "not an account endpoint"},
		{"endpoint ip without account", base(func(c *Config) { c.Endpoint = "http://127.0.0.1:10000" }), "does not name an account"},
		{"endpoint localhost without account", base(func(c *Config) { c.Endpoint = "http://localhost:10000" }), "does not name an account"},
		{"endpoint deep path", base(func(c *Config) { c.Endpoint = "http://127.0.0.1:10000/a/b" }), "more than one segment"},
		{"endpoint bad account", base(func(c *Config) { c.Endpoint = "https://ACCT_1.blob.core.windows.net" }), "storage account name"},
		{"same containers", base(func(c *Config) { c.SessionContainer, c.InprogressContainer = "same", "same" }), "must differ"},
		{"bad session container", base(func(c *Config) { c.SessionContainer = "A" }), "session container name"},
		{"bad inprogress container", base(func(c *Config) { c.InprogressContainer = "a/b" }), "in-progress container name"},
		{"client id", base(func(c *Config) { c.ClientID = "x" }), "azure_client_id"},
		{"complete concurrency", base(func(c *Config) { c.CompleteConcurrency = -1 }), "CompleteConcurrency -1"},
		{"complete concurrency big", base(func(c *Config) { c.CompleteConcurrency = 5000 }), "CompleteConcurrency 5000"},
		{"upload concurrency", base(func(c *Config) { c.UploadConcurrency = -2 }), "UploadConcurrency -2"},
		{"block size", base(func(c *Config) { c.BlockSize = -1 }), "BlockSize -1"},
		{"block size big", base(func(c *Config) { c.BlockSize = MaxBlockSize + 1 }), "BlockSize"},
		{"sas lifetime short", base(func(c *Config) { c.SASLifetime = time.Second }), "SASLifetime 1s"},
		{"sas lifetime long", base(func(c *Config) { c.SASLifetime = 8 * 24 * time.Hour }), "SASLifetime"},
		{"immutability negative", base(func(c *Config) { c.Immutability.Period = -time.Hour }), "Period -1h0m0s is negative"},
		{"locked without period", base(func(c *Config) { c.Immutability.Locked = true }), "Locked needs Immutability.Period"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg
			err := c.CheckAndSetDefaults()
			require.ErrorIs(t, err, ErrInvalidArgument)
			require.Contains(t, err.Error(), tt.want)
			require.NotContains(t, err.Error(), "sig=abc")
		})
	}
}

func TestEndpointAccount(t *testing.T) {
	for in, want := range map[string]string{
		"https://acct.blob.core.windows.net":        "acct",
		"http://127.0.0.1:10000/devstoreaccount1":   "devstoreaccount1",
		"https://127.0.0.1:443/devstoreaccount1/":   "devstoreaccount1",
		"https://myacct.blob.core.chinacloudapi.cn": "myacct",
	} {
		got, err := endpointAccount(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
}

func TestImmutabilityConfigHeaders(t *testing.T) {
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("X", 3600))
	h := ImmutabilityConfig{}.headers(now)
	require.True(t, h.PolicyUntil.IsZero())
	require.Empty(t, h.PolicyMode)
	require.Nil(t, h.LegalHold)

	h = ImmutabilityConfig{Period: 24 * time.Hour}.headers(now)
	require.Equal(t, time.Date(2025, 3, 5, 4, 6, 7, 0, time.UTC), h.PolicyUntil)
	require.Equal(t, "Unlocked", h.PolicyMode)
	require.Nil(t, h.LegalHold)

	h = ImmutabilityConfig{Period: time.Hour, Locked: true, LegalHold: true}.headers(now)
	require.Equal(t, "Locked", h.PolicyMode)
	require.NotNil(t, h.LegalHold)
	require.True(t, *h.LegalHold)

	h = ImmutabilityConfig{LegalHold: true}.headers(now)
	require.True(t, h.PolicyUntil.IsZero())
	require.True(t, *h.LegalHold)
}

func TestInvalidfWraps(t *testing.T) {
	err := invalidf("x %d", 1)
	require.True(t, errors.Is(err, ErrInvalidArgument))
	require.Equal(t, "invalid argument: x 1", err.Error())
}
