//go:build unix && !darwin

// Unix only, and not macOS: the Azure CLI stand-in is a /bin/sh script, and
// the CLI runs trust the test certificates through SSL_CERT_FILE, which Go
// honours on every Unix but macOS (crypto/x509 uses the platform verifier
// there).

package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/emulatortest/identity"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/sharedkey"
	"github.com/azblobmin/azblobmin/uploader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// entraEnvVars are the process environment variables the Entra chain reads
// (the uploader hands its Config.Getenv only to the SharedKey lookup, so
// the library runs set these with t.Setenv), plus PATH, where it looks
// for az. Every library run sets all of them, so the developer's own
// environment never takes part.
var entraEnvVars = []string{
	"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
	"AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
	"AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST",
	"IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET",
	"AZURE_POD_IDENTITY_AUTHORITY_HOST", "PATH",
}

// everyKind is the shared setup: one HTTPS Azurite (bearer tokens) next to
// the package's HTTP one (SharedKey), fault proxies in front of both that
// only record what the CLI sends, the identity stand-ins, and every secret.
type everyKind struct {
	https                 *emulatortest.Emulator
	httpProxy, httpsProxy *emulatortest.FaultProxy
	ts                    *identity.TokenServer
	imds                  *identity.IMDS
	appSvc                *identity.AppService

	secretApp, certApp, fedApp identity.App
	certFile, rogueCertFile    string
	fedFile, wrongFedFile      string
	wrongSecret, wrongHeader   string
	wrongKey                   string
	azDir, expiredAzDir        string
	azArgs, expiredAzArgs      string
	emptyDir                   string
	caFile                     string // for the CLI: the HTTPS proxy and token server certificates

	libTransport *recordingTransport
	libClient    *http.Client
	vault        *secretVault
	scan         *leakScanner
	stats        *wireStats
	rec          *wireRecorder
}

// credKind is one row of the table: how to set the credential up in the
// environment, how to set it up wrongly, and how to build it directly.
type credKind struct {
	name  string
	entra bool
	// env is the working environment (merged over the common one).
	env func(f *everyKind) map[string]string
	// bad is a broken setup and the fragment to add to the storage URL.
	bad     func(f *everyKind) (env map[string]string, fragment string)
	badWhat string
	// badIsAuth: the broken setup fails at Azurite (403), not at the
	// token endpoint (no credential of the chain produced a token).
	badIsAuth bool
	// direct builds the credential itself, for the renderings.
	direct func(f *everyKind, env map[string]string, log *slog.Logger) (aadtoken.TokenSource, error)
	// used counts the stand-in's successful answers for this kind.
	used func(f *everyKind) int
	// captured counts what the library's recorder captured of this kind's
	// own secrets on the wire (proof that the capture feeding the vault
	// works); nil for az, whose token comes from a process, and is known.
	captured func(d statsSnapshot) int64
}

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v := env[k]; return v, v != "" }
}

