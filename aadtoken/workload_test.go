package aadtoken_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/emulatortest/identity"
)

func TestWorkloadIdentityRereadsTheFile(t *testing.T) {
	srv := identity.NewTokenServer(t, nil)
	first := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDphemJsb2JtaW4ifQ.c2ln-first"
	app := srv.Register(identity.App{ClientID: identity.NewUUID(), FederatedToken: first})
	file := writeFile(t, "token", []byte(first+"\n"))
	client, rec := recordingClient(srv.Client())
	cred, err := aadtoken.NewWorkloadIdentityCredentialFromEnvironment("", &aadtoken.CredentialOptions{
		HTTPClient: client,
		LookupEnv: envMap(map[string]string{
			"AZURE_TENANT_ID": srv.Tenant, "AZURE_CLIENT_ID": app.ClientID,
			"AZURE_FEDERATED_TOKEN_FILE": file, "AZURE_AUTHORITY_HOST": srv.AuthorityHost,
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	checkMinted(t, srv.Minter(), getToken(t, cred), srv.Tenant, app.ObjectID, app.ClientID)

	// The platform rotates the file; the issuer now only accepts the new one.
	second := strings.Replace(first, "first", "second", 1)
	srv.SetFederatedToken(app.ClientID, second)
	if err := os.WriteFile(file, []byte(second), 0o600); err != nil {
		t.Fatal(err)
	}
	getToken(t, cred)
	forms := rec.forms()
	if len(forms) != 2 || forms[0].Get("client_assertion") != first || forms[1].Get("client_assertion") != second {
		t.Fatalf("assertions sent were not the file's content at each request")
	}
	if forms[1].Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		t.Fatalf("form = %v", forms[1])
	}

	// A stale token is refused with the federated-credential hint.
	if err := os.WriteFile(file, []byte(first), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = cred.Token(context.Background())
	mustContain(t, err, "workload identity", "AADSTS70021", "federated credential")
	if strings.Contains(err.Error(), first) {
		t.Fatal("the federated token is in the error")
	}
}

func TestWorkloadIdentityClientIDOverride(t *testing.T) {
	srv := identity.NewTokenServer(t, nil)
	fed := "federated.token.value"
	app := srv.Register(identity.App{ClientID: identity.NewUUID(), FederatedToken: fed})
	file := writeFile(t, "token", []byte(fed))
	cred, err := aadtoken.NewWorkloadIdentityCredentialFromEnvironment(app.ClientID, &aadtoken.CredentialOptions{
		HTTPClient: srv.Client(),
		LookupEnv: envMap(map[string]string{
			"AZURE_TENANT_ID": srv.Tenant, "AZURE_CLIENT_ID": "some-other-app-id",
			"AZURE_FEDERATED_TOKEN_FILE": file, "AZURE_AUTHORITY_HOST": srv.AuthorityHost,
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	getToken(t, cred)
	if r := srv.Requests(); r[0].ClientID != app.ClientID || r[0].Auth != "federated" {
		t.Fatalf("request %+v", r[0])
	}
}

func TestWorkloadIdentityFileProblems(t *testing.T) {
	srv := identity.NewTokenServer(t, nil)
	newCred := func(file string) *aadtoken.WorkloadIdentityCredential {
		c, err := aadtoken.NewWorkloadIdentityCredential(srv.Tenant, "client", file,
			&aadtoken.CredentialOptions{AuthorityHost: srv.AuthorityHost, HTTPClient: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cases := map[string][]string{
		"/nonexistent/token":                                     {"reading the federated token file", "no such file"},
		writeFile(t, "empty", []byte(" \n")):                     {"is empty"},
		writeFile(t, "two", []byte("a b")):                       {"is not usable"},
		writeFile(t, "big", []byte(strings.Repeat("a", 70<<10))): {"larger than 65536 bytes"},
	}
	for file, want := range cases {
		_, err := newCred(file).Token(context.Background())
		mustContain(t, err, want...)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("%d requests sent with a bad file", n)
	}
	_, err := aadtoken.NewWorkloadIdentityCredentialFromEnvironment("", &aadtoken.CredentialOptions{
		LookupEnv: envMap(map[string]string{"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c"})})
	if !errors.Is(err, aadtoken.ErrCredentialUnavailable) || !strings.Contains(err.Error(), "AZURE_FEDERATED_TOKEN_FILE not set") {
		t.Fatalf("err = %v", err)
	}
}
