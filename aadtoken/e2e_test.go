package aadtoken_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/emulatortest/identity"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/sharedkey"
)

// e2eCase is one credential kind driven against Azurite.
type e2eCase struct {
	name   string
	src    aadtoken.TokenSource
	tenant string // expected tid in the user delegation key
	oid    string // expected oid
}

// TestEndToEndAgainstAzurite drives every credential kind, through the
// stand-in identity endpoints, against Azurite in HTTPS + --oauth basic
// mode: container and blob operations with the bearer token, then a user
// delegation key and a read through a user-delegation SAS.
func TestEndToEndAgainstAzurite(t *testing.T) {
	emu := emulatortest.StartHTTPS(t)

	srv := identity.NewTokenServer(t, nil)
	cert := identity.NewSelfSignedCertificate(t, "e2e-client")
	ca := identity.NewCA(t, "e2e CA")
	leaf := ca.Issue(t, "e2e-sni.azblobmin.test")
	fed := "eyJhbGciOiJSUzI1NiJ9.ZTJlLWZlZGVyYXRlZA.c2lnLWUyZQ"
	secretApp := srv.Register(identity.App{ClientID: identity.NewUUID(), Secret: testSecret})
	certApp := srv.Register(identity.App{ClientID: identity.NewUUID(), Certificate: cert.Cert})
	sniApp := srv.Register(identity.App{ClientID: identity.NewUUID(), SubjectName: "e2e-sni.azblobmin.test", Roots: x509Pool(ca)})
	wiApp := srv.Register(identity.App{ClientID: identity.NewUUID(), FederatedToken: fed})
	co := aadtoken.CredentialOptions{AuthorityHost: srv.AuthorityHost, HTTPClient: srv.Client()}

	secretCred, err := aadtoken.NewClientSecretCredential(srv.Tenant, secretApp.ClientID, testSecret, &co)
	must(t, err)
	certCred, err := aadtoken.NewClientCertificateCredential(srv.Tenant, certApp.ClientID, certsOf(cert), cert.Key,
		&aadtoken.ClientCertificateOptions{CredentialOptions: co})
	must(t, err)
	sniCerts, sniKey, err := aadtoken.ParseCertificatePEM(bundle(t, leaf, false, ca))
	must(t, err)
	sniCred, err := aadtoken.NewClientCertificateCredential(srv.Tenant, sniApp.ClientID, sniCerts, sniKey,
		&aadtoken.ClientCertificateOptions{CredentialOptions: co, SendCertificateChain: true})
	must(t, err)
	wiCred, err := aadtoken.NewWorkloadIdentityCredential(srv.Tenant, wiApp.ClientID, writeFile(t, "fed", []byte(fed)), &co)
	must(t, err)

	imds := identity.NewIMDS(t, &identity.ManagedIdentityOptions{SystemAssigned: &identity.Identity{},
		UserAssigned: []identity.Identity{{ClientID: identity.NewUUID()}}})
	ua := imds.UserAssigned()[0]
	imdsCred, err := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IMDSEndpoint: imds.TokenURL})
	must(t, err)
	imdsUserCred, err := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IMDSEndpoint: imds.TokenURL, ClientID: ua.ClientID})
	must(t, err)
	as := identity.NewAppService(t, &identity.ManagedIdentityOptions{SystemAssigned: &identity.Identity{}, ExpiresOnFormat: "date"})
	asCred, err := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IdentityEndpoint: as.Endpoint, IdentityHeader: as.Header})
	must(t, err)

	m, _ := identity.NewMinter()
	cliTenant, cliOID := identity.NewUUID(), identity.NewUUID()
	cliTok, _ := m.Mint(identity.AccessClaims{Tenant: cliTenant, ObjectID: cliOID, Lifetime: time.Hour})
	az, _ := identity.FakeAzureCLI(t, identity.FakeAzureCLIOptions{Token: cliTok})
	cliCred, err := aadtoken.NewAzureCLICredential(&aadtoken.AzureCLIOptions{Path: az})
	must(t, err)

	chain, err := aadtoken.NewChainFromEnvironment(&aadtoken.ChainOptions{
		ClientID:     ua.ClientID,
		HTTPClient:   srv.Client(),
		LookupEnv:    envMap(map[string]string{}),
		IMDSEndpoint: imds.TokenURL,
		AzureCLIPath: az,
	})
	must(t, err)

	cases := []e2eCase{
		{"client-secret", secretCred, srv.Tenant, secretApp.ObjectID},
		{"client-certificate", certCred, srv.Tenant, certApp.ObjectID},
		{"subject-name-issuer", sniCred, srv.Tenant, sniApp.ObjectID},
		{"workload-identity", wiCred, srv.Tenant, wiApp.ObjectID},
		{"imds-system", imdsCred, imds.Tenant, imds.SystemAssigned().ObjectID},
		{"imds-user", imdsUserCred, imds.Tenant, ua.ObjectID},
		{"app-service", asCred, as.Tenant, as.SystemAssigned().ObjectID},
		{"azure-cli", cliCred, cliTenant, cliOID},
		{"chain", chain, imds.Tenant, ua.ObjectID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runE2E(t, emu, c) })
	}
	if chain.Selected() != "managed identity" {
		t.Errorf("chain selected %q", chain.Selected())
	}
}

