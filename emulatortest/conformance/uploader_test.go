package conformance_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/emulatortest/conformance"
	"github.com/azblobmin/azblobmin/emulatortest/identity"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/sharedkey"
	"github.com/azblobmin/azblobmin/uploader"
)

// testBlockSize keeps the single-shot scenario (more than ten blocks) small.
const testBlockSize = 64 << 10

// testRetry retries quickly (Azurite on loopback answers in
// milliseconds) with a per-try timeout well above what a loaded Azurite
// needs, so timeouts in the ordinary runs mean a hang, not load.
var testRetry = restapi.RetryPolicy{MaxTries: 8, TryTimeout: 30 * time.Second, BaseDelay: 10 * time.Millisecond, MaxDelay: 250 * time.Millisecond}

// faultRetry is for runs through the fault proxy: more tries than the
// default to ride out a 10 % fault rate, and a per-try timeout short
// enough that the proxy's stalls (longer than it) cost seconds, not
// minutes.
var faultRetry = restapi.RetryPolicy{MaxTries: 8, TryTimeout: 3 * time.Second, BaseDelay: 10 * time.Millisecond, MaxDelay: 250 * time.Millisecond}

// containerSeq makes container names unique per test, so a test that owns
// its containers can check that the in-progress one ends empty.
var containerSeq atomic.Int64

// uploaderEnv describes our uploader against an emulator for the suite.
// endpoint is where handlers send requests (the emulator, or a proxy in
// front of it), base the client that reaches it; the Store always reads
// the emulator directly with SharedKey.
func uploaderEnv(t testing.TB, name string, emu *emulatortest.Emulator, endpoint string, base *http.Client, auth restapi.Authorizer, retry restapi.RetryPolicy) conformance.Env {
	t.Helper()
	n := containerSeq.Add(1)
	session, inprogress := fmt.Sprintf("session%d", n), fmt.Sprintf("inprogress%d", n)
	storeClient := directClient(t, emu)
	return conformance.Env{
		Name:                name,
		HTTPClient:          base,
		Store:               conformance.NewRESTStore(storeClient),
		SessionContainer:    session,
		InprogressContainer: inprogress,
		SessionContainerURL: endpoint + "/" + session,
		BlockSize:           testBlockSize,
		ChildConfig: childConfig{Endpoint: endpoint, SessionContainer: session, InprogressContainer: inprogress,
			BlockSize: testBlockSize}.encode(),
		NewHandler: func(t testing.TB, client *http.Client) conformance.Handler {
			t.Helper()
			h, err := uploader.NewHandler(t.Context(), uploader.Config{
				Endpoint:            endpoint,
				SessionContainer:    session,
				InprogressContainer: inprogress,
				Authorizer:          auth,
				HTTPClient:          client,
				BlockSize:           testBlockSize,
				Retry:               retry,
				// Never pick up credentials from the machine running the tests.
				Getenv: func(string) string { return "" },
			})
			if err != nil {
				t.Fatalf("uploader.NewHandler: %v", err)
			}
			return h
		},
	}
}

// directClient reaches emu directly (never through a proxy) with
// SharedKey, for checks and for writes that stand in for other parties.
func directClient(t testing.TB, emu *emulatortest.Emulator) *restapi.Client {
	t.Helper()
	cred, err := sharedkey.NewCredential(emu.AccountName, emu.AccountKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := restapi.NewClient(emu.Endpoint, cred, &restapi.Options{HTTPClient: emu.HTTPClient})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sharedKeyEnv is the uploader against a plain-HTTP Azurite with SharedKey.
func sharedKeyEnv(t testing.TB, emu *emulatortest.Emulator) conformance.Env {
	t.Helper()
	cred, err := sharedkey.NewCredential(emu.AccountName, emu.AccountKey)
	if err != nil {
		t.Fatal(err)
	}
	return uploaderEnv(t, "azurite-sharedkey", emu, emu.Endpoint, emu.HTTPClient, cred, testRetry)
}

// TestConformanceSharedKey runs the whole suite against Azurite over HTTP
// with SharedKey: part sources are authorized with account-key SAS.
func TestConformanceSharedKey(t *testing.T) {
	t.Parallel() // each test has its own Azurite
	emu := emulatortest.Start(t)
	env := sharedKeyEnv(t, emu)
	conformance.Run(t, env)
	conformance.AssertInprogressEmpty(t, env, "")
}

// TestConformanceBearer runs the whole suite against Azurite over HTTPS
// with bearer tokens from a stand-in Entra ID token endpoint (client
// secret credential): part sources are then authorized with
// user-delegation SAS.
func TestConformanceBearer(t *testing.T) {
	t.Parallel() // each test has its own Azurite
	emu := emulatortest.StartHTTPS(t)
	ts := identity.NewTokenServer(t, nil)
	app := ts.Register(identity.App{ClientID: identity.NewUUID(), Secret: "conformance-" + identity.NewUUID()})
	cred, err := aadtoken.NewClientSecretCredential(ts.Tenant, app.ClientID, app.Secret, &aadtoken.CredentialOptions{
		AuthorityHost: ts.AuthorityHost,
		HTTPClient:    ts.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	auth := aadtoken.NewBearerAuthorizer(cred)
	env := uploaderEnv(t, "azurite-bearer", emu, emu.Endpoint, emu.HTTPClient, auth, testRetry)
	var udk, notBearer atomic.Int64
	env = countDelegationKeys(env, &udk, &notBearer)
	conformance.Run(t, env)
	conformance.AssertInprogressEmpty(t, env, "")
	if udk.Load() == 0 {
		t.Errorf("no Get User Delegation Key request was sent: under bearer tokens part sources must be authorized with user-delegation SAS")
	}
	if notBearer.Load() != 0 {
		t.Errorf("%d requests were authorized with something other than a bearer token", notBearer.Load())
	}
	if ts.Issued() == 0 {
		t.Errorf("the token server issued no token")
	}
	t.Logf("bearer: %d user delegation key requests, %d tokens issued", udk.Load(), ts.Issued())
}

// countDelegationKeys wraps env's handler transport to count Get User
// Delegation Key requests (proving the bearer run used user-delegation SAS)
// and requests authorized by anything but a bearer token.
func countDelegationKeys(env conformance.Env, udk, notBearer *atomic.Int64) conformance.Env {
	inner := env.NewHandler
	env.NewHandler = func(t testing.TB, client *http.Client) conformance.Handler {
		c := *client
		c.Transport = conformance.NewRecorder(client.Transport, conformance.Hooks{
			BeforeSend: func(req *http.Request, op conformance.Op) error {
				if op == conformance.OpUserDelegationKey {
					udk.Add(1)
				}
				if a := req.Header.Get("Authorization"); a != "" && !strings.HasPrefix(a, "Bearer ") {
					notBearer.Add(1)
				}
				return nil
			},
		})
		return inner(t, &c)
	}
	return env
}