func credKinds() []credKind {
	tokenRequests := func(auth string) func(f *everyKind) int {
		return func(f *everyKind) int {
			n := 0
			for _, r := range f.ts.Requests() {
				if r.Auth == auth && r.Status == http.StatusOK {
					n++
				}
			}
			return n
		}
	}
	azRuns := func(f *everyKind) int {
		b, _ := os.ReadFile(f.azArgs)
		return bytes.Count(b, []byte("get-access-token"))
	}
	entra := func(f *everyKind, app identity.App, kv ...string) map[string]string {
		m := map[string]string{"AZURE_TENANT_ID": f.ts.Tenant, "AZURE_CLIENT_ID": app.ClientID, "AZURE_AUTHORITY_HOST": f.ts.AuthorityHost}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	connString := func(key string) string {
		return "DefaultEndpointsProtocol=http;AccountName=" + emu.AccountName + ";AccountKey=" + key + ";BlobEndpoint=" + emu.Endpoint + ";"
	}
	return []credKind{
		{
			name: "SharedKey (AZURE_STORAGE_KEY)",
			env:  func(f *everyKind) map[string]string { return map[string]string{"AZURE_STORAGE_KEY": emu.AccountKey} },
			bad: func(f *everyKind) (map[string]string, string) {
				return map[string]string{"AZURE_STORAGE_KEY": f.wrongKey}, ""
			},
			badWhat:   "a wrong account key",
			badIsAuth: true,
		},
		{
			name: "connection string (AZURE_STORAGE_CONNECTION_STRING)",
			env: func(f *everyKind) map[string]string {
				return map[string]string{"AZURE_STORAGE_CONNECTION_STRING": connString(emu.AccountKey)}
			},
			bad: func(f *everyKind) (map[string]string, string) {
				return map[string]string{"AZURE_STORAGE_CONNECTION_STRING": connString(f.wrongKey)}, ""
			},
			badWhat:   "a connection string with a wrong key",
			badIsAuth: true,
		},
		{
			name:  "client secret",
			entra: true,
			env: func(f *everyKind) map[string]string {
				return entra(f, f.secretApp, "AZURE_CLIENT_SECRET", f.secretApp.Secret)
			},
			bad: func(f *everyKind) (map[string]string, string) {
				return entra(f, f.secretApp, "AZURE_CLIENT_SECRET", f.wrongSecret), ""
			},
			badWhat: "a wrong client secret",
			direct: func(f *everyKind, env map[string]string, log *slog.Logger) (aadtoken.TokenSource, error) {
				return aadtoken.NewClientSecretCredentialFromEnvironment(&aadtoken.CredentialOptions{HTTPClient: f.libClient, Logger: log, LookupEnv: lookupIn(env)})
			},
			used:     tokenRequests("secret"),
			captured: func(d statsSnapshot) int64 { return min(d.clientSecrets, d.tokens) },
		},
		{
			name:  "client certificate (assertion)",
			entra: true,
			env: func(f *everyKind) map[string]string {
				return entra(f, f.certApp, "AZURE_CLIENT_CERTIFICATE_PATH", f.certFile)
			},
			bad: func(f *everyKind) (map[string]string, string) {
				return entra(f, f.certApp, "AZURE_CLIENT_CERTIFICATE_PATH", f.rogueCertFile), ""
			},
			badWhat: "a certificate the app does not know",
			direct: func(f *everyKind, env map[string]string, log *slog.Logger) (aadtoken.TokenSource, error) {
				return aadtoken.NewClientCertificateCredentialFromEnvironment(&aadtoken.ClientCertificateOptions{
					CredentialOptions: aadtoken.CredentialOptions{HTTPClient: f.libClient, Logger: log, LookupEnv: lookupIn(env)}})
			},
			used:     tokenRequests("certificate"),
			captured: func(d statsSnapshot) int64 { return min(d.assertions, d.tokens) },
		},
		{
			name:  "workload identity (federated token file)",
			entra: true,
			env: func(f *everyKind) map[string]string {
				return entra(f, f.fedApp, "AZURE_FEDERATED_TOKEN_FILE", f.fedFile)
			},
			bad: func(f *everyKind) (map[string]string, string) {
				return entra(f, f.fedApp, "AZURE_FEDERATED_TOKEN_FILE", f.wrongFedFile), ""
			},
			badWhat: "a federated token Entra does not accept",
			direct: func(f *everyKind, env map[string]string, log *slog.Logger) (aadtoken.TokenSource, error) {
				return aadtoken.NewWorkloadIdentityCredentialFromEnvironment("", &aadtoken.CredentialOptions{HTTPClient: f.libClient, Logger: log, LookupEnv: lookupIn(env)})
			},
			used:     tokenRequests("federated"),
			captured: func(d statsSnapshot) int64 { return min(d.assertions, d.tokens) }, // the federated token is sent as client_assertion
		},
		{
			name:  "managed identity (IMDS)",
			entra: true,
			env: func(f *everyKind) map[string]string {
				return map[string]string{"AZURE_POD_IDENTITY_AUTHORITY_HOST": f.imds.Host}
			},
			bad: func(f *everyKind) (map[string]string, string) {
				return map[string]string{"AZURE_POD_IDENTITY_AUTHORITY_HOST": f.imds.Host}, "&azure_client_id=" + identity.NewUUID()
			},
			badWhat: "a user-assigned identity that is not attached",
			direct: func(f *everyKind, env map[string]string, log *slog.Logger) (aadtoken.TokenSource, error) {
				return aadtoken.NewManagedIdentityCredentialFromEnvironment(&aadtoken.ManagedIdentityOptions{HTTPClient: f.libClient, Logger: log, LookupEnv: lookupIn(env), ProbeTimeout: 30 * time.Second})
			},
			used:     func(f *everyKind) int { return f.imds.Issued() },
			captured: func(d statsSnapshot) int64 { return d.tokens },
		},
		{
			name:  "managed identity (App Service IDENTITY_ENDPOINT)",
			entra: true,
			env: func(f *everyKind) map[string]string {
				return map[string]string{"IDENTITY_ENDPOINT": f.appSvc.Endpoint, "IDENTITY_HEADER": f.appSvc.Header}
			},
			bad: func(f *everyKind) (map[string]string, string) {
				return map[string]string{"IDENTITY_ENDPOINT": f.appSvc.Endpoint, "IDENTITY_HEADER": f.wrongHeader}, ""
			},
			badWhat: "a wrong IDENTITY_HEADER",
			direct: func(f *everyKind, env map[string]string, log *slog.Logger) (aadtoken.TokenSource, error) {
				return aadtoken.NewManagedIdentityCredentialFromEnvironment(&aadtoken.ManagedIdentityOptions{HTTPClient: f.libClient, Logger: log, LookupEnv: lookupIn(env)})
			},
			used:     func(f *everyKind) int { return f.appSvc.Issued() },
			captured: func(d statsSnapshot) int64 { return min(d.identityHeaders, d.tokens) },
		},
		{
			name:  "Azure CLI (az)",
			entra: true,
			env: func(f *everyKind) map[string]string {
				return map[string]string{"PATH": f.azDir + string(os.PathListSeparator) + os.Getenv("PATH")}
			},
			bad: func(f *everyKind) (map[string]string, string) {
				return map[string]string{"PATH": f.expiredAzDir + string(os.PathListSeparator) + os.Getenv("PATH")}, ""
			},
			badWhat:   "an expired token (az claims it is still valid)",
			badIsAuth: true,
			direct: func(f *everyKind, env map[string]string, log *slog.Logger) (aadtoken.TokenSource, error) {
				return aadtoken.NewAzureCLICredential(&aadtoken.AzureCLIOptions{Path: filepath.Join(f.azDir, "az"), Logger: log})
			},
			used: azRuns,
		},
	}
}

// TestSecretsEveryKind drives every credential kind through the uploader
// library and the CLI at debug logging, on the happy path and on failures
// (wrong key, wrong secret, unknown certificate, rejected federated token,
// unattached identity, wrong identity header, expired token, a 403 from a
// Put Block From URL source, a 404), and fails if an account key, SAS
// signature, SharedKey signature, access token, client secret, client
// assertion, federated token, identity header, private key or user
// delegation key appears in any log line, error string (any verb, every
// wrapped error), rendering of a credential/token/SAS/config value, panic
// message, CLI stdout/stderr or process arguments. The Entra kinds also
// prove that completion used user-delegation SAS.
func TestSecretsEveryKind(t *testing.T) {
	t.Run("scanner self-check", testLeakScannerCatchesPlantedSecrets)
	if t.Failed() {
		t.FailNow() // a blind scanner would make everything below pass
	}
	start := time.Now()
	f := newEveryKind(t)
	for _, k := range credKinds() {
		t.Run(k.name, func(t *testing.T) {
			t.Run("library", func(t *testing.T) { f.library(t, k) })
			t.Run("CLI", func(t *testing.T) { f.cli(t, k) })
			f.scan.check(t)
		})
	}
	// Secrets captured late (the last kind's) against every earlier output.
	f.scan.check(t)
	kinds, secrets, forms := f.vault.summary()
	f.scan.mu.Lock()
	t.Logf("checked %d secret values (%d encoded forms) against %d outputs (%d bytes): %d searches, %d leaks; %s",
		secrets, forms, len(f.scan.outs), f.scan.bytes, f.scan.pairs, f.scan.leaks, time.Since(start).Round(time.Millisecond))
	f.scan.mu.Unlock()
	t.Logf("secrets by kind: %s", kinds)
	for _, where := range []string{"library debug log", "error", "rendering", "panic", "CLI stdout", "CLI stderr", "arguments"} {
		t.Logf("outputs labelled %q: %d", where, f.scan.outputs(where))
	}
}

func newEveryKind(t *testing.T) *everyKind {
	f := &everyKind{vault: newSecretVault(), stats: &wireStats{}}
	f.scan = newLeakScanner(f.vault)
	f.rec = &wireRecorder{vault: f.vault, stats: f.stats}
	f.vault.add("account key", emu.AccountKey)
	f.wrongKey = base64.StdEncoding.EncodeToString(randomBytes(64))
	f.vault.add("account key (wrong)", f.wrongKey)

	f.https = emulatortest.StartHTTPS(t)
	hook := func(r *http.Request) emulatortest.Fault { f.rec.request(r); return emulatortest.Fault{} }
	f.httpProxy = emu.StartFaultProxy(t, emulatortest.FaultProxyOptions{Hook: hook})
	f.httpsProxy = f.https.StartFaultProxy(t, emulatortest.FaultProxyOptions{Hook: hook})

	// Entra ID stand-in: one app per credential kind.
	f.ts = identity.NewTokenServer(t, nil)
	cert := identity.NewSelfSignedCertificate(t, "azblobmin-everykind")
	rogue := identity.NewSelfSignedCertificate(t, "azblobmin-everykind-rogue")
	f.secretApp = f.ts.Register(identity.App{ClientID: identity.NewUUID(), Secret: "cs~" + randomHex(20)})
	f.certApp = f.ts.Register(identity.App{ClientID: identity.NewUUID(), Certificate: cert.Cert})
	fed := fakeJWT()
	f.fedApp = f.ts.Register(identity.App{ClientID: identity.NewUUID(), FederatedToken: fed})
	f.wrongSecret = "cs~" + randomHex(20)
	f.vault.add("client secret", f.secretApp.Secret)
	f.vault.add("client secret (wrong)", f.wrongSecret)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		return p
	}
	for _, c := range []*identity.Certificate{cert, rogue} {
		keyPEM := c.KeyPKCS8PEM(t)
		f.addPrivateKey(keyPEM)
		if c == cert {
			f.certFile = write("client.pem", append(keyPEM, c.CertPEM()...))
		} else {
			f.rogueCertFile = write("rogue.pem", append(keyPEM, c.CertPEM()...))
		}
	}
	wrongFed := fakeJWT()
	f.vault.add("federated token", fed)
	f.vault.add("federated token (wrong)", wrongFed)
	f.fedFile = write("federated-token", []byte(fed))
	f.wrongFedFile = write("federated-token-wrong", []byte(wrongFed))

	// Managed identity stand-ins.
	f.imds = identity.NewIMDS(t, &identity.ManagedIdentityOptions{SystemAssigned: &identity.Identity{}})
	f.appSvc = identity.NewAppService(t, &identity.ManagedIdentityOptions{SystemAssigned: &identity.Identity{}, Header: "hdr-" + randomHex(20)})
	f.wrongHeader = "hdr-" + randomHex(20)
	f.vault.add("identity header", f.appSvc.Header)
	f.vault.add("identity header (wrong)", f.wrongHeader)

	// Azure CLI stand-ins: one logged in, one handing out an expired token
	// while claiming it is valid for an hour.
	m, err := identity.NewMinter()
	require.NoError(t, err)
	azToken, err := m.Mint(identity.AccessClaims{Tenant: identity.NewUUID(), ObjectID: identity.NewUUID(), AppID: identity.NewUUID()})
	require.NoError(t, err)
	expired, err := m.Mint(identity.AccessClaims{Tenant: identity.NewUUID(), ObjectID: identity.NewUUID(), AppID: identity.NewUUID(),
		Now: time.Now().Add(-2 * time.Hour), Lifetime: time.Hour})
	require.NoError(t, err)
	f.vault.add("access token (Azure CLI)", azToken)
	f.vault.add("access token (Azure CLI, expired)", expired)
	var azPath, expiredPath string
	azPath, f.azArgs = identity.FakeAzureCLI(t, identity.FakeAzureCLIOptions{Token: azToken})
	expiredPath, f.expiredAzArgs = identity.FakeAzureCLI(t, identity.FakeAzureCLIOptions{Token: expired, ExpiresOn: time.Now().Add(time.Hour)})
	f.azDir, f.expiredAzDir = filepath.Dir(azPath), filepath.Dir(expiredPath)
	f.emptyDir = t.TempDir()

	// The library's client trusts HTTPS Azurite and the token endpoint and
	// records every secret; the CLI trusts the HTTPS proxy and the token
	// endpoint through SSL_CERT_FILE.
	tsPEM := peerCertPEM(t, f.ts.AuthorityHost, f.ts.Client())
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(f.https.CACertPEM))
	require.True(t, pool.AppendCertsFromPEM(tsPEM))
	base := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, MaxIdleConnsPerHost: 64}
	t.Cleanup(base.CloseIdleConnections)
	f.libTransport = &recordingTransport{base: base, rec: f.rec}
	f.libClient = &http.Client{Transport: f.libTransport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	f.caFile = write("ca.pem", append(append([]byte(nil), f.httpsProxy.CACertPEM...), tsPEM...))
	return f
}

