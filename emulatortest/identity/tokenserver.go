package identity

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ClientAssertionType is the RFC 7523 JWT bearer assertion type.
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// App is an app registration (or user-assigned identity) known to a
// [TokenServer]. Set the fields for the authentication methods it accepts.
type App struct {
	ClientID string
	// ObjectID is the service principal's object id (the oid claim);
	// "" means a random one, filled in by Register.
	ObjectID string
	// Secret accepts client_secret.
	Secret string
	// Certificate accepts assertions signed by its key and naming its
	// SHA-256 thumbprint (x5t#S256).
	Certificate *x509.Certificate
	// SubjectName and Roots accept subject name / issuer assertions: the
	// x5c header must carry a chain to Roots whose leaf has this common
	// name, and the assertion must be signed by the leaf's key.
	SubjectName string
	Roots       *x509.CertPool
	// FederatedToken accepts client_assertion equal to it (what Entra ID
	// checks through the federated credential's issuer and subject).
	FederatedToken string
}

// TokenRequest records one request the server accepted or refused.
type TokenRequest struct {
	ClientID string
	Auth     string // "secret", "certificate", "subject-name", "federated" or ""
	Scope    string
	Status   int
	Error    string // AADSTS code or OAuth error when refused
}

// TokenServerOptions configure [NewTokenServer].
type TokenServerOptions struct {
	// Tenant is the only tenant served; "" means a random GUID.
	Tenant string
	// Scope is the only scope accepted; "" means StorageScope.
	Scope string
	// Lifetime of issued tokens; 0 means one hour.
	Lifetime time.Duration
	// RefreshIn, when positive, is returned as refresh_in.
	RefreshIn time.Duration
	// Leeway is the clock skew tolerated on assertions; 0 means 5 minutes.
	Leeway time.Duration
}

// TokenServer is a stand-in for the Entra ID v2.0 token endpoint, served
// over TLS with a test certificate (use [TokenServer.Client]).
type TokenServer struct {
	// AuthorityHost is the authority, e.g. https://127.0.0.1:PORT/.
	AuthorityHost string
	// Tenant is the tenant served.
	Tenant string

	srv    *httptest.Server
	minter *Minter
	opts   TokenServerOptions

	mu       sync.Mutex
	apps     map[string]*App
	failures []Failure
	requests []TokenRequest
	jtis     map[string]bool
	issued   int
}

// NewTokenServer starts a token endpoint stand-in, stopped at t.Cleanup.
func NewTokenServer(t testing.TB, opts *TokenServerOptions) *TokenServer {
	t.Helper()
	var o TokenServerOptions
	if opts != nil {
		o = *opts
	}
	if o.Tenant == "" {
		o.Tenant = NewUUID()
	}
	if o.Scope == "" {
		o.Scope = StorageScope
	}
	if o.Lifetime <= 0 {
		o.Lifetime = time.Hour
	}
	if o.Leeway <= 0 {
		o.Leeway = 5 * time.Minute
	}
	m, err := NewMinter()
	if err != nil {
		t.Fatalf("identity: %v", err)
	}
	s := &TokenServer{Tenant: o.Tenant, minter: m, opts: o, apps: map[string]*App{}, jtis: map[string]bool{}}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	s.AuthorityHost = s.srv.URL + "/"
	return s
}

// Client returns an HTTP client that trusts the server's certificate.
func (s *TokenServer) Client() *http.Client { return s.srv.Client() }

// TokenURL is {authority}{tenant}/oauth2/v2.0/token, the assertion audience.
func (s *TokenServer) TokenURL() string {
	return s.AuthorityHost + s.Tenant + "/oauth2/v2.0/token"
}

// Minter returns the signer of issued tokens.
func (s *TokenServer) Minter() *Minter { return s.minter }

// Register adds an app and returns it with ObjectID filled in.
func (s *TokenServer) Register(a App) App {
	if a.ObjectID == "" {
		a.ObjectID = NewUUID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := a
	s.apps[a.ClientID] = &cp
	return a
}

// SetFederatedToken changes the federated token an app accepts (rotation).
func (s *TokenServer) SetFederatedToken(clientID, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.apps[clientID]; a != nil {
		a.FederatedToken = token
	}
}

// FailNext makes the next len(f) requests answer with f, in order.
func (s *TokenServer) FailNext(f ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f...)
}

