package aadtoken_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/emulatortest/identity"
)

// formRecorder captures the form fields of token requests.
type formRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	seen []url.Values
}

func (r *formRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(b))
		v, _ := url.ParseQuery(string(b))
		r.mu.Lock()
		r.seen = append(r.seen, v)
		r.mu.Unlock()
	}
	return r.base.RoundTrip(req)
}

func (r *formRecorder) forms() []url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]url.Values(nil), r.seen...)
}

func recordingClient(c *http.Client) (*http.Client, *formRecorder) {
	rec := &formRecorder{base: c.Transport}
	cp := *c
	cp.Transport = rec
	return &cp, rec
}

func bundle(t *testing.T, c *identity.Certificate, pkcs1 bool, extra ...*identity.Certificate) []byte {
	var b bytes.Buffer
	if pkcs1 {
		b.Write(c.KeyPKCS1PEM())
	} else {
		b.Write(c.KeyPKCS8PEM(t))
	}
	b.Write(c.CertPEM())
	for _, e := range extra {
		b.Write(e.CertPEM())
	}
	return b.Bytes()
}

func TestClientCertificateCredential(t *testing.T) {
	srv := identity.NewTokenServer(t, nil)
	cert := identity.NewSelfSignedCertificate(t, "azblobmin-test-client")
	app := srv.Register(identity.App{ClientID: identity.NewUUID(), Certificate: cert.Cert})
	client, rec := recordingClient(srv.Client())

	for _, pkcs1 := range []bool{false, true} {
		certs, key, err := aadtoken.ParseCertificatePEM(bundle(t, cert, pkcs1))
		if err != nil {
			t.Fatalf("pkcs1=%v: %v", pkcs1, err)
		}
		cred, err := aadtoken.NewClientCertificateCredential(srv.Tenant, app.ClientID, certs, key,
			&aadtoken.ClientCertificateOptions{CredentialOptions: aadtoken.CredentialOptions{AuthorityHost: srv.AuthorityHost, HTTPClient: client}})
		if err != nil {
			t.Fatal(err)
		}
		if cred.Thumbprint() != cert.Thumbprint() {
			t.Fatalf("Thumbprint = %s, want %s", cred.Thumbprint(), cert.Thumbprint())
		}
		tok := getToken(t, cred)
		checkMinted(t, srv.Minter(), tok, srv.Tenant, app.ObjectID, app.ClientID)
		getToken(t, cred) // a second request needs a fresh jti
	}
	reqs := srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("requests = %+v", reqs)
	}
	for _, r := range reqs {
		if r.Auth != "certificate" || r.Status != 200 {
			t.Fatalf("request %+v", r)
		}
	}

	// Inspect what was sent.
	jtis := map[string]bool{}
	for _, f := range rec.forms() {
		if f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || f.Get("client_secret") != "" ||
			f.Get("grant_type") != "client_credentials" || f.Get("client_id") != app.ClientID || f.Get("scope") != aadtoken.StorageScope {
			t.Fatalf("form = %v", f)
		}
		claims := jwt.MapClaims{}
		tok, _, err := jwt.NewParser().ParseUnverified(f.Get("client_assertion"), claims)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Header["alg"] != "PS256" || tok.Header["typ"] != "JWT" || tok.Header["x5t#S256"] != cert.Thumbprint() || tok.Header["x5c"] != nil {
			t.Fatalf("header = %v", tok.Header)
		}
		if claims["aud"] != srv.TokenURL() || claims["iss"] != app.ClientID || claims["sub"] != app.ClientID {
			t.Fatalf("claims = %v", claims)
		}
		jti, _ := claims["jti"].(string)
		if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(jti) || jtis[jti] {
			t.Fatalf("jti %q is not a fresh random UUID", jti)
		}
		jtis[jti] = true
		exp, _ := claims.GetExpirationTime()
		nbf, _ := claims.GetNotBefore()
		if d := exp.Sub(nbf.Time); d.Minutes() != 10 {
			t.Fatalf("assertion lifetime %s, want 10m", d)
		}
	}
}