// addPrivateKey registers a private key PEM: each base64 line of its body,
// and the whole body.
func (f *everyKind) addPrivateKey(keyPEM []byte) {
	block, _ := pem.Decode(keyPEM)
	f.vault.add("private key (DER, base64)", base64.StdEncoding.EncodeToString(block.Bytes))
	for _, line := range strings.Split(string(keyPEM), "\n") {
		if len(line) >= minSecretLen && !strings.HasPrefix(line, "-----") {
			f.vault.add("private key PEM line", line)
		}
	}
}

// fakeJWT returns a random JWT-shaped federated token (Kubernetes service
// account tokens are JWTs; the stand-in compares them byte for byte).
func fakeJWT() string {
	enc := base64.RawURLEncoding
	payload := fmt.Sprintf(`{"aud":["api://AzureADTokenExchange"],"iss":"https://oidc.example","sub":"system:serviceaccount:ns:sa","jti":%q}`, randomHex(16))
	return enc.EncodeToString([]byte(`{"alg":"RS256","kid":"k8s"}`)) + "." + enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(randomBytes(256))
}

// peerCertPEM returns the certificate a TLS server presents, verified with
// client's trust.
func peerCertPEM(t *testing.T, rawURL string, client *http.Client) []byte {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	tr, ok := client.Transport.(*http.Transport)
	require.True(t, ok, "the stand-in's client has an *http.Transport")
	conn, err := tls.Dial("tcp", u.Host, tr.TLSClientConfig.Clone())
	require.NoError(t, err)
	defer conn.Close()
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: conn.ConnectionState().PeerCertificates[0].Raw})
}