// Requests returns the requests seen so far.
func (s *TokenServer) Requests() []TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TokenRequest(nil), s.requests...)
}

// Issued counts the tokens issued.
func (s *TokenServer) Issued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// refusal is a check that failed, answered as Entra ID would.
type refusal struct {
	status int
	code   string
	aadsts int
	desc   string
}

func (s *TokenServer) serve(w http.ResponseWriter, r *http.Request) {
	rec := TokenRequest{}
	defer func() {
		s.mu.Lock()
		s.requests = append(s.requests, rec)
		s.mu.Unlock()
	}()
	s.mu.Lock()
	if len(s.failures) > 0 {
		f := s.failures[0]
		s.failures = s.failures[1:]
		s.mu.Unlock()
		rec.Status, rec.Error = f.Status, "scripted"
		f.write(w)
		return
	}
	s.mu.Unlock()

	app, auth, ref := s.check(r, &rec)
	if ref != nil {
		rec.Status = ref.status
		rec.Error = ref.code
		if ref.aadsts != 0 {
			rec.Error = fmt.Sprintf("AADSTS%d", ref.aadsts)
		}
		writeAADError(w, ref.status, ref.code, ref.aadsts, ref.desc)
		return
	}
	rec.Auth = auth
	now := time.Now()
	tok, err := s.minter.Mint(AccessClaims{
		Tenant:   s.Tenant,
		ObjectID: app.ObjectID,
		AppID:    app.ClientID,
		Audience: strings.TrimSuffix(s.opts.Scope, "/.default"),
		Lifetime: s.opts.Lifetime,
		Now:      now,
	})
	if err != nil {
		rec.Status = http.StatusInternalServerError
		writeAADError(w, http.StatusInternalServerError, "server_error", 0, err.Error())
		return
	}
	body := map[string]any{
		"token_type":     "Bearer",
		"expires_in":     int(s.opts.Lifetime.Seconds()),
		"ext_expires_in": int(s.opts.Lifetime.Seconds()),
		"access_token":   tok,
	}
	if s.opts.RefreshIn > 0 {
		body["refresh_in"] = int(s.opts.RefreshIn.Seconds())
	}
	s.mu.Lock()
	s.issued++
	s.mu.Unlock()
	rec.Status = http.StatusOK
	writeJSON(w, http.StatusOK, body)
}

