package emulatortest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// getList sends an unauthenticated List Containers request, which Azurite
// must refuse with an Azure error code: proof that the emulator (not some
// other server on the port) answered and that it checks credentials.
func getList(t *testing.T, c *http.Client, endpoint string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, endpoint+"?comp=list", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("x-ms-version", "2025-11-05")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s?comp=list: %v", endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return resp, string(body)
}

func TestStartHTTP(t *testing.T) {
	e := Start(t)
	t.Logf("Azurite (HTTP) answered after %v", e.StartupDuration)
	want := "http://127.0.0.1:" + strconv.Itoa(e.Port) + "/devstoreaccount1"
	if e.Endpoint != want {
		t.Fatalf("Endpoint = %q, want %q", e.Endpoint, want)
	}
	if e.AccountName != DevAccountName || e.AccountKey != DevAccountKey {
		t.Fatalf("account = %q/%q, want the well-known development account", e.AccountName, e.AccountKey)
	}
	if e.CACertPEM != nil || e.CACertFile != "" {
		t.Fatalf("HTTP mode must not carry a certificate")
	}
	resp, body := getList(t, e.HTTPClient, e.Endpoint, nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status = %d, want 403; body %s", resp.StatusCode, body)
	}
	if code := resp.Header.Get("x-ms-error-code"); code != "AuthorizationFailure" {
		t.Fatalf("x-ms-error-code = %q, want AuthorizationFailure", code)
	}
	if srv := resp.Header.Get("Server"); srv != "Azurite-Blob/3.37.0" {
		t.Fatalf("Server = %q, want the pinned Azurite-Blob/3.37.0", srv)
	}
	if !strings.Contains(body, "<Code>AuthorizationFailure</Code>") {
		t.Fatalf("body lacks the error code: %s", body)
	}
	if got := e.ConnectionString(); got != "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="+DevAccountKey+";BlobEndpoint="+want+";" {
		t.Fatalf("ConnectionString = %q", got)
	}
}

func TestStartHTTPS(t *testing.T) {
	e := StartHTTPS(t)
	t.Logf("Azurite (HTTPS) answered after %v", e.StartupDuration)
	if want := "https://127.0.0.1:" + strconv.Itoa(e.Port) + "/devstoreaccount1"; e.Endpoint != want {
		t.Fatalf("Endpoint = %q, want %q", e.Endpoint, want)
	}
	block, _ := pem.Decode(e.CACertPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("CACertPEM is not a PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.VerifyHostname("127.0.0.1"); err != nil {
		t.Fatalf("certificate does not cover 127.0.0.1: %v", err)
	}
	onDisk, err := os.ReadFile(e.CACertFile)
	if err != nil || string(onDisk) != string(e.CACertPEM) {
		t.Fatalf("CACertFile %q does not hold CACertPEM (err %v)", e.CACertFile, err)
	}

	// The handshake verifies against exactly the emulator's certificate.
	conn, err := tls.Dial("tcp", e.Host, e.HTTPClient.Transport.(*http.Transport).TLSClientConfig)
	if err != nil {
		t.Fatalf("TLS handshake with the harness's pool: %v", err)
	}
	state := conn.ConnectionState()
	conn.Close()
	if len(state.PeerCertificates) == 0 || !state.PeerCertificates[0].Equal(cert) {
		t.Fatalf("server presented a different certificate")
	}

	// --oauth basic is on: without credentials the request is refused, a
	// bearer token that is not a JWT or has expired is refused with the
	// reason, and a token Azurite's basic check accepts lists containers.
	resp, body := getList(t, e.HTTPClient, e.Endpoint, nil)
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("x-ms-error-code") != "AuthorizationFailure" {
		t.Fatalf("anonymous: status %d, x-ms-error-code %q; body %s", resp.StatusCode, resp.Header.Get("x-ms-error-code"), body)
	}
	for _, tc := range []struct{ token, detail string }{
		{"not-a-jwt", "Authentication scheme Bearer is not supported."},
		{EmulatorToken(-time.Minute), "Lifetime validation failed. The token is expired."},
	} {
		resp, body = getList(t, e.HTTPClient, e.Endpoint, http.Header{"Authorization": {"Bearer " + tc.token}})
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("x-ms-error-code") != "AuthenticationFailed" ||
			!strings.Contains(body, "<AuthenticationErrorDetail>"+tc.detail+"</AuthenticationErrorDetail>") {
			t.Fatalf("bearer %q: status %d, x-ms-error-code %q; body %s", tc.detail, resp.StatusCode, resp.Header.Get("x-ms-error-code"), body)
		}
	}
	resp, body = getList(t, e.HTTPClient, e.Endpoint, http.Header{"Authorization": {"Bearer " + EmulatorToken(time.Hour)}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<EnumerationResults") {
		t.Fatalf("valid emulator token: status %d; body %s", resp.StatusCode, body)
	}

	// A client that does not trust the certificate must fail: proof that
	// the harness's client verifies rather than skipping verification.
	plain := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}}}
	_, err = plain.Get(e.Endpoint + "?comp=list")
	var uerr x509.UnknownAuthorityError
	var verr *tls.CertificateVerificationError
	if err == nil || !(errors.As(err, &uerr) || errors.As(err, &verr)) {
		t.Fatalf("untrusting client: err = %v, want a certificate verification error", err)
	}
}