// envFor merges the common environment (no IMDS on the machine: a closed
// port answers at once; no az on PATH) with kind's.
func (f *everyKind) envFor(kind map[string]string) map[string]string {
	env := map[string]string{"AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9", "PATH": f.emptyDir}
	for k, v := range kind {
		env[k] = v
	}
	return env
}

// setProcessEnv makes the process environment the Entra chain reads equal
// to env (for the library runs).
func setProcessEnv(t *testing.T, env map[string]string) {
	for _, k := range entraEnvVars {
		t.Setenv(k, env[k])
	}
}

// storageURL is the azblob URL of fresh containers on endpoint host.
func storageURL(entra bool, host string) string {
	scheme := "azblob-http"
	if entra {
		scheme = "azblob"
	}
	id := randomHex(5)
	return scheme + "://" + host + "/" + emu.AccountName + "#session_container=s" + id + "&inprogress_container=p" + id
}

// library runs the uploader with the kind's credential, a debug logger and
// the recording client, on the happy path and on failures.
func (f *everyKind) library(t *testing.T, k credKind) {
	ctx := context.Background()
	var logs lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	where := k.name + ": library "
	// Collected and checked even when a step below fails the test.
	defer func() {
		f.scan.output(where+"debug log", logs.String())
		f.scan.check(t)
	}()
	errs := func(what string, err error) {
		for _, s := range errorTexts(err) {
			f.scan.output(where+"error of "+what, s)
		}
		f.scan.output(where+"panic message of panic(err) after "+what, panicMessage(err))
		f.scan.output(where+"panic message of panic(fmt.Errorf(%w)) after "+what, panicMessage(fmt.Errorf("wrapped: %w", err)))
		logger.Error("failure", "what", what, "error", err)
	}
	render := func(what string, v any) {
		for _, s := range renderings(v) {
			f.scan.output(where+"rendering of "+what, s)
		}
		f.scan.output(where+"panic message of panic("+what+")", panicMessage(v))
		f.scan.output(where+"panic message of panic(fmt.Sprint("+what+"))", panicMessage(fmt.Sprint(v)))
		logger.Debug("rendering", "what", what, "value", v)
	}
	host := emu.Host
	if k.entra {
		host = f.https.Host
	}
	config := func(env map[string]string, fragment string) uploader.Config {
		u, err := url.Parse(storageURL(k.entra, host) + fragment)
		require.NoError(t, err)
		var cfg uploader.Config
		require.NoError(t, cfg.SetFromURL(u))
		cfg.Getenv = func(key string) string { return env[key] }
		cfg.HTTPClient = f.libClient
		cfg.Logger = logger
		cfg.Retry = restapi.RetryPolicy{MaxTries: 2}
		return cfg
	}
	env := f.envFor(k.env(f))
	setProcessEnv(t, env)
	before, usedBefore := f.stats.snapshot(), f.used(k)

	cfg := config(env, "")
	h, err := uploader.NewHandler(ctx, cfg)
	f.must(t, err, "NewHandler")
	sid := identity.NewUUID()
	up, err := h.CreateUpload(ctx, sid)
	f.must(t, err, "CreateUpload")
	p1, p2 := randomBytes(3000), randomBytes(5000)
	part1, err := h.UploadPart(ctx, *up, 1, bytes.NewReader(p1))
	f.must(t, err, "UploadPart 1")
	part2, err := h.UploadPart(ctx, *up, 2, bytes.NewReader(p2))
	f.must(t, err, "UploadPart 2")
	parts := []uploader.StreamPart{*part1, *part2}

	// A 403 on Put Block From URL: the sources' SAS is corrupted on the
	// wire, after signing.
	f.libTransport.corrupt.Store(true)
	err = h.CompleteUpload(ctx, *up, parts)
	f.libTransport.corrupt.Store(false)
	require.Error(t, err, "a completion with a corrupted source SAS must fail")
	var re *restapi.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("want a *restapi.ResponseError, got %s", f.masked(err.Error()))
	}
	assert.Equal(t, http.StatusForbidden, re.StatusCode, "%s %s", re.Operation, re.ErrorCode)
	errs("CompleteUpload with a corrupted source SAS", err)
	// The first 403 cancels the sibling copy, which may never reach the
	// wire: the failed completion sends one or two sources, the good one two.
	failed := f.stats.snapshot().minus(before)
	assert.GreaterOrEqual(t, failed.copySourceSigs, int64(1), "the failed completion sent a source SAS")

	f.must(t, h.CompleteUpload(ctx, *up, parts), "CompleteUpload")
	completed := f.stats.snapshot().minus(before).minus(failed)
	assert.GreaterOrEqual(t, completed.copySourceSigs, int64(2), "the completion sent both parts' source SAS")
	var got bufferAt
	f.must(t, h.Download(ctx, sid, &got), "Download")
	assert.True(t, bytes.Equal(append(append([]byte(nil), p1...), p2...), got.bytes()), "downloaded recording differs")

	// A 404.
	err = h.Download(ctx, identity.NewUUID(), &bufferAt{})
	if !errors.Is(err, uploader.ErrNotFound) {
		t.Fatalf("Download of a missing recording: want ErrNotFound, got %s", f.masked(fmt.Sprint(err)))
	}
	errs("Download of a missing recording", err)

	// The values a caller holds while doing all this.
	render("the handler", h)
	render("the handler's Config", h.Config())
	render("the Config passed in", cfg)
	render("a pointer to the Config", &cfg)
	render("the REST client", h.Client())
	render("the StreamUpload", up)
	render("the StreamParts", parts)
	sas := sharedkey.BlobSASValues{Version: restapi.DefaultServiceVersion, Protocol: "https", StartTime: time.Now(), ExpiryTime: time.Now().Add(30 * time.Minute),
		Permissions: "r", ContainerName: cfg.InprogressContainer, BlobName: "part/x/1", Resource: "b"}
	render("the BlobSASValues", sas)
	if k.entra {
		f.entraRenderings(t, k, env, logger, h, sas, render)
	} else {
		f.sharedKeyRenderings(t, env, sas, render)
	}

	// The stand-in of this kind answered, and completion used the SAS the
	// credential calls for.
	d := f.stats.snapshot().minus(before)
	assert.GreaterOrEqual(t, d.copySourceSigs, int64(3), "two parts, completed twice (one failed early)")
	if k.entra {
		assert.Positive(t, f.used(k)-usedBefore, "the %s stand-in issued no token", k.name)
		assert.Positive(t, d.bearer, "bearer tokens were sent")
		assert.Zero(t, d.sharedKey, "no SharedKey signature under Entra")
		assert.Equal(t, d.copySourceSigs, d.userDelegationSAS, "every part source is authorized with a user-delegation SAS")
		assert.Positive(t, d.udk, "a user delegation key was fetched")
		if k.captured != nil {
			assert.Positive(t, k.captured(d), "the recorder captured this kind's secrets on the wire")
		}
	} else {
		assert.Positive(t, d.sharedKey, "SharedKey signatures were sent")
		assert.Zero(t, d.bearer)
		assert.Equal(t, d.copySourceSigs, d.accountKeySAS, "every part source is authorized with an account-key SAS")
		assert.Zero(t, d.udk)
	}

	// The kind set up wrongly.
	badEnv, fragment := k.bad(f)
	badEnv = f.envFor(badEnv)
	setProcessEnv(t, badEnv)
	_, err = uploader.NewHandler(ctx, config(badEnv, fragment))
	require.Error(t, err, "NewHandler with %s", k.badWhat)
	var ce *aadtoken.ChainError
	if k.badIsAuth && !errors.Is(err, restapi.ErrAuthenticationFailed) || !k.badIsAuth && !errors.As(err, &ce) {
		t.Errorf("NewHandler with %s failed otherwise than expected: %s", k.badWhat, f.masked(err.Error()))
	}
	errs("NewHandler with "+k.badWhat, err)

	assert.True(t, strings.Contains(logs.String(), `"level":"DEBUG"`), "debug logging was on")
}

