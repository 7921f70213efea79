package aadtoken_test

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/emulatortest/identity"
)

// envMap is a LookupEnv that reads only the given variables, so tests do
// not depend on (or change) the process environment.
func envMap(kv map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := kv[k]
		return v, ok
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func getToken(t *testing.T, src aadtoken.TokenSource) aadtoken.Token {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, err := src.Token(ctx)
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	return tok
}

// checkMinted verifies a stand-in token's signature and the claims Azurite
// needs.
func checkMinted(t *testing.T, m *identity.Minter, tok aadtoken.Token, tenant, oid, appid string) {
	t.Helper()
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired()).
		ParseWithClaims(tok.AccessToken, claims, func(*jwt.Token) (any, error) { return m.PublicKey(), nil })
	if err != nil {
		t.Fatalf("minted token does not verify: %v", err)
	}
	want := map[string]string{"iss": "https://sts.windows.net/" + tenant + "/", "aud": "https://storage.azure.com", "tid": tenant}
	if oid != "" {
		want["oid"] = oid
	}
	if appid != "" {
		want["appid"] = appid
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %s", k, claims[k], v)
		}
	}
	exp, _ := claims.GetExpirationTime()
	if d := exp.Time.Sub(tok.ExpiresOn); d > 5*time.Second || d < -5*time.Second {
		t.Errorf("ExpiresOn %s is not the token's exp %s", tok.ExpiresOn, exp.Time)
	}
}

func mustContain(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

func x509Pool(cs ...*identity.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range cs {
		p.AddCert(c.Cert)
	}
	return p
}

func certsOf(c *identity.Certificate) []*x509.Certificate { return []*x509.Certificate{c.Cert} }
