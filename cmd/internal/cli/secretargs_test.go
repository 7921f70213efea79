package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckNoSecretFlags(t *testing.T) {
	const key = "c2VjcmV0LWtleS12YWx1ZS10aGF0LW11c3Qtbm90LWxlYWs="
	refused := [][]string{
		{"-account-key=" + key},
		{"--account-key", key},
		{"-url", "x", "-account_key=" + key},
		{"-connection-string=AccountName=a;AccountKey=" + key},
		{"-sas", "sv=2020&sig=abc"},
		{"-client-secret", key},
		{"-token=" + key},
		{"-KEY=" + key},
	}
	for _, args := range refused {
		err := CheckNoSecretFlags(args)
		require.Error(t, err, args)
		assert.NotContains(t, err.Error(), key, "the error must not echo the secret")
		assert.Contains(t, err.Error(), "is not accepted")
		assert.Regexp(t, `AZURE_|-file`, err.Error(), "the error must say where the secret belongs")
	}
	allowed := [][]string{
		{"-account-key-file", "/run/secrets/key"},
		{"-connection-string-file=/x"},
		{"-show-token"},
		{"-url", "azblob://a.blob.core.windows.net", "file"},
		{"--", "-account-key=not-a-flag-but-a-file-name"},
		{"-"},
	}
	for _, args := range allowed {
		assert.NoError(t, CheckNoSecretFlags(args), args)
	}
}

func TestCheckURLHasNoSecret(t *testing.T) {
	const sig = "aHR0cHM6Ly9zZWNyZXQtc2lnbmF0dXJl"
	bad := []string{
		"https://a.blob.core.windows.net/c/b?sv=2020-01-01&sig=" + sig,
		"https://user:" + sig + "@a.blob.core.windows.net",
		"azblob://a.blob.core.windows.net#AccountKey=" + sig,
		"https://a.blob.core.windows.net/%zz?sig=" + sig,
	}
	for _, u := range bad {
		err := CheckURLHasNoSecret(u)
		require.Error(t, err, u)
		assert.NotContains(t, err.Error(), sig)
	}
	good := []string{
		"azblob://a.blob.core.windows.net",
		"azblob-http://127.0.0.1:10000/devstoreaccount1#session_container=s&inprogress_container=p",
		"https://a.blob.core.windows.net/c/b?comp=list&restype=container",
	}
	for _, u := range good {
		assert.NoError(t, CheckURLHasNoSecret(u), u)
	}
}