// masked returns text with every secret known so far masked: failure
// messages must not print what the test is guarding.
func (f *everyKind) masked(text string) string { return maskSecrets(f.vault.snapshot(), text) }

// must fails t when err is not nil, printing the error with secrets masked
// (and keeping it for the leak check).
func (f *everyKind) must(t *testing.T, err error, what string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range errorTexts(err) {
		f.scan.output("unexpected error of "+what, s)
	}
	t.Fatalf("%s: %s", what, f.masked(err.Error()))
}

// used is how many tokens the kind's stand-in issued (0 for SharedKey).
func (f *everyKind) used(k credKind) int {
	if k.used == nil {
		return 0
	}
	return k.used(f)
}

// sharedKeyRenderings renders the SharedKey credential objects.
func (f *everyKind) sharedKeyRenderings(t *testing.T, env map[string]string, sas sharedkey.BlobSASValues, render func(string, any)) {
	cred, err := sharedkey.NewCredential(emu.AccountName, emu.AccountKey)
	f.must(t, err, "sharedkey.NewCredential")
	render("the sharedkey.Credential", cred)
	render("the sharedkey.Credential value", *cred)
	if cs := env["AZURE_STORAGE_CONNECTION_STRING"]; cs != "" {
		parsed, err := sharedkey.ParseConnectionString(cs)
		f.must(t, err, "ParseConnectionString")
		render("the parsed ConnectionString", parsed)
		render("the parsed ConnectionString value", *parsed)
	}
	q, err := sas.SignWithSharedKey(cred)
	f.must(t, err, "SignWithSharedKey")
	f.rec.sigOf(q) // a SAS made here is as secret as one sent
}

