package identity

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func postForm(t *testing.T, s *TokenServer, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := s.Client().Post(s.AuthorityHost+strings.TrimPrefix(path, "/"), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("non-JSON answer %q", b)
	}
	return resp.StatusCode, body
}

func assertion(t *testing.T, c *Certificate, aud, iss string, mutate func(jwt.MapClaims, map[string]any)) string {
	t.Helper()
	now := time.Now()
	claims := jwt.MapClaims{"aud": aud, "iss": iss, "sub": iss, "jti": NewUUID(), "nbf": now.Unix(), "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
	tok := jwt.NewWithClaims(jwt.SigningMethodPS256, claims)
	tok.Header["x5t#S256"] = c.Thumbprint()
	if mutate != nil {
		mutate(claims, tok.Header)
	}
	s, err := tok.SignedString(c.Key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenServerChecksRequests(t *testing.T) {
	s := NewTokenServer(t, nil)
	cert := NewSelfSignedCertificate(t, "stand-in")
	impostor := NewSelfSignedCertificate(t, "impostor")
	app := s.Register(App{ClientID: "app-1", Secret: "right-secret-value", Certificate: cert.Cert})
	path := s.Tenant + "/oauth2/v2.0/token"
	base := func() url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID}, "scope": {StorageScope}}
	}
	with := func(kv ...string) url.Values {
		f := base()
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				f.Del(kv[i])
			} else {
				f.Set(kv[i], kv[i+1])
			}
		}
		return f
	}
	withAssertion := func(a string) url.Values {
		return with("client_assertion_type", ClientAssertionType, "client_assertion", a)
	}
	replayed := assertion(t, cert, s.TokenURL(), app.ClientID, nil)
	cases := []struct {
		name   string
		path   string
		form   url.Values
		status int
		code   float64
	}{
		{"secret", path, with("client_secret", "right-secret-value"), 200, 0},
		{"wrong secret", path, with("client_secret", "wrong"), 401, 7000215},
		{"no credential", path, base(), 401, 7000218},
		{"wrong tenant", "other-tenant/oauth2/v2.0/token", with("client_secret", "right-secret-value"), 400, 90002},
		{"wrong grant", path, with("grant_type", "password", "client_secret", "right-secret-value"), 400, 70003},
		{"wrong scope", path, with("scope", "https://vault.azure.net/.default", "client_secret", "right-secret-value"), 400, 1002012},
		{"unknown app", path, with("client_id", "nope", "client_secret", "x"), 400, 700016},
		{"assertion", path, withAssertion(replayed), 200, 0},
		{"replayed jti", path, withAssertion(replayed), 401, 700027},
		{"assertion type missing", path, with("client_assertion", assertion(t, cert, s.TokenURL(), app.ClientID, nil)), 400, 900144},
		{"signed by another key", path, withAssertion(assertion(t, impostor, s.TokenURL(), app.ClientID, func(_ jwt.MapClaims, h map[string]any) {
			h["x5t#S256"] = cert.Thumbprint()
		})), 401, 700027},
		{"unregistered thumbprint", path, withAssertion(assertion(t, impostor, s.TokenURL(), app.ClientID, nil)), 401, 700027},
		{"no x5t#S256", path, withAssertion(assertion(t, cert, s.TokenURL(), app.ClientID, func(_ jwt.MapClaims, h map[string]any) {
			delete(h, "x5t#S256")
		})), 401, 700027},
		{"wrong aud", path, withAssertion(assertion(t, cert, "https://login.microsoftonline.com/x/oauth2/v2.0/token", app.ClientID, nil)), 401, 700027},
		{"wrong iss", path, withAssertion(assertion(t, cert, s.TokenURL(), "someone-else", nil)), 401, 700027},
		{"expired", path, withAssertion(assertion(t, cert, s.TokenURL(), app.ClientID, func(c jwt.MapClaims, _ map[string]any) {
			c["exp"] = time.Now().Add(-time.Hour).Unix()
		})), 401, 700027},
		{"no exp", path, withAssertion(assertion(t, cert, s.TokenURL(), app.ClientID, func(c jwt.MapClaims, _ map[string]any) { delete(c, "exp") })), 401, 700027},
		{"no jti", path, withAssertion(assertion(t, cert, s.TokenURL(), app.ClientID, func(c jwt.MapClaims, _ map[string]any) { delete(c, "jti") })), 401, 700027},
	}
	for _, c := range cases {
		status, body := postForm(t, s, c.path, c.form)
		if status != c.status {
			t.Errorf("%s: HTTP %d, want %d (%v)", c.name, status, c.status, body["error_description"])
			continue
		}
		if c.status == 200 {
			if body["token_type"] != "Bearer" || body["access_token"] == "" || body["expires_in"] != float64(3600) {
				t.Errorf("%s: body %v", c.name, body)
			}
			continue
		}
		codes, _ := body["error_codes"].([]any)
		if len(codes) != 1 || codes[0] != c.code || body["correlation_id"] == "" || body["trace_id"] == "" {
			t.Errorf("%s: body %v, want AADSTS%v", c.name, body, c.code)
		}
	}
	resp, err := s.Client().Get(s.TokenURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: HTTP %d", resp.StatusCode)
	}
	if s.Issued() != 2 {
		t.Errorf("Issued = %d, want 2", s.Issued())
	}
}

