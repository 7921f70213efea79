package aadtoken_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/emulatortest/identity"
)

// secretWatch collects every secret a test handles and every piece of
// text the package produced, and fails if one appears in the other.
type secretWatch struct {
	mu      sync.Mutex
	secrets map[string]string // value -> what it is
	outputs []string
	logs    bytes.Buffer
}

func newSecretWatch() *secretWatch { return &secretWatch{secrets: map[string]string{}} }

func (w *secretWatch) secret(what, v string) {
	if len(v) < 8 {
		panic("test secret too short to search for: " + what)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.secrets[v] = what
}

func (w *secretWatch) output(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.outputs = append(w.outputs, s)
}

// describe records every printed form of v.
func (w *secretWatch) describe(v any) {
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		w.output(fmt.Sprintf(f, v))
	}
}

func (w *secretWatch) logger() *slog.Logger {
	h := slog.NewJSONHandler(&lockedWriter{w: &w.logs, mu: &w.mu}, &slog.HandlerOptions{Level: slog.LevelDebug})
	return slog.New(h)
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (w *secretWatch) check(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	all := append([]string{w.logs.String()}, w.outputs...)
	if w.logs.Len() == 0 {
		t.Fatal("no debug logs were produced; the test would prove nothing")
	}
	for v, what := range w.secrets {
		forms := []string{v, url.QueryEscape(v)}
		for _, text := range all {
			for _, f := range forms {
				if strings.Contains(text, f) {
					t.Errorf("%s leaked into output: %.300s", what, text)
				}
			}
		}
	}
	t.Logf("checked %d secrets against %d outputs and %d bytes of logs", len(w.secrets), len(w.outputs), w.logs.Len())
}

// sniffer records the request bodies and response bodies of token calls,
// so the assertions sent and tokens received become known secrets.
type sniffer struct {
	base  http.RoundTripper
	watch *secretWatch
}

func (s *sniffer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(b))
		q, _ := url.ParseQuery(string(b))
		for _, k := range []string{"client_secret", "client_assertion"} {
			if v := q.Get(k); v != "" {
				s.watch.secret(k+" sent", v)
			}
		}
	}
	if h := req.Header.Get("X-IDENTITY-HEADER"); h != "" {
		s.watch.secret("X-IDENTITY-HEADER", h)
	}
	resp, err := s.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if i := bytes.Index(b, []byte(`"access_token":"`)); i >= 0 {
		rest := b[i+len(`"access_token":"`):]
		if j := bytes.IndexByte(rest, '"'); j > 8 {
			s.watch.secret("access token received", string(rest[:j]))
		}
	}
	return resp, nil
}