// entraRenderings builds the kind's credential directly and through the
// chain, gets tokens and a user delegation key, and renders them all.
func (f *everyKind) entraRenderings(t *testing.T, k credKind, env map[string]string, logger *slog.Logger,
	h *uploader.Handler, sas sharedkey.BlobSASValues, render func(string, any)) {
	ctx := context.Background()
	src, err := k.direct(f, env, logger)
	f.must(t, err, "building the credential")
	tok, err := src.Token(ctx)
	f.must(t, err, "the credential's Token")
	f.vault.add("access token", tok.AccessToken)
	render("the credential", src)
	render("the token", tok)
	render("a pointer to the token", &tok)
	cache := aadtoken.NewCachingSource(src, &aadtoken.CacheOptions{Logger: logger})
	render("the caching source", cache)
	render("the bearer authorizer", aadtoken.NewBearerAuthorizer(cache))

	opts := aadtoken.ChainOptions{HTTPClient: f.libClient, Logger: logger, LookupEnv: lookupIn(env)}
	if k.name == "Azure CLI (az)" {
		opts.AzureCLIPath = filepath.Join(f.azDir, "az")
	}
	chain, err := aadtoken.NewChainFromEnvironment(&opts)
	f.must(t, err, "NewChainFromEnvironment")
	ctok, err := chain.Token(ctx)
	f.must(t, err, "the chain's Token")
	f.vault.add("access token", ctok.AccessToken)
	render("the chain", chain)
	render("the chain's token", ctok)

	key, err := h.Client().GetUserDelegationKey(ctx, time.Now().Add(-time.Minute), time.Now().Add(time.Hour))
	f.must(t, err, "GetUserDelegationKey")
	f.vault.add("user delegation key", key.Value)
	render("the restapi.UserDelegationKey", key)
	render("the restapi.UserDelegationKey value", *key)
	render("the sharedkey.UserDelegationKey", sharedkey.UserDelegationKey(*key))
	q, err := sas.SignWithUserDelegationKey(emu.AccountName, sharedkey.UserDelegationKey(*key))
	f.must(t, err, "SignWithUserDelegationKey")
	f.rec.sigOf(q)
}

