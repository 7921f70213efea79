package aadtoken_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/emulatortest/identity"
)

func TestAzureCLICredential(t *testing.T) {
	m, err := identity.NewMinter()
	if err != nil {
		t.Fatal(err)
	}
	tenant := identity.NewUUID()
	access, _ := m.Mint(identity.AccessClaims{Tenant: tenant, ObjectID: identity.NewUUID(), Lifetime: time.Hour})
	exp := time.Now().Add(50 * time.Minute).Truncate(time.Second)
	for _, legacy := range []bool{false, true} {
		az, argsFile := identity.FakeAzureCLI(t, identity.FakeAzureCLIOptions{Token: access, ExpiresOn: exp, LegacyOnly: legacy})
		cred, err := aadtoken.NewAzureCLICredential(&aadtoken.AzureCLIOptions{Path: az, TenantID: tenant})
		if err != nil {
			t.Fatal(err)
		}
		tok := getToken(t, cred)
		if tok.AccessToken != access || !tok.ExpiresOn.Equal(exp) {
			t.Fatalf("legacy=%v: got %v expiring %s, want %s", legacy, tok, tok.ExpiresOn, exp)
		}
		args, _ := os.ReadFile(argsFile)
		if want := "account get-access-token --output json --resource https://storage.azure.com --tenant " + tenant + "\n"; string(args) != want {
			t.Fatalf("az args = %q, want %q", args, want)
		}
	}
}

func TestAzureCLIFailures(t *testing.T) {
	notLoggedIn, _ := identity.FakeAzureCLI(t, identity.FakeAzureCLIOptions{NotLoggedIn: true})
	cred, _ := aadtoken.NewAzureCLICredential(&aadtoken.AzureCLIOptions{Path: notLoggedIn})
	_, err := cred.Token(context.Background())
	if !errors.Is(err, aadtoken.ErrCredentialUnavailable) {
		t.Fatalf("not logged in: err = %v", err)
	}
	mustContain(t, err, "not logged in", "run az login")

	failing, _ := identity.FakeAzureCLI(t, identity.FakeAzureCLIOptions{ExitCode: 2,
		Stderr: "ERROR: AADSTS70043: The refresh token has expired due to inactivity.\nTrace ID: x"})
	cred, _ = aadtoken.NewAzureCLICredential(&aadtoken.AzureCLIOptions{Path: failing})
	_, err = cred.Token(context.Background())
	if errors.Is(err, aadtoken.ErrCredentialUnavailable) {
		t.Fatal("a real failure reported as unavailable")
	}
	mustContain(t, err, "az exited with code 2", "AADSTS70043: The refresh token has expired")
	if strings.Contains(err.Error(), "Trace ID") {
		t.Fatal("more than the first line of stderr quoted")
	}

	cred, _ = aadtoken.NewAzureCLICredential(&aadtoken.AzureCLIOptions{Path: "/nonexistent/az"})
	_, err = cred.Token(context.Background())
	if !errors.Is(err, aadtoken.ErrCredentialUnavailable) {
		t.Fatalf("missing az: err = %v", err)
	}

	slow := writeFile(t, "az", []byte("#!/bin/sh\nexec sleep 30\n"))
	if err := os.Chmod(slow, 0o700); err != nil {
		t.Fatal(err)
	}
	cred, _ = aadtoken.NewAzureCLICredential(&aadtoken.AzureCLIOptions{Path: slow, Timeout: 200 * time.Millisecond})
	_, err = cred.Token(context.Background())
	mustContain(t, err, "did not finish within 200ms")

	garbage := writeFile(t, "az", []byte("#!/bin/sh\necho 'not json'\n"))
	_ = os.Chmod(garbage, 0o700)
	cred, _ = aadtoken.NewAzureCLICredential(&aadtoken.AzureCLIOptions{Path: garbage})
	_, err = cred.Token(context.Background())
	mustContain(t, err, "no JSON object")

	for _, scope := range []string{"--debug", "https://x.example/ --output tsv"} {
		if _, err := aadtoken.NewAzureCLICredential(&aadtoken.AzureCLIOptions{Scope: scope}); err == nil {
			t.Errorf("scope %q accepted as an az argument", scope)
		}
	}
}

func TestAzureCLIMissingFromPath(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	cred, _ := aadtoken.NewAzureCLICredential(nil)
	_, err := cred.Token(context.Background())
	if !errors.Is(err, aadtoken.ErrCredentialUnavailable) {
		t.Fatalf("err = %v", err)
	}
	mustContain(t, err, "not installed or not on PATH")
}