func TestNoSecretInLogsErrorsOrStrings(t *testing.T) {
	w := newSecretWatch()
	log := w.logger()
	srv := identity.NewTokenServer(t, nil)
	client := &http.Client{Transport: &sniffer{base: srv.Client().Transport, watch: w}}
	ctx := context.Background()

	cert := identity.NewSelfSignedCertificate(t, "secrets-client")
	keyPEM := cert.KeyPKCS8PEM(t)
	for _, line := range strings.Split(string(keyPEM), "\n") {
		if len(line) == 64 { // base64 body lines of the private key
			w.secret("private key PEM", line)
		}
	}
	w.secret("private key D", cert.Key.D.String()[:40])
	w.secret("private key DER", base64.StdEncoding.EncodeToString(cert.Key.D.Bytes())[:40])
	fed := "eyJhbGciOiJSUzI1NiJ9.ZmVkZXJhdGVkLXNlY3JldA.c2lnbmF0dXJlLWZlZA"
	w.secret("client secret", testSecret)
	w.secret("federated token", fed)
	w.secret("certificate password", "p4ssw0rd-for-pfx")

	app := srv.Register(identity.App{ClientID: identity.NewUUID(), Secret: testSecret, Certificate: cert.Cert, FederatedToken: fed})
	env := map[string]string{
		"AZURE_TENANT_ID": srv.Tenant, "AZURE_CLIENT_ID": app.ClientID, "AZURE_AUTHORITY_HOST": srv.AuthorityHost,
		"AZURE_CLIENT_SECRET":               testSecret,
		"AZURE_CLIENT_CERTIFICATE_PATH":     writeFile(t, "c.pem", append(keyPEM, cert.CertPEM()...)),
		"AZURE_CLIENT_CERTIFICATE_PASSWORD": "p4ssw0rd-for-pfx",
		"AZURE_FEDERATED_TOKEN_FILE":        writeFile(t, "fed", []byte(fed)),
	}
	co := aadtoken.CredentialOptions{HTTPClient: client, Logger: log, LookupEnv: envMap(env)}

	secretCred, err := aadtoken.NewClientSecretCredentialFromEnvironment(&co)
	must(t, err)
	certCred, err := aadtoken.NewClientCertificateCredentialFromEnvironment(&aadtoken.ClientCertificateOptions{CredentialOptions: co})
	must(t, err)
	wiCred, err := aadtoken.NewWorkloadIdentityCredentialFromEnvironment("", &co)
	must(t, err)

	imds := identity.NewIMDS(t, &identity.ManagedIdentityOptions{SystemAssigned: &identity.Identity{}})
	imdsCred, err := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IMDSEndpoint: imds.TokenURL,
		HTTPClient: &http.Client{Transport: &sniffer{base: http.DefaultTransport, watch: w}}, Logger: log, ProbeTimeout: 30e9, Retry: fastRetry}) // 30 s: the stand-in answers
	must(t, err)
	as := identity.NewAppService(t, &identity.ManagedIdentityOptions{SystemAssigned: &identity.Identity{}})
	w.secret("IDENTITY_HEADER", as.Header)
	asCred, err := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IdentityEndpoint: as.Endpoint, IdentityHeader: as.Header,
		HTTPClient: &http.Client{Transport: &sniffer{base: http.DefaultTransport, watch: w}}, Logger: log, Retry: fastRetry})
	must(t, err)

	m, _ := identity.NewMinter()
	cliToken, _ := m.Mint(identity.AccessClaims{Tenant: srv.Tenant, ObjectID: identity.NewUUID()})
	w.secret("Azure CLI token", cliToken)
	az, _ := identity.FakeAzureCLI(t, identity.FakeAzureCLIOptions{Token: cliToken})
	cliCred, err := aadtoken.NewAzureCLICredential(&aadtoken.AzureCLIOptions{Path: az, Logger: log})
	must(t, err)

	chain, err := aadtoken.NewChainFromEnvironment(&aadtoken.ChainOptions{HTTPClient: client, Logger: log, LookupEnv: envMap(env),
		IMDSEndpoint: imds.TokenURL, AzureCLIPath: az})
	must(t, err)

	sources := []aadtoken.TokenSource{secretCred, certCred, wiCred, imdsCred, asCred, cliCred, chain}
	for _, src := range sources {
		cache := aadtoken.NewCachingSource(src, &aadtoken.CacheOptions{Logger: log})
		auth := aadtoken.NewBearerAuthorizer(cache)
		tok, err := cache.Token(ctx)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		w.secret("token from "+fmt.Sprintf("%T", src), tok.AccessToken)
		w.describe(tok)
		w.describe(src)
		w.describe(cache)
		w.describe(auth)
		log.Debug("describing", "source", src, "token", tok, "cache", cache, "auth", auth)
		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/devstoreaccount1/c", nil)
		if err := auth.Authorize(ctx, req); err != nil {
			w.output(err.Error())
		}
	}
	w.describe(chain)

	// Failures: every endpoint refuses, some echoing what they were sent.
	srv.FailNext(identity.Failure{Status: 401, Code: "invalid_client", AADSTS: 7000215, Description: "echo: client_secret=" + url.QueryEscape(testSecret)})
	srv.FailNext(identity.Failure{Status: 401, Code: "invalid_client", AADSTS: 700027, Description: "echo: " + fed})
	for _, src := range []aadtoken.TokenSource{secretCred, wiCred, certCred} {
		_, err := src.Token(ctx)
		if err != nil {
			w.output(err.Error())
			w.describe(err)
		}
	}
	echo := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(400)
		fmt.Fprintf(rw, `{"error":"invalid_request","error_description":"you sent %s","correlation_id":"%s"}`, b, b)
	}))
	defer echo.Close()
	for _, mk := range []func(aadtoken.CredentialOptions) (aadtoken.TokenSource, error){
		func(o aadtoken.CredentialOptions) (aadtoken.TokenSource, error) {
			return aadtoken.NewClientSecretCredential("tenant", "client", testSecret, &o)
		},
		func(o aadtoken.CredentialOptions) (aadtoken.TokenSource, error) {
			return aadtoken.NewWorkloadIdentityCredential("tenant", "client", env["AZURE_FEDERATED_TOKEN_FILE"], &o)
		},
		func(o aadtoken.CredentialOptions) (aadtoken.TokenSource, error) {
			return aadtoken.NewClientCertificateCredential("tenant", "client", certsOf(cert), cert.Key,
				&aadtoken.ClientCertificateOptions{CredentialOptions: o})
		},
	} {
		src, err := mk(aadtoken.CredentialOptions{AuthorityHost: echo.URL, Logger: log,
			HTTPClient: &http.Client{Transport: &sniffer{base: echo.Client().Transport, watch: w}}})
		must(t, err)
		_, err = src.Token(ctx)
		if err == nil {
			t.Fatal("echo server accepted")
		}
		if !strings.Contains(err.Error(), "REDACTED") {
			t.Errorf("echoed secret not scrubbed: %v", err)
		}
		w.output(err.Error())
	}
	as.Script(500, 500, 500, 500)
	if _, err := asCred.Token(ctx); err != nil {
		w.output(err.Error())
	}
	bad, _ := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IdentityEndpoint: as.Endpoint, IdentityHeader: "wrong-identity-header", Logger: log})
	w.secret("wrong identity header", "wrong-identity-header")
	if _, err := bad.Token(ctx); err != nil {
		w.output(err.Error())
	}
	w.check(t)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