// cli runs the binary with the kind's environment: upload -debug (from
// stdin, reading the process arguments while it runs), download -debug,
// token -debug, a download of a missing recording, and an upload with the
// kind set up wrongly.
func (f *everyKind) cli(t *testing.T, k credKind) {
	proxy := f.httpProxy
	if k.entra {
		proxy = f.httpsProxy
	}
	where := k.name + ": CLI "
	envList := func(env map[string]string, fragment string) []string {
		extra := []string{"AZBLOBMIN_URL=" + storageURL(k.entra, proxy.Addr()) + fragment, "SSL_CERT_FILE=" + f.caFile}
		keys := make([]string, 0, len(env))
		for key := range env {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			extra = append(extra, key+"="+env[key]) // after baseEnv's PATH, so this one wins
		}
		return baseEnv(t, extra...)
	}
	record := func(args []string, r result) {
		cmdline := strings.Join(args, " ")
		f.scan.output(where+"stdout of "+cmdline, r.stdout)
		f.scan.output(where+"stderr of "+cmdline, r.stderr)
		f.scan.output(where+"arguments of "+cmdline, strings.Join(append([]string{cliBinary}, args...), " "))
	}
	runCLI := func(env []string, args ...string) result {
		r := run(t, env, nil, args...)
		record(args, r)
		return r
	}
	env := envList(f.envFor(k.env(f)), "")
	before, usedBefore := f.stats.snapshot(), f.used(k)

	// upload -debug from stdin, so the process is still running while its
	// arguments are read the way ps shows them to every user.
	sid := identity.NewUUID()
	data := randomBytes(3<<10 + 77)
	args := []string{"upload", "-debug", "-part-size", "1KiB", "-session-id", sid, "-"}
	cmd := exec.Command(cliBinary, args...)
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	f.scan.output(where+"arguments (cmd.Args) of upload", strings.Join(cmd.Args, " "))
	f.scan.output(where+"process arguments (ps) of upload", waitProcessArgs(t, cmd.Process.Pid, "upload -debug -part-size 1KiB"))
	_, err = stdin.Write(data)
	require.NoError(t, err)
	require.NoError(t, stdin.Close())
	err = cmd.Wait()
	up := result{stdout: stdout.String(), stderr: stderr.String()}
	record(args, up)
	require.NoError(t, err, "upload failed; its output is checked for secrets before it is shown:\n%s", maskSecrets(f.vault.snapshot(), up.String()))
	assert.Contains(t, f.masked(up.stderr), "level=DEBUG", "debug logging was on")
	assert.Contains(t, f.masked(up.stdout), sid)

	out := filepath.Join(t.TempDir(), "rec.bin")
	r := runCLI(env, "download", "-debug", "-session-id", sid, out)
	require.Equal(t, 0, r.code, maskSecrets(f.vault.snapshot(), r.String()))
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data, got), "downloaded recording differs")

	r = runCLI(env, "token", "-debug")
	if k.entra {
		require.Equal(t, 0, r.code, maskSecrets(f.vault.snapshot(), r.String()))
		assert.Contains(t, f.masked(r.stdout), "token:       not shown")
	} else {
		// No Entra credential here: the chain fails, and says why.
		assert.Equal(t, 1, r.code, maskSecrets(f.vault.snapshot(), r.String()))
		assert.Contains(t, f.masked(r.stderr), "no credential of the chain produced a token")
	}

	missing := identity.NewUUID()
	r = runCLI(env, "download", "-debug", "-session-id", missing, filepath.Join(t.TempDir(), "missing.bin"))
	assert.Equal(t, 1, r.code, maskSecrets(f.vault.snapshot(), r.String()))
	assert.Contains(t, f.masked(r.stderr), "no recording for session "+missing)

	d := f.stats.snapshot().minus(before)
	assert.Positive(t, d.copySourceSigs, "the proxy saw the completion's source SAS")
	if k.entra {
		assert.Positive(t, f.used(k)-usedBefore, "the %s stand-in issued no token to the CLI", k.name)
		assert.Equal(t, d.copySourceSigs, d.userDelegationSAS, "the CLI's completion used user-delegation SAS")
		assert.Positive(t, d.bearer)
	} else {
		assert.Equal(t, d.copySourceSigs, d.accountKeySAS)
		assert.Positive(t, d.sharedKey)
	}

	badEnv, fragment := k.bad(f)
	path := filepath.Join(t.TempDir(), "rec.bin")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	r = runCLI(envList(f.envFor(badEnv), fragment), "upload", "-debug", path)
	assert.Equal(t, 1, r.code, "upload with %s: %s", k.badWhat, maskSecrets(f.vault.snapshot(), r.String()))

	if k.name == "Azure CLI (az)" {
		for _, p := range []string{f.azArgs, f.expiredAzArgs} {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			f.scan.output(where+"arguments az was run with", string(b))
		}
	}
	f.scan.check(t)
}