func TestClientCertificateFromEnvironment(t *testing.T) {
	srv := identity.NewTokenServer(t, nil)
	cert := identity.NewSelfSignedCertificate(t, "env-client")
	app := srv.Register(identity.App{ClientID: identity.NewUUID(), Certificate: cert.Cert})
	path := writeFile(t, "client.pem", bundle(t, cert, false))
	var logs bytes.Buffer
	env := map[string]string{
		"AZURE_TENANT_ID": srv.Tenant, "AZURE_CLIENT_ID": app.ClientID, "AZURE_AUTHORITY_HOST": srv.AuthorityHost,
		"AZURE_CLIENT_CERTIFICATE_PATH": path, "AZURE_CLIENT_CERTIFICATE_PASSWORD": "pfx-password-unused",
	}
	cred, err := aadtoken.NewClientCertificateCredentialFromEnvironment(&aadtoken.ClientCertificateOptions{
		CredentialOptions: aadtoken.CredentialOptions{HTTPClient: srv.Client(), LookupEnv: envMap(env),
			Logger: slog.New(slog.NewTextHandler(&logs, nil))},
	})
	if err != nil {
		t.Fatal(err)
	}
	getToken(t, cred)
	if !strings.Contains(logs.String(), "AZURE_CLIENT_CERTIFICATE_PASSWORD is set but ignored") || strings.Contains(logs.String(), "pfx-password-unused") {
		t.Fatalf("logs = %s", logs.String())
	}

	env["AZURE_CLIENT_CERTIFICATE_PATH"] = writeFile(t, "enc.pem", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1, 2, 3}}))
	_, err = aadtoken.NewClientCertificateCredentialFromEnvironment(&aadtoken.ClientCertificateOptions{
		CredentialOptions: aadtoken.CredentialOptions{LookupEnv: envMap(env)}})
	mustContain(t, err, "encrypted", "openssl pkey -in key.pem -out key-plain.pem", "AZURE_CLIENT_CERTIFICATE_PASSWORD is set but passwords are not supported")

	env["AZURE_CLIENT_CERTIFICATE_PATH"] = "/nonexistent/client.pem"
	_, err = aadtoken.NewClientCertificateCredentialFromEnvironment(&aadtoken.ClientCertificateOptions{
		CredentialOptions: aadtoken.CredentialOptions{LookupEnv: envMap(env)}})
	mustContain(t, err, "AZURE_CLIENT_CERTIFICATE_PATH=/nonexistent/client.pem", "no such file")

	env["AZURE_CLIENT_SEND_CERTIFICATE_CHAIN"] = "maybe"
	_, err = aadtoken.NewClientCertificateCredentialFromEnvironment(&aadtoken.ClientCertificateOptions{
		CredentialOptions: aadtoken.CredentialOptions{LookupEnv: envMap(env)}})
	mustContain(t, err, "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", "not a boolean")

	_, err = aadtoken.NewClientCertificateCredentialFromEnvironment(&aadtoken.ClientCertificateOptions{
		CredentialOptions: aadtoken.CredentialOptions{LookupEnv: envMap(map[string]string{})}})
	if !errors.Is(err, aadtoken.ErrCredentialUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

func TestClientCertificateSubjectNameIssuer(t *testing.T) {
	srv := identity.NewTokenServer(t, nil)
	ca := identity.NewCA(t, "azblobmin test CA")
	leaf := ca.Issue(t, "sni-client.azblobmin.test")
	roots := x509Pool(ca)
	app := srv.Register(identity.App{ClientID: identity.NewUUID(), SubjectName: "sni-client.azblobmin.test", Roots: roots})
	path := writeFile(t, "sni.pem", bundle(t, leaf, true, ca))
	env := map[string]string{
		"AZURE_TENANT_ID": srv.Tenant, "AZURE_CLIENT_ID": app.ClientID, "AZURE_AUTHORITY_HOST": srv.AuthorityHost,
		"AZURE_CLIENT_CERTIFICATE_PATH": path,
	}
	client, rec := recordingClient(srv.Client())
	opts := &aadtoken.ClientCertificateOptions{CredentialOptions: aadtoken.CredentialOptions{HTTPClient: client, LookupEnv: envMap(env)}}

	// Without x5c the issuer cannot check the chain.
	noChain, err := aadtoken.NewClientCertificateCredentialFromEnvironment(opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = noChain.Token(context.Background())
	mustContain(t, err, "AADSTS700027", "x5c")

	env["AZURE_CLIENT_SEND_CERTIFICATE_CHAIN"] = "true"
	withChain, err := aadtoken.NewClientCertificateCredentialFromEnvironment(opts)
	if err != nil {
		t.Fatal(err)
	}
	checkMinted(t, srv.Minter(), getToken(t, withChain), srv.Tenant, app.ObjectID, app.ClientID)
	if r := srv.Requests(); r[len(r)-1].Auth != "subject-name" {
		t.Fatalf("last request %+v", r[len(r)-1])
	}
	forms := rec.forms()
	tok, _, _ := jwt.NewParser().ParseUnverified(forms[len(forms)-1].Get("client_assertion"), jwt.MapClaims{})
	x5c, _ := json.Marshal(tok.Header["x5c"])
	want, _ := json.Marshal([]string{base64.StdEncoding.EncodeToString(leaf.Cert.Raw), base64.StdEncoding.EncodeToString(ca.Cert.Raw)})
	if !bytes.Equal(x5c, want) {
		t.Fatalf("x5c = %s, want leaf then CA", x5c)
	}
}

func TestClientCertificateNotRegistered(t *testing.T) {
	srv := identity.NewTokenServer(t, nil)
	registered := identity.NewSelfSignedCertificate(t, "registered")
	other := identity.NewSelfSignedCertificate(t, "other")
	app := srv.Register(identity.App{ClientID: identity.NewUUID(), Certificate: registered.Cert})
	cred, err := aadtoken.NewClientCertificateCredential(srv.Tenant, app.ClientID, certsOf(other), other.Key,
		&aadtoken.ClientCertificateOptions{CredentialOptions: aadtoken.CredentialOptions{AuthorityHost: srv.AuthorityHost, HTTPClient: srv.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.Token(context.Background())
	mustContain(t, err, "HTTP 401", "AADSTS700027", "upload this certificate's public part")
	if _, err := aadtoken.NewClientCertificateCredential(srv.Tenant, app.ClientID, certsOf(registered), other.Key, nil); err == nil {
		t.Fatal("a key that does not match the certificate was accepted")
	}
}

func TestParseCertificatePEMErrors(t *testing.T) {
	c := identity.NewSelfSignedCertificate(t, "parse")
	d := identity.NewSelfSignedCertificate(t, "other")
	small, _ := os.ReadFile("testdata/rsa1024-cert-and-key.pem")
	ec, _ := os.ReadFile("testdata/ec-cert-and-key.pem")
	legacyEncrypted := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"}, Bytes: []byte("x")})
	cases := []struct {
		name string
		data []byte
		want []string
	}{
		{"PKCS#12", []byte{0x30, 0x82, 0x0a, 0x00, 0x02, 0x01, 0x03}, []string{"PKCS#12", "openssl pkcs12 -in cert.pfx -out cert.pem -nodes"}},
		{"nothing", []byte("hello"), []string{"no PEM blocks"}},
		{"key only", c.KeyPKCS8PEM(t), []string{"no CERTIFICATE block", "cat cert.pem key.pem"}},
		{"cert only", c.CertPEM(), []string{"no private key"}},
		{"two keys", append(bundle(t, c, false), d.KeyPKCS1PEM()...), []string{"more than one private key"}},
		{"mismatch", append(c.CertPEM(), d.KeyPKCS1PEM()...), []string{"does not match any certificate"}},
		{"PKCS#8 encrypted", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte("x")}), []string{"encrypted", "openssl pkey"}},
		{"legacy encrypted", legacyEncrypted, []string{"encrypted", "openssl pkey"}},
		{"EC", ec, []string{"EC key", "RSA"}},
		{"small RSA", small, []string{"1024 bits", "at least 2048"}},
		{"garbage key", append(c.CertPEM(), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("junk")})...), []string{"not a valid key"}},
		{"garbage cert", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")}), []string{"certificate 1", "invalid"}},
	}
	for _, tc := range cases {
		_, _, err := aadtoken.ParseCertificatePEM(tc.data)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tc.name, err, w)
			}
		}
		if strings.Contains(err.Error(), "MII") {
			t.Errorf("%s: error holds base64 key material: %q", tc.name, err)
		}
	}
	// The certificate matching the key comes first, whatever the order.
	certs, _, err := aadtoken.ParseCertificatePEM(append(append(d.CertPEM(), c.CertPEM()...), c.KeyPKCS1PEM()...))
	if err != nil || len(certs) != 2 || certs[0].Subject.CommonName != "parse" {
		t.Fatalf("leaf ordering: %v %v", certs, err)
	}
}
