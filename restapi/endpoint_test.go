package restapi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEndpoint(t *testing.T) {
	ok := []struct {
		in, base, account string
		pathStyle         bool
	}{
		{"https://acct.blob.core.windows.net", "https://acct.blob.core.windows.net", "acct", false},
		{"https://acct.blob.core.windows.net/", "https://acct.blob.core.windows.net", "acct", false},
		{"HTTPS://Acct.Blob.Core.Windows.Net", "https://acct.blob.core.windows.net", "acct", false},
		{"https://acct.blob.core.chinacloudapi.cn", "https://acct.blob.core.chinacloudapi.cn", "acct", false},
		{"https://acct.blob.core.usgovcloudapi.net", "https://acct.blob.core.usgovcloudapi.net", "acct", false},
		{"https://storage.example.com", "https://storage.example.com", "storage", false},
		{"https://acct.blob.core.windows.net:443", "https://acct.blob.core.windows.net:443", "acct", false},
		{"http://127.0.0.1:10000/devstoreaccount1", "http://127.0.0.1:10000/devstoreaccount1", "devstoreaccount1", true},
		{"http://127.0.0.1:10000/devstoreaccount1/", "http://127.0.0.1:10000/devstoreaccount1", "devstoreaccount1", true},
		{"http://localhost:10000/devstoreaccount1", "http://localhost:10000/devstoreaccount1", "devstoreaccount1", true},
		{"http://[::1]:10000/devstoreaccount1", "http://[::1]:10000/devstoreaccount1", "devstoreaccount1", true},
		{"http://azurite:10000/devstoreaccount1", "http://azurite:10000/devstoreaccount1", "devstoreaccount1", true},
		{"https://10.0.0.5/myacct", "https://10.0.0.5/myacct", "myacct", true},
	}
	for _, tc := range ok {
		t.Run(tc.in, func(t *testing.T) {
			ep, err := parseEndpoint(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.base, ep.base)
			assert.Equal(t, tc.account, ep.account)
			assert.Equal(t, tc.pathStyle, ep.pathStyle)
		})
	}

	bad := []struct{ in, want string }{
		{"", "empty"},
		{" https://acct.blob.core.windows.net", "spaces"},
		{"ftp://acct.blob.core.windows.net", "scheme"},
		{"acct.blob.core.windows.net", "scheme"},
		{"https://user:pw@acct.blob.core.windows.net", "user info"},
		{"https://acct.blob.core.windows.net/?sv=2020&sig=SECRETSIG", "query"},
		{"https://acct.blob.core.windows.net?", "query"},
		{"https://acct.blob.core.windows.net/#frag", "fragment"},
		{"https://acct.blob.core.windows.net/container", "has a path"},
		{"http://127.0.0.1:10000", "account name as its only path segment"},
		{"http://127.0.0.1:10000/devstoreaccount1/container", "exactly one path segment"},
		{"http://localhost/", "account name"},
		{"https:///nohost", "no host"},
		{"http://127.0.0.1:10000/dev%20store", "letters, digits"},
		{"https://acct.blob.core.windows.net:/", "empty port"},
	}
	for _, tc := range bad {
		t.Run("bad "+tc.in, func(t *testing.T) {
			_, err := parseEndpoint(tc.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "SECRETSIG")
		})
	}
}

func TestURLsEscapeEachSegment(t *testing.T) {
	c, err := NewClient("http://127.0.0.1:10000/devstoreaccount1", nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:10000/devstoreaccount1", c.Endpoint())
	assert.Equal(t, "devstoreaccount1", c.AccountName())
	assert.Equal(t, "http://127.0.0.1:10000/devstoreaccount1/box", c.ContainerURL("box"))
	assert.Equal(t, "http://127.0.0.1:10000/devstoreaccount1/box/dir/a%20b%25c%2Bd%3F%23%C3%A9.txt",
		c.BlobURL("box", "dir/a b%c+d?#é.txt"))

	u := c.ep.resourceURL("box", "dir/a b%c+d?#é.txt")
	assert.Equal(t, "/devstoreaccount1/box/dir/a%20b%25c%2Bd%3F%23%C3%A9.txt", u.EscapedPath())
	assert.Equal(t, "/devstoreaccount1/box/dir/a b%c+d?#é.txt", u.Path)
	assert.Equal(t, "/devstoreaccount1/", c.ep.resourceURL("", "").EscapedPath())

	c2, err := NewClient("https://acct.blob.core.windows.net", nil, &Options{AccountName: "realacct"})
	require.NoError(t, err)
	assert.Equal(t, "realacct", c2.AccountName())
	assert.Equal(t, "https://acct.blob.core.windows.net/c0n/x", c2.BlobURL("c0n", "x"))
}

func TestNameValidation(t *testing.T) {
	for _, name := range []string{"abc", "a-b-c", "0123", "$root", "$logs", "$web", strings.Repeat("a", 63)} {
		assert.NoError(t, validateContainerName(name), name)
	}
	for _, name := range []string{"", "ab", "ABC", "a--b", "-ab", "ab-", "a_b", "a.b", strings.Repeat("a", 64), "$other"} {
		assert.Error(t, validateContainerName(name), name)
	}
	for _, name := range []string{"a", "a b", "dir/file", "ünïcödé", "100%", "a+b", "a?b#c", strings.Repeat("x", 1024), "trailing/"} {
		assert.NoError(t, validateBlobName(name), name)
	}
	for _, name := range []string{"", "a/../b", "./a", "a/.", "..", "bad\x00name", "tab\tname", strings.Repeat("x", 1025), "\xff\xfe"} {
		assert.Error(t, validateBlobName(name), name)
	}
}

func TestNewClientOptions(t *testing.T) {
	_, err := NewClient("https://a.blob.core.windows.net", nil, &Options{ServiceVersion: "2025-13-45"})
	assert.ErrorContains(t, err, "YYYY-MM-DD")
	_, err = NewClient("https://a.blob.core.windows.net", nil, &Options{Retry: RetryPolicy{MaxTries: -1}})
	assert.ErrorContains(t, err, "negative")
	_, err = NewClient("https://a.blob.core.windows.net", nil, &Options{Retry: RetryPolicy{BaseDelay: 5e9, MaxDelay: 1e9}})
	assert.ErrorContains(t, err, "MaxDelay")
	_, err = NewClient("https://a.blob.core.windows.net", nil, &Options{UserAgent: "x\r\ny"})
	assert.ErrorContains(t, err, "line breaks")
	_, err = NewClient("https://a.blob.core.windows.net", nil, &Options{AccountName: "bad name"})
	assert.Error(t, err)

	c, err := NewClient("https://a.blob.core.windows.net", nil, nil)
	require.NoError(t, err)
	assert.Equal(t, DefaultServiceVersion, c.version)
	assert.Equal(t, RetryPolicy{MaxTries: 4, TryTimeout: DefaultTryTimeout, BaseDelay: DefaultBaseDelay, MaxDelay: DefaultMaxDelay, MaxRetryAfter: DefaultMaxRetryAfter}, c.retry)
	assert.Regexp(t, `^azblobmin/`+Version+` \(go[0-9.a-z]+; [a-z0-9]+\)$`, c.userAgent)
}
