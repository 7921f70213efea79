package aadtoken_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/emulatortest/identity"
)

// chainFixture is a full set of stand-ins: one token server where the
// same app accepts a secret, a certificate and a federated token, IMDS, and
// a fake az that is not logged in.
type chainFixture struct {
	srv     *identity.TokenServer
	app     identity.App
	imds    *identity.IMDS
	user    identity.Identity
	env     map[string]string
	az      string
	blocked string // an IMDS address where nothing answers
}

func newChainFixture(t *testing.T) *chainFixture {
	t.Helper()
	f := &chainFixture{srv: identity.NewTokenServer(t, nil)}
	cert := identity.NewSelfSignedCertificate(t, "chain-client")
	fed := "federated-token-for-chain"
	f.app = f.srv.Register(identity.App{ClientID: identity.NewUUID(), Secret: testSecret, Certificate: cert.Cert, FederatedToken: fed})
	f.imds = identity.NewIMDS(t, &identity.ManagedIdentityOptions{Tenant: f.srv.Tenant, SystemAssigned: &identity.Identity{},
		UserAssigned: []identity.Identity{{ClientID: identity.NewUUID()}}})
	f.user = f.imds.UserAssigned()[0]
	f.env = map[string]string{
		"AZURE_TENANT_ID":               f.srv.Tenant,
		"AZURE_CLIENT_ID":               f.app.ClientID,
		"AZURE_AUTHORITY_HOST":          f.srv.AuthorityHost,
		"AZURE_CLIENT_SECRET":           testSecret,
		"AZURE_CLIENT_CERTIFICATE_PATH": writeFile(t, "c.pem", bundle(t, cert, false)),
		"AZURE_FEDERATED_TOKEN_FILE":    writeFile(t, "fed", []byte(fed)),
	}
	f.az, _ = identity.FakeAzureCLI(t, identity.FakeAzureCLIOptions{NotLoggedIn: true})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f.blocked = "http://" + l.Addr().String() + "/metadata/identity/oauth2/token"
	return f
}

func (f *chainFixture) opts(drop ...string) *aadtoken.ChainOptions {
	env := map[string]string{}
	for k, v := range f.env {
		env[k] = v
	}
	for _, d := range drop {
		delete(env, d)
	}
	return &aadtoken.ChainOptions{
		HTTPClient:           f.srv.Client(),
		LookupEnv:            envMap(env),
		IMDSEndpoint:         f.imds.TokenURL,
		IMDSProbeTimeout:     30 * time.Second, // the stand-in answers; a slow machine must not make it look absent
		ManagedIdentityRetry: fastRetry,
		AzureCLIPath:         f.az,
	}
}