// testLeakScannerCatchesPlantedSecrets proves the scanner can fail: every
// form of secrets of each shape, planted in a log buffer, is found and
// attributed to the right kind; fresh values of the same shapes are not;
// and the masked line a failure prints holds nothing secret.
func testLeakScannerCatchesPlantedSecrets(t *testing.T) {
	m, err := identity.NewMinter()
	require.NoError(t, err)
	jwt, err := m.Mint(identity.AccessClaims{Tenant: identity.NewUUID(), ObjectID: identity.NewUUID()})
	require.NoError(t, err)
	samples := map[string]string{
		"account key":      base64.StdEncoding.EncodeToString(append([]byte{0xfb, 0xff, 0xbf}, randomBytes(61)...)), // has + and /
		"access token":     jwt,
		"client secret":    "cs~<&>" + randomHex(16),
		"SAS signature":    url.QueryEscape(base64.StdEncoding.EncodeToString(append([]byte{0xfb, 0xff}, randomBytes(30)...))),
		"identity header":  "hdr-" + identity.NewUUID(),
		"private key line": base64.StdEncoding.EncodeToString(randomBytes(48)),
	}
	forms := 0
	for kind, value := range samples {
		v := newSecretVault()
		v.add(kind, value)
		entries := v.snapshot()
		require.Len(t, entries, 1)
		for _, form := range entries[0].forms {
			forms++
			var buf bytes.Buffer
			fmt.Fprintf(&buf, "time=2025-01-01T00:00:00Z level=DEBUG msg=planted value=%s\n", form.value)
			fs := findSecrets(entries, buf.String())
			if len(fs) == 0 {
				t.Errorf("the scanner missed a %s written as %s", kind, form.name)
				continue
			}
			for _, fd := range fs {
				assert.Equal(t, kind, fd.kind)
			}
			masked := maskSecrets(entries, buf.String())
			assert.Empty(t, findSecrets(entries, masked), "masking left a %s written as %s", kind, form.name)
		}
		// What slog's handlers do to a string and a []byte.
		var logs bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&logs, nil))
		log.Info("planted", "string", value, "bytes", []byte(value))
		slog.New(slog.NewTextHandler(&logs, nil)).Info("planted", "string", value, "bytes", []byte(value))
		assert.NotEmpty(t, findSecrets(entries, logs.String()), "the scanner missed a %s logged by slog", kind)
		// A truncated secret is still found.
		assert.NotEmpty(t, findSecrets(entries, "key="+value[:len(value)/2+1]+"…"), "the scanner missed half a %s", kind)
	}
	// Fresh values of the same shapes are not reported.
	v := newSecretVault()
	for kind, value := range samples {
		v.add(kind, value)
	}
	jwt2, err := m.Mint(identity.AccessClaims{Tenant: identity.NewUUID(), ObjectID: identity.NewUUID()})
	require.NoError(t, err)
	clean := strings.Join([]string{base64.StdEncoding.EncodeToString(randomBytes(64)), "cs~" + randomHex(16),
		url.QueryEscape(base64.StdEncoding.EncodeToString(randomBytes(32))), "hdr-" + identity.NewUUID(),
		"sig=REDACTED", "Authorization: Bearer REDACTED", "SharedKey devstoreaccount1:REDACTED"}, " ")
	assert.Empty(t, findSecrets(v.snapshot(), clean), "false positive on fresh values")
	assert.Empty(t, findShapes(clean), "false positive on redacted values")
	assert.NotEmpty(t, findSecrets(v.snapshot(), clean+" "+jwt), "planted JWT")
	assert.Empty(t, findSecrets(v.snapshot(), jwt2[strings.LastIndexByte(jwt2, '.'):]), "another token's signature")
	// Shapes: what no test captured by value.
	for name, text := range map[string]string{
		"JWT":        "token=" + jwt2,
		"SAS":        "GET /c/b?sv=2025-11-05&sig=" + url.QueryEscape(base64.StdEncoding.EncodeToString(randomBytes(32))),
		"SharedKey":  "Authorization: SharedKey devstoreaccount1:" + base64.StdEncoding.EncodeToString(randomBytes(32)),
		"bearer":     "Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789",
		"sig in URL": `"url":"https://a/c/b?sp=r&sig%3D` + randomHex(20) + `"`,
	} {
		assert.NotEmpty(t, findShapes(text), "shape check missed a %s", name)
		assert.Empty(t, findShapes(maskSecrets(nil, text)), "masking left a %s", name)
	}
	// The scanner's own report withholds the secret.
	sc := newLeakScanner(v)
	sc.output("self-check log", "prefix "+samples["account key"]+" suffix\n")
	line := maskedLine(v.snapshot(), sc.outs[0].text, len("prefix "))
	assert.NotContains(t, line, samples["account key"])
	assert.Contains(t, line, "«account key»")
	t.Logf("self-check: %d planted forms of %d secret shapes all found", forms, len(samples))
	if forms < 60 {
		t.Errorf("only %d forms planted; the encodings list shrank", forms)
	}
}