// check validates a request the way the v2.0 endpoint does.
func (s *TokenServer) check(r *http.Request, rec *TokenRequest) (*App, string, *refusal) {
	if r.Method != http.MethodPost {
		return nil, "", &refusal{http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts POST requests."}
	}
	wantPath := "/" + s.Tenant + "/oauth2/v2.0/token"
	if r.URL.Path != wantPath {
		tenant, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		return nil, "", &refusal{http.StatusBadRequest, "invalid_request", 90002, fmt.Sprintf("Tenant '%s' not found.", tenant)}
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return nil, "", &refusal{http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."}
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return nil, "", &refusal{http.StatusBadRequest, "invalid_request", 900144, "The request body could not be parsed."}
	}
	f := r.PostForm
	rec.ClientID, rec.Scope = f.Get("client_id"), f.Get("scope")
	if g := f.Get("grant_type"); g != "client_credentials" {
		return nil, "", &refusal{http.StatusBadRequest, "unsupported_grant_type", 70003, fmt.Sprintf("The app requested an unsupported grant type '%s'.", g)}
	}
	if rec.ClientID == "" {
		return nil, "", &refusal{http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."}
	}
	if rec.Scope != s.opts.Scope {
		return nil, "", &refusal{http.StatusBadRequest, "invalid_scope", 1002012, fmt.Sprintf("The provided value for scope %s is not valid.", rec.Scope)}
	}
	s.mu.Lock()
	app := s.apps[rec.ClientID]
	var cp App
	if app != nil {
		cp = *app
	}
	s.mu.Unlock()
	if app == nil {
		return nil, "", &refusal{http.StatusBadRequest, "unauthorized_client", 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'.", rec.ClientID, s.Tenant)}
	}
	secret, assertion := f.Get("client_secret"), f.Get("client_assertion")
	switch {
	case secret != "" && assertion != "", secret == "" && assertion == "":
		return nil, "", &refusal{http.StatusUnauthorized, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	case secret != "":
		if cp.Secret == "" || secret != cp.Secret {
			return nil, "", &refusal{http.StatusUnauthorized, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID."}
		}
		return &cp, "secret", nil
	}
	if t := f.Get("client_assertion_type"); t != ClientAssertionType {
		return nil, "", &refusal{http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_assertion_type'."}
	}
	if cp.FederatedToken != "" && assertion == cp.FederatedToken {
		return &cp, "federated", nil
	}
	if cp.Certificate == nil && cp.SubjectName == "" {
		if cp.FederatedToken != "" {
			return nil, "", &refusal{http.StatusBadRequest, "invalid_request", 70021, "No matching federated identity record found for presented assertion."}
		}
		return nil, "", &refusal{http.StatusUnauthorized, "invalid_client", 700027, "Client assertion failed signature validation. [Reason - The key was not found.]"}
	}
	auth, err := s.verifyAssertion(assertion, &cp)
	if err != nil {
		return nil, "", &refusal{http.StatusUnauthorized, "invalid_client", 700027, "Client assertion failed validation: " + err.Error()}
	}
	return &cp, auth, nil
}

// verifyAssertion checks a certificate-signed client assertion.
func (s *TokenServer) verifyAssertion(assertion string, app *App) (string, error) {
	auth := "certificate"
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{"PS256", "RS256"}),
		jwt.WithAudience(s.TokenURL()),
		jwt.WithIssuer(app.ClientID),
		jwt.WithSubject(app.ClientID),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(s.opts.Leeway),
	)
	claims := jwt.MapClaims{}
	_, err := p.ParseWithClaims(assertion, claims, func(t *jwt.Token) (any, error) {
		x5t, _ := t.Header["x5t#S256"].(string)
		if x5t == "" {
			return nil, errors.New("the x5t#S256 header is missing")
		}
		if app.Certificate != nil && x5t == Thumbprint(app.Certificate) {
			return app.Certificate.PublicKey.(*rsa.PublicKey), nil
		}
		if app.SubjectName == "" {
			return nil, errors.New("no certificate with this x5t#S256 thumbprint is registered")
		}
		leaf, err := verifyX5C(t.Header["x5c"], app)
		if err != nil {
			return nil, err
		}
		if Thumbprint(leaf) != x5t {
			return nil, errors.New("x5t#S256 does not match the x5c leaf certificate")
		}
		auth = "subject-name"
		pub, ok := leaf.PublicKey.(*rsa.PublicKey)
		if !ok {
			return nil, errors.New("the x5c leaf is not an RSA certificate")
		}
		return pub, nil
	})
	if err != nil {
		return "", err
	}
	if _, ok := claims["nbf"]; !ok {
		return "", errors.New("the nbf claim is missing")
	}
	jti, _ := claims["jti"].(string)
	if jti == "" {
		return "", errors.New("the jti claim is missing")
	}
	exp, _ := claims.GetExpirationTime()
	nbf, _ := claims.GetNotBefore()
	if exp != nil && nbf != nil && exp.Sub(nbf.Time) > 24*time.Hour {
		return "", errors.New("the assertion is valid for more than a day")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jtis[jti] {
		return "", errors.New("the assertion was already used (jti replayed)")
	}
	s.jtis[jti] = true
	return auth, nil
}

// verifyX5C checks the x5c chain against the app's roots and subject name.
func verifyX5C(h any, app *App) (*x509.Certificate, error) {
	list, ok := h.([]any)
	if !ok || len(list) == 0 {
		return nil, errors.New("subject name / issuer authentication needs the x5c header")
	}
	var certs []*x509.Certificate
	for _, v := range list {
		s, _ := v.(string)
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, errors.New("x5c holds invalid base64")
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, errors.New("x5c holds an invalid certificate")
		}
		certs = append(certs, c)
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	if _, err := certs[0].Verify(x509.VerifyOptions{
		Roots:         app.Roots,
		Intermediates: inter,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}); err != nil {
		return nil, fmt.Errorf("the x5c chain does not verify: %v", err)
	}
	if certs[0].Subject.CommonName != app.SubjectName {
		return nil, fmt.Errorf("the certificate subject %q is not the registered one", certs[0].Subject.CommonName)
	}
	return certs[0], nil
}