func newChain(t *testing.T, o *aadtoken.ChainOptions) *aadtoken.Chain {
	t.Helper()
	c, err := aadtoken.NewChainFromEnvironment(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestChainOrder(t *testing.T) {
	f := newChainFixture(t)
	cases := []struct {
		drop []string
		want string
		auth string
	}{
		{nil, "client secret", "secret"},
		{[]string{"AZURE_CLIENT_SECRET"}, "client certificate", "certificate"},
		{[]string{"AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH"}, "workload identity", "federated"},
		{[]string{"AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID"}, "managed identity", ""},
	}
	for _, c := range cases {
		before := len(f.srv.Requests())
		chain := newChain(t, f.opts(c.drop...))
		if chain.Selected() != "" {
			t.Fatal("selected before any Token call")
		}
		getToken(t, chain)
		if chain.Selected() != c.want {
			t.Fatalf("without %v selected %q, want %q", c.drop, chain.Selected(), c.want)
		}
		reqs := f.srv.Requests()[before:]
		if c.auth == "" {
			if len(reqs) != 0 {
				t.Fatalf("managed identity chain called the token server: %+v", reqs)
			}
			continue
		}
		if len(reqs) != 1 || reqs[0].Auth != c.auth {
			t.Fatalf("without %v: token server saw %+v", c.drop, reqs)
		}
	}
}

func TestChainClientIDSelectsUserAssignedIdentity(t *testing.T) {
	f := newChainFixture(t)
	all := []string{"AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE"}

	o := f.opts(all...)
	o.ClientID = f.user.ClientID // the azure_client_id of the azblob:// URL
	getToken(t, newChain(t, o))
	reqs := f.imds.Requests()
	if q := reqs[len(reqs)-1].Query; q.Get("client_id") != f.user.ClientID {
		t.Fatalf("IMDS client_id = %q, want the azblob URL's %q", q.Get("client_id"), f.user.ClientID)
	}

	// Without it, AZURE_CLIENT_ID selects the identity (as the Azure SDKs do).
	o = f.opts(all...)
	o.LookupEnv = envMap(map[string]string{"AZURE_CLIENT_ID": f.user.ClientID})
	getToken(t, newChain(t, o))
	reqs = f.imds.Requests()
	if q := reqs[len(reqs)-1].Query; q.Get("client_id") != f.user.ClientID {
		t.Fatalf("IMDS client_id = %q from AZURE_CLIENT_ID", q.Get("client_id"))
	}

	// For workload identity it replaces AZURE_CLIENT_ID.
	other := f.srv.Register(identity.App{ClientID: identity.NewUUID(), FederatedToken: "federated-token-for-chain"})
	o = f.opts("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH")
	o.ClientID = other.ClientID
	chain := newChain(t, o)
	getToken(t, chain)
	r := f.srv.Requests()
	if chain.Selected() != "workload identity" || r[len(r)-1].ClientID != other.ClientID {
		t.Fatalf("selected %q, last request %+v", chain.Selected(), r[len(r)-1])
	}
}

func TestChainAllFail(t *testing.T) {
	f := newChainFixture(t)
	o := f.opts("AZURE_CLIENT_ID", "AZURE_FEDERATED_TOKEN_FILE")
	// Secret and certificate are only half set up; IMDS is black-holed.
	o.IMDSEndpoint = f.blocked
	o.IMDSProbeTimeout = 100 * time.Millisecond
	chain := newChain(t, o)
	_, err := chain.Token(context.Background())
	var ce *aadtoken.ChainError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %T %v", err, err)
	}
	want := []struct {
		name    string
		skipped bool
		reason  string
	}{
		{"client secret", true, "AZURE_CLIENT_ID not set"},
		{"client certificate", true, "AZURE_CLIENT_ID not set"},
		{"workload identity", true, "AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID not set"},
		{"managed identity", true, "nothing answered at " + f.blocked},
		{"Azure CLI", true, "not logged in"},
	}
	if len(ce.Attempts) != len(want) {
		t.Fatalf("attempts = %+v", ce.Attempts)
	}
	for i, w := range want {
		a := ce.Attempts[i]
		if a.Credential != w.name || a.Skipped != w.skipped || !strings.Contains(a.Err.Error(), w.reason) {
			t.Errorf("attempt %d = %s skipped=%v %v; want %s skipped=%v %q", i, a.Credential, a.Skipped, a.Err, w.name, w.skipped, w.reason)
		}
	}
	msg := err.Error()
	for _, line := range []string{
		"aadtoken: no credential could get a token:",
		"\n  - client secret: skipped: AZURE_CLIENT_ID not set",
		"\n  - managed identity: skipped: nothing answered at",
		"\n  - Azure CLI: skipped: not logged in",
		"README's Authentication section",
	} {
		if !strings.Contains(msg, line) {
			t.Errorf("message lacks %q:\n%s", line, msg)
		}
	}
	if !errors.Is(err, aadtoken.ErrCredentialUnavailable) {
		t.Error("errors.Is(ChainError, ErrCredentialUnavailable) = false")
	}
}

func TestChainReportsFailuresAndMovesOn(t *testing.T) {
	f := newChainFixture(t)
	o := f.opts("AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE")
	env := map[string]string{}
	for k, v := range f.env {
		env[k] = v
	}
	env["AZURE_CLIENT_SECRET"] = "a-wrong-secret-value"
	env["AZURE_CLIENT_CERTIFICATE_PATH"] = writeFile(t, "bad.pem", []byte("not pem"))
	delete(env, "AZURE_FEDERATED_TOKEN_FILE")
	o.LookupEnv = envMap(env)
	o.ClientID = f.user.ClientID
	var logs bytes.Buffer
	o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	chain := newChain(t, o)
	getToken(t, chain)
	if chain.Selected() != "managed identity" {
		t.Fatalf("selected %q", chain.Selected())
	}
	for _, want := range []string{"level=WARN msg=\"aadtoken: chain credential failed; trying the next\" credential=\"client secret\"", "AADSTS7000215",
		"credential=\"client certificate\"", "no PEM blocks", "chain selected a credential"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs.String())
		}
	}

	// Once selected, the chain sticks to it: its failures are returned as is.
	f.imds.Script(400)
	_, err := chain.Token(context.Background())
	var ae *aadtoken.AuthError
	if !errors.As(err, &ae) || ae.Credential != "managed identity (IMDS)" {
		t.Fatalf("err = %v", err)
	}
}

func TestChainConcurrentFirstUseProbesOnce(t *testing.T) {
	f := newChainFixture(t)
	chain := newChain(t, f.opts("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID"))
	errs := make(chan error, 20)
	for range 20 {
		go func() {
			_, err := chain.Token(context.Background())
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	probes := 0
	for _, r := range f.imds.Requests() {
		if r.Probe {
			probes++
		}
	}
	if probes != 1 {
		t.Fatalf("IMDS probed %d times", probes)
	}
}

func TestChainHonoursContext(t *testing.T) {
	f := newChainFixture(t)
	o := f.opts("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE")
	o.IMDSEndpoint = f.blocked
	o.IMDSProbeTimeout = 10 * time.Second
	chain := newChain(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := chain.Token(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v (the 10 s probe must give way to the caller's 100 ms deadline)", err)
	}
}

func TestChainOptionsValidation(t *testing.T) {
	if _, err := aadtoken.NewChainFromEnvironment(&aadtoken.ChainOptions{ClientID: "bad id/.."}); err == nil {
		t.Error("bad azure_client_id accepted")
	}
	if _, err := aadtoken.NewChainFromEnvironment(&aadtoken.ChainOptions{Scope: "a b"}); err == nil {
		t.Error("two scopes accepted")
	}
	f := newChainFixture(t)
	chain := newChain(t, f.opts())
	for _, s := range []string{chain.String(), fmt.Sprintf("%v", chain), fmt.Sprintf("%+v", chain), fmt.Sprintf("%#v", chain)} {
		if strings.Contains(s, testSecret) || !strings.Contains(s, "aadtoken.Chain{aadtoken.ClientSecretCredential{") {
			t.Errorf("String = %s", s)
		}
	}
}
