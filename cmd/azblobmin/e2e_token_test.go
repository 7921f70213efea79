package main

import (
	"strings"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/emulatortest/identity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// token walks the real credential chain; the managed identity answers from
// an App Service identity endpoint stand-in (IDENTITY_ENDPOINT), which
// mints JWTs like Entra ID does.
func TestTokenManagedIdentity(t *testing.T) {
	sys := &identity.Identity{ClientID: "11111111-2222-3333-4444-555555555555", ObjectID: "66666666-7777-8888-9999-000000000000"}
	svc := identity.NewAppService(t, &identity.ManagedIdentityOptions{SystemAssigned: sys, Lifetime: time.Hour})
	env := baseEnv(t,
		"IDENTITY_ENDPOINT="+svc.Endpoint, "IDENTITY_HEADER="+svc.Header,
	)

	var out tokenOutput
	r := runJSON(t, env, nil, &out, "token", "-json", "-no-azure-cli")
	assert.Equal(t, "managed identity", out.Source)
	require.NotNil(t, out.Claims)
	assert.Equal(t, svc.Tenant, out.Claims.TenantID)
	assert.Equal(t, sys.ObjectID, out.Claims.ObjectID)
	assert.Equal(t, sys.ClientID, out.Claims.AppID)
	assert.Equal(t, []string{"https://storage.azure.com"}, out.Claims.Audience)
	assert.Equal(t, "https://sts.windows.net/"+svc.Tenant+"/", out.Claims.Issuer)
	assert.InDelta(t, time.Hour.Seconds(), out.ExpiresIn, 120)
	assert.Empty(t, out.AccessToken)
	assert.Empty(t, out.Warnings)
	assert.NotContains(t, r.stdout, "eyJ", "no JWT in the output without -show-token")
	assert.NotContains(t, r.stdout, svc.Header, "the identity header is a secret too")

	r = run(t, env, nil, "token", "-no-azure-cli")
	require.Equal(t, 0, r.code, r.String())
	assert.Contains(t, r.stdout, "source:      managed identity\n")
	assert.Contains(t, r.stdout, "  tenant (tid)           "+svc.Tenant+"\n")
	assert.Contains(t, r.stdout, "  object id (oid)        "+sys.ObjectID+"\n")
	assert.Contains(t, r.stdout, "  audience (aud)         https://storage.azure.com\n")
	assert.Contains(t, r.stdout, "token:       not shown (add -show-token; it is a secret)\n")
	assert.NotContains(t, r.stdout+r.stderr, "eyJ")

	// -show-token prints the token itself, and only then.
	r = run(t, env, nil, "token", "-no-azure-cli", "-show-token")
	require.Equal(t, 0, r.code, r.String())
	i := strings.Index(r.stdout, "token:       eyJ")
	require.GreaterOrEqual(t, i, 0, r.String())
	tok := strings.TrimSpace(strings.TrimPrefix(r.stdout[i:], "token:"))
	assert.Len(t, strings.Split(tok, "."), 3, "a JWT")
	runJSON(t, env, nil, &out, "token", "-json", "-no-azure-cli", "-show-token")
	assert.True(t, strings.HasPrefix(out.AccessToken, "eyJ"))

	// A user-assigned identity that the endpoint does not know: the chain
	// fails and says why for each credential, exit 1.
	r = run(t, env, nil, "token", "-no-azure-cli", "-client-id", "99999999-2222-3333-4444-555555555555")
	assert.Equal(t, 1, r.code, r.String())
	assert.Contains(t, r.stderr, "no credential of the chain produced a token:")
	assert.Contains(t, r.stderr, "managed identity")
	assert.Contains(t, r.stderr, "client secret")
}

func TestTokenNoCredential(t *testing.T) {
	env := append(baseEnv(t),
		// An IMDS that is not there: a closed loopback port answers at once.
		"AZURE_POD_IDENTITY_AUTHORITY_HOST=http://127.0.0.1:9")
	r := run(t, env, nil, "token", "-no-azure-cli")
	assert.Equal(t, 1, r.code, r.String())
	assert.Contains(t, r.stderr, "no credential of the chain produced a token:")
	for _, c := range []string{"client secret", "client certificate", "workload identity", "managed identity"} {
		assert.Contains(t, r.stderr, c)
	}
}

// With a SharedKey configured, token still works but says the other
// commands will not use the token.
func TestTokenWarnsAboutSharedKey(t *testing.T) {
	sys := &identity.Identity{ClientID: "11111111-2222-3333-4444-555555555555"}
	svc := identity.NewAppService(t, &identity.ManagedIdentityOptions{SystemAssigned: sys})
	env := baseEnv(t,
		"IDENTITY_ENDPOINT="+svc.Endpoint, "IDENTITY_HEADER="+svc.Header,
		"AZURE_STORAGE_KEY="+emu.AccountKey,
	)
	var out tokenOutput
	runJSON(t, env, nil, &out, "token", "-json", "-no-azure-cli")
	require.Len(t, out.Warnings, 1)
	assert.Contains(t, out.Warnings[0], "SharedKey from AZURE_STORAGE_KEY is set")
}