func runE2E(t *testing.T, emu *emulatortest.Emulator, c e2eCase) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	auth := aadtoken.NewBearerAuthorizer(c.src)
	client, err := restapi.NewClient(emu.Endpoint, auth, &restapi.Options{HTTPClient: emu.HTTPClient})
	must(t, err)

	container := "e2e-" + c.name
	blob := "sessions/" + c.name + "/recording.tar"
	data := bytes.Repeat([]byte("azblobmin bearer "+c.name+"\n"), 1000)

	must(t, client.CreateContainer(ctx, container, nil))
	if _, err := client.PutBlob(ctx, container, blob, bytes.NewReader(data), &restapi.PutBlobOptions{ContentType: "application/x-tar"}); err != nil {
		t.Fatalf("PutBlob: %v", err)
	}
	page, err := client.ListBlobs(ctx, container, &restapi.ListBlobsOptions{Prefix: "sessions/"})
	must(t, err)
	if len(page.Blobs) != 1 || page.Blobs[0].Name != blob || page.Blobs[0].Size != int64(len(data)) {
		t.Fatalf("ListBlobs = %+v", page.Blobs)
	}
	got, err := client.GetBlob(ctx, container, blob, nil)
	must(t, err)
	body, err := io.ReadAll(got.Body)
	got.Body.Close()
	must(t, err)
	if !bytes.Equal(body, data) || got.Properties.ContentType != "application/x-tar" {
		t.Fatalf("GetBlob returned %d bytes (%s), want %d", len(body), got.Properties.ContentType, len(data))
	}

	// A user delegation key, and a read through a user-delegation SAS.
	now := time.Now().UTC()
	key, err := client.GetUserDelegationKey(ctx, now.Add(-time.Minute), now.Add(time.Hour))
	must(t, err)
	if key.SignedOID != c.oid || key.SignedTID != c.tenant {
		t.Fatalf("user delegation key for oid %s tid %s, want %s %s", key.SignedOID, key.SignedTID, c.oid, c.tenant)
	}
	sas, err := sharedkey.BlobSASValues{
		Protocol:      "https",
		StartTime:     now.Add(-time.Minute),
		ExpiryTime:    now.Add(30 * time.Minute),
		Permissions:   "r",
		ContainerName: container,
		BlobName:      blob,
	}.SignWithUserDelegationKey(client.AccountName(), sharedkey.UserDelegationKey(*key))
	must(t, err)
	sasURL := client.BlobURL(container, blob) + "?" + sas
	status, sasBody := anonymousGet(t, emu.HTTPClient, sasURL)
	if status != http.StatusOK || !bytes.Equal(sasBody, data) {
		t.Fatalf("GET through the user-delegation SAS: HTTP %d, %d bytes", status, len(sasBody))
	}
	// The SAS is really checked: a tampered signature is refused.
	tampered := strings.Replace(sasURL, "sig=", "sig=AAAA", 1)
	if status, _ := anonymousGet(t, emu.HTTPClient, tampered); status != http.StatusForbidden {
		t.Fatalf("tampered SAS: HTTP %d, want 403", status)
	}

	must(t, client.DeleteBlob(ctx, container, blob, nil))
	if _, err := client.GetBlobProperties(ctx, container, blob, nil); !errors.Is(err, restapi.ErrNotFound) {
		t.Fatalf("after delete: %v, want ErrNotFound", err)
	}
	must(t, client.DeleteContainer(ctx, container, nil))
}

func anonymousGet(t *testing.T, c *http.Client, u string) (int, []byte) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// TestAzuriteRejectsBadBearerTokens shows that the e2e tests would notice a
// wrong token: Azurite checks issuer, audience and lifetime.
func TestAzuriteRejectsBadBearerTokens(t *testing.T) {
	emu := emulatortest.StartHTTPS(t)
	m, _ := identity.NewMinter()
	good, _ := m.Mint(identity.AccessClaims{Tenant: identity.NewUUID(), ObjectID: identity.NewUUID()})
	wrongAud, _ := m.Mint(identity.AccessClaims{Tenant: identity.NewUUID(), ObjectID: identity.NewUUID(), Audience: "https://vault.azure.net"})
	expired, _ := m.Mint(identity.AccessClaims{Tenant: identity.NewUUID(), ObjectID: identity.NewUUID(), Now: time.Now().Add(-2 * time.Hour), Lifetime: time.Hour})
	cases := []struct {
		name  string
		token string
		ok    bool
	}{
		{"minted", good, true},
		{"wrong audience", wrongAud, false},
		{"expired", expired, false},
		{"not a JWT", "opaque-token-value", false},
	}
	for i, c := range cases {
		src := aadtoken.TokenSourceFunc(func(context.Context) (aadtoken.Token, error) {
			return aadtoken.Token{AccessToken: c.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
		})
		client, err := restapi.NewClient(emu.Endpoint, aadtoken.NewBearerAuthorizer(src), &restapi.Options{HTTPClient: emu.HTTPClient,
			Retry: restapi.RetryPolicy{MaxTries: 1}})
		must(t, err)
		err = client.CreateContainer(context.Background(), fmt.Sprintf("reject-%d", i), nil)
		if c.ok && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if !c.ok && !errors.Is(err, restapi.ErrAuthenticationFailed) {
			t.Errorf("%s: err = %v, want ErrAuthenticationFailed", c.name, err)
		}
	}
}