func TestNoRedirectClient(t *testing.T) {
	var hits int
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer target.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/stolen", http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	for _, tc := range []struct {
		name string
		conf *tls.Config
	}{{"http", nil}, {"https", &tls.Config{}}} {
		req, _ := http.NewRequest(http.MethodGet, redirector.URL, nil)
		req.Header.Set("Authorization", "SharedKey a:b")
		resp, err := newNoRedirectClient(tc.conf).Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTemporaryRedirect || !strings.HasSuffix(resp.Header.Get("Location"), "/stolen") {
			t.Fatalf("%s: status %d location %q, want the 307 handed back", tc.name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if hits != 0 {
		t.Fatalf("redirect target was contacted %d times", hits)
	}
}

func TestStopReportsCrash(t *testing.T) {
	e, err := StartProcess(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-e.done
	err = e.Stop()
	if err == nil || !strings.Contains(err.Error(), "exited on its own") || !strings.Contains(err.Error(), "successfully listens") {
		t.Fatalf("Stop after crash = %v, want an error quoting Azurite's output", err)
	}
}

func TestMissingPiecesNameTheFix(t *testing.T) {
	_, err := StartProcess(Options{AzuritePath: "/nonexistent/azurite-blob"})
	if err == nil || !strings.Contains(err.Error(), "`make emulator`") {
		t.Fatalf("missing Azurite: err = %v, want the fix command", err)
	}
	_, err = StartProcess(Options{NodePath: "/nonexistent/node"})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/node") {
		t.Fatalf("missing node override: err = %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	t.Setenv(EnvNode, "")
	_, err = findNode("")
	if err == nil || !strings.Contains(err.Error(), "Node.js") || !strings.Contains(err.Error(), "`make emulator`") {
		t.Fatalf("node not on PATH: err = %v, want Node.js named and the fix command", err)
	}
}

func TestFindAzuriteFromAnotherDirectory(t *testing.T) {
	want, err := findAzurite("")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	got, err := findAzurite("")
	if err != nil || got != want {
		t.Fatalf("from a temp dir: %q, %v; want %q", got, err, want)
	}
}

func TestFilterEnv(t *testing.T) {
	got := filterEnv([]string{"PATH=/bin", "AZURITE_DB=mysql://x", "AZURITE_ACCOUNTS=a:b", "NODE_OPTIONS=--inspect", "NODE_PATH=/x"},
		"AZURITE_", "NODE_OPTIONS=", "NODE_ENV=")
	if strings.Join(got, " ") != "PATH=/bin NODE_PATH=/x" {
		t.Fatalf("filterEnv = %q", got)
	}
}

func TestTailBuffer(t *testing.T) {
	b := newTailBuffer(8)
	fmt.Fprint(b, "0123456789")
	fmt.Fprint(b, "ab")
	if got := b.tail(100); got != "…456789ab" {
		t.Fatalf("tail = %q", got)
	}
	if got := b.tail(3); got != "…9ab" {
		t.Fatalf("tail(3) = %q", got)
	}
}

// TestDevAccountKeyMatchesAzurite reads the key from the installed Azurite,
// the ground truth, so a mistyped constant cannot survive.
func TestDevAccountKeyMatchesAzurite(t *testing.T) {
	entry, err := findAzurite("")
	if err != nil {
		t.Fatal(err)
	}
	// entry is .../azurite/dist/src/blob/main.js
	src, err := os.ReadFile(filepath.Join(filepath.Dir(entry), "utils", "constants.js"))
	if err != nil {
		t.Fatal(err)
	}
	want := `exports.EMULATOR_ACCOUNT_KEY_STR = "` + DevAccountKey + `";`
	if !strings.Contains(string(src), want) {
		t.Fatalf("Azurite's blob/utils/constants.js does not hold DevAccountKey %q", DevAccountKey)
	}
	if !strings.Contains(string(src), `exports.EMULATOR_ACCOUNT_NAME = "`+DevAccountName+`";`) {
		t.Fatalf("Azurite's account name is not %q", DevAccountName)
	}
}