func TestIMDSChecksRequests(t *testing.T) {
	s := NewIMDS(t, &ManagedIdentityOptions{SystemAssigned: &Identity{}, UserAssigned: []Identity{{ClientID: "ua", ResourceID: "/sub/x/ua"}}})
	get := func(q string, hdr map[string]string) (int, map[string]string) {
		req, _ := http.NewRequest(http.MethodGet, s.TokenURL+"?"+q, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("non-JSON answer: %v", err)
		}
		return resp.StatusCode, body
	}
	md := map[string]string{"Metadata": "true"}
	ok := "api-version=2018-02-01&resource=https%3A%2F%2Fstorage.azure.com"
	cases := []struct {
		name   string
		q      string
		hdr    map[string]string
		status int
		want   string
	}{
		{"system", ok, md, 200, ""},
		{"user by client id", ok + "&client_id=ua", md, 200, ""},
		{"user by resource id", ok + "&msi_res_id=%2Fsub%2Fx%2Fua", md, 200, ""},
		{"no Metadata header", ok, nil, 400, "Required metadata header not specified"},
		{"Metadata false", ok, map[string]string{"Metadata": "false"}, 400, "Required metadata header"},
		{"proxied", ok, map[string]string{"Metadata": "true", "X-Forwarded-For": "1.2.3.4"}, 400, "proxy"},
		{"no api-version", "resource=https%3A%2F%2Fstorage.azure.com", md, 400, "api-version"},
		{"wrong resource", "api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net", md, 400, "AADSTS500011"},
		{"unknown identity", ok + "&client_id=nope", md, 400, "Identity not found"},
		{"two ids", ok + "&client_id=ua&object_id=x", md, 400, "Only one of"},
	}
	for _, c := range cases {
		status, body := get(c.q, c.hdr)
		if status != c.status || (c.want != "" && !strings.Contains(body["error_description"], c.want)) {
			t.Errorf("%s: HTTP %d %v", c.name, status, body)
		}
		if status == 200 && (body["expires_in"] != "86400" || body["token_type"] != "Bearer" || body["resource"] != StorageResource) {
			t.Errorf("%s: body %v", c.name, body)
		}
	}
	s.Script(404, 410, 429, 500)
	for _, want := range []int{404, 410, 429, 500, 200} {
		if status, _ := get(ok, md); status != want {
			t.Errorf("scripted: HTTP %d, want %d", status, want)
		}
	}
}

func TestAppServiceChecksHeader(t *testing.T) {
	s := NewAppService(t, &ManagedIdentityOptions{SystemAssigned: &Identity{}, ExpiresOnFormat: "date"})
	for _, h := range []string{"", "wrong", s.Header} {
		req, _ := http.NewRequest(http.MethodGet, s.Endpoint+"?api-version=2019-08-01&resource=https://storage.azure.com", nil)
		if h != "" {
			req.Header.Set("X-IDENTITY-HEADER", h)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		want := http.StatusUnauthorized
		if h == s.Header {
			want = http.StatusOK
			if _, err := time.Parse("01/02/2006 15:04:05 -07:00", body["expires_on"]); err != nil {
				t.Errorf("expires_on %q not in the App Service date form", body["expires_on"])
			}
		}
		if resp.StatusCode != want {
			t.Errorf("header %q: HTTP %d, want %d", h, resp.StatusCode, want)
		}
	}
}
