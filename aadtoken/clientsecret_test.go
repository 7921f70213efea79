package aadtoken_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/emulatortest/identity"
)

const testSecret = "s3cr3t~Value.ABCdefGHIjkl_0123456789"

func TestClientSecretCredential(t *testing.T) {
	srv := identity.NewTokenServer(t, nil)
	app := srv.Register(identity.App{ClientID: identity.NewUUID(), Secret: testSecret})
	cred, err := aadtoken.NewClientSecretCredential(srv.Tenant, app.ClientID, testSecret,
		&aadtoken.CredentialOptions{AuthorityHost: srv.AuthorityHost, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	tok := getToken(t, cred)
	checkMinted(t, srv.Minter(), tok, srv.Tenant, app.ObjectID, app.ClientID)
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Auth != "secret" || reqs[0].Scope != aadtoken.StorageScope || reqs[0].Status != 200 {
		t.Fatalf("requests = %+v", reqs)
	}
}

func TestClientSecretFromEnvironment(t *testing.T) {
	srv := identity.NewTokenServer(t, nil)
	app := srv.Register(identity.App{ClientID: identity.NewUUID(), Secret: testSecret})
	cred, err := aadtoken.NewClientSecretCredentialFromEnvironment(&aadtoken.CredentialOptions{
		HTTPClient: srv.Client(),
		LookupEnv: envMap(map[string]string{
			"AZURE_TENANT_ID": srv.Tenant, "AZURE_CLIENT_ID": app.ClientID,
			"AZURE_CLIENT_SECRET": testSecret, "AZURE_AUTHORITY_HOST": srv.AuthorityHost,
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	getToken(t, cred)

	_, err = aadtoken.NewClientSecretCredentialFromEnvironment(&aadtoken.CredentialOptions{
		LookupEnv: envMap(map[string]string{"AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": ""}),
	})
	if !errors.Is(err, aadtoken.ErrCredentialUnavailable) {
		t.Fatalf("err = %v, want ErrCredentialUnavailable", err)
	}
	mustContain(t, err, "AZURE_CLIENT_ID, AZURE_CLIENT_SECRET not set")
}

func TestClientSecretRejected(t *testing.T) {
	srv := identity.NewTokenServer(t, nil)
	app := srv.Register(identity.App{ClientID: identity.NewUUID(), Secret: "the-right-secret-value"})
	opts := &aadtoken.CredentialOptions{AuthorityHost: srv.AuthorityHost, HTTPClient: srv.Client()}

	cred, _ := aadtoken.NewClientSecretCredential(srv.Tenant, app.ClientID, testSecret, opts)
	_, err := cred.Token(context.Background())
	var ae *aadtoken.AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %T %v, want *AuthError", err, err)
	}
	if ae.StatusCode != 401 || ae.AADSTS != "AADSTS7000215" || ae.Code != "invalid_client" || ae.CorrelationID == "" || ae.TraceID == "" {
		t.Fatalf("AuthError = %+v", *ae)
	}
	mustContain(t, err, "client secret", srv.TokenURL(), "AADSTS7000215", "Invalid client secret provided", "correlation id "+ae.CorrelationID)
	if strings.Contains(err.Error(), testSecret) {
		t.Fatal("the secret is in the error")
	}

	other, _ := aadtoken.NewClientSecretCredential(srv.Tenant, identity.NewUUID(), testSecret, opts)
	_, err = other.Token(context.Background())
	mustContain(t, err, "AADSTS700016", "check AZURE_CLIENT_ID")

	wrongTenant, _ := aadtoken.NewClientSecretCredential("contoso.onmicrosoft.com", app.ClientID, testSecret, opts)
	_, err = wrongTenant.Token(context.Background())
	mustContain(t, err, "AADSTS90002", "Tenant 'contoso.onmicrosoft.com' not found")

	wrongScope, _ := aadtoken.NewClientSecretCredential(srv.Tenant, app.ClientID, "the-right-secret-value",
		&aadtoken.CredentialOptions{AuthorityHost: srv.AuthorityHost, HTTPClient: srv.Client(), Scope: "https://vault.azure.net/.default"})
	_, err = wrongScope.Token(context.Background())
	mustContain(t, err, "invalid_scope")
}

func TestClientSecretScriptedFailures(t *testing.T) {
	srv := identity.NewTokenServer(t, nil)
	app := srv.Register(identity.App{ClientID: identity.NewUUID(), Secret: testSecret})
	cred, _ := aadtoken.NewClientSecretCredential(srv.Tenant, app.ClientID, testSecret,
		&aadtoken.CredentialOptions{AuthorityHost: srv.AuthorityHost, HTTPClient: srv.Client()})
	cases := []struct {
		f    identity.Failure
		want []string
	}{
		{identity.Failure{Status: 503, Body: "<html>maintenance</html>", ContentType: "text/html"}, []string{"HTTP 503", "non-JSON body", "retry later"}},
		{identity.Failure{Status: 200, Body: `{"access_token":"abc","expires_in":`}, []string{"not valid JSON", "truncated"}},
		{identity.Failure{Status: 200, Body: `<html>captive portal</html>`, ContentType: "text/html"}, []string{"not a JSON object"}},
		{identity.Failure{Status: 200, Body: `{"access_token":"abc"}`}, []string{"neither expires_in nor expires_on"}},
		{identity.Failure{Status: 200, Body: `{"access_token":"x","expires_in":60,"pad":"` + strings.Repeat("a", 1<<20) + `"}`}, []string{"larger than 1048576 bytes"}},
		{identity.Failure{Status: 429, Code: "temporarily_unavailable", AADSTS: 50196, Description: "The server terminated an operation because it encountered a client request loop."}, []string{"HTTP 429", "AADSTS50196", "client request loop"}},
	}
	for _, c := range cases {
		srv.FailNext(c.f)
		_, err := cred.Token(context.Background())
		mustContain(t, err, c.want...)
	}
	getToken(t, cred) // and then it works
}

func TestTokenRequestsNeverFollowRedirects(t *testing.T) {
	var hits int
	target := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer target.Close()
	redirector := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	c := redirector.Client()
	c.CheckRedirect = nil // the caller's client follows redirects; ours must not
	cred, err := aadtoken.NewClientSecretCredential("tenant", "client", testSecret,
		&aadtoken.CredentialOptions{AuthorityHost: redirector.URL, HTTPClient: c})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.Token(context.Background())
	mustContain(t, err, "HTTP 307", target.URL, "redirects are never followed")
	if hits != 0 {
		t.Fatalf("the redirect target was called %d times", hits)
	}
	if c.CheckRedirect != nil {
		t.Fatal("the caller's http.Client was modified")
	}
}

func TestAuthorityMustBeHTTPS(t *testing.T) {
	for _, host := range []string{"http://login.microsoftonline.com/", "login.microsoftonline.com", "https://user:pw@login.microsoftonline.com/", "https://login.microsoftonline.com/?x=1"} {
		_, err := aadtoken.NewClientSecretCredential("t", "c", testSecret, &aadtoken.CredentialOptions{AuthorityHost: host})
		if err == nil {
			t.Errorf("authority %q accepted", host)
		}
	}
	for _, bad := range [][3]string{{"", "c", "s"}, {"t/../x", "c", "s"}, {"t", "", "s"}, {"t", "c d", "s"}, {"t", "c", ""}, {"t", "c", "s\n"}} {
		if _, err := aadtoken.NewClientSecretCredential(bad[0], bad[1], bad[2], nil); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	c, err := aadtoken.NewClientSecretCredential("t", "c", testSecret, &aadtoken.CredentialOptions{AuthorityHost: "https://login.microsoftonline.us"})
	if err != nil || !strings.Contains(c.String(), "https://login.microsoftonline.us/t/oauth2/v2.0/token") {
		t.Fatalf("sovereign authority: %v %s", err, c)
	}
}
