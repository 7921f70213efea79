package identity

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Identity is a managed identity known to [IMDS] or [AppService].
type Identity struct {
	ClientID   string
	ObjectID   string // oid claim; "" means random (filled in by the constructor)
	ResourceID string // ARM id, /subscriptions/.../userAssignedIdentities/name
}

// ManagedIdentityOptions configure [NewIMDS] and [NewAppService].
type ManagedIdentityOptions struct {
	Tenant string // "" means a random GUID
	// SystemAssigned is the resource's system-assigned identity; nil
	// means it has none.
	SystemAssigned *Identity
	// UserAssigned are the user-assigned identities attached.
	UserAssigned []Identity
	// Resource is the only resource accepted; "" means StorageResource.
	Resource string
	// Lifetime of issued tokens; 0 means 24 hours (as IMDS issues).
	Lifetime time.Duration
	// ExpiresOnFormat selects the App Service expires_on form: "" or
	// "unix" (api-version 2019-08-01), "date" ("MM/dd/yyyy HH:mm:ss
	// +00:00", as api-version 2017-09-01 answered) or "rfc3339".
	ExpiresOnFormat string
	// Header is the App Service X-IDENTITY-HEADER secret; "" means random.
	Header string
}

// ManagedIdentityRequest records one request.
type ManagedIdentityRequest struct {
	Query  url.Values
	Status int
	Probe  bool // no Metadata header (how clients probe for IMDS)
}

type miServer struct {
	srv    *httptest.Server
	minter *Minter
	opts   ManagedIdentityOptions

	mu       sync.Mutex
	script   []Failure
	requests []ManagedIdentityRequest
	issued   int
}

func newMIServer(t testing.TB, opts *ManagedIdentityOptions) *miServer {
	t.Helper()
	var o ManagedIdentityOptions
	if opts != nil {
		o = *opts
	}
	if o.Tenant == "" {
		o.Tenant = NewUUID()
	}
	if o.Resource == "" {
		o.Resource = StorageResource
	}
	if o.Lifetime <= 0 {
		o.Lifetime = 24 * time.Hour
	}
	if o.SystemAssigned != nil {
		sa := *o.SystemAssigned
		if sa.ObjectID == "" {
			sa.ObjectID = NewUUID()
		}
		if sa.ClientID == "" {
			sa.ClientID = NewUUID()
		}
		o.SystemAssigned = &sa
	}
	ua := make([]Identity, len(o.UserAssigned))
	for i, id := range o.UserAssigned {
		if id.ObjectID == "" {
			id.ObjectID = NewUUID()
		}
		ua[i] = id
	}
	o.UserAssigned = ua
	m, err := NewMinter()
	if err != nil {
		t.Fatalf("identity: %v", err)
	}
	return &miServer{minter: m, opts: o}
}

// Script makes the next requests answer with these statuses, in order
// (429 carries Retry-After: 1).
func (s *miServer) Script(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range statuses {
		f := Failure{Status: st, Code: "temporarily_unavailable", Description: http.StatusText(st)}
		switch st {
		case http.StatusNotFound:
			f.Code, f.Description = "invalid_request", "Identity not found"
		case http.StatusGone:
			f.Code, f.Description = "service_unavailable", "IMDS is being updated"
		case http.StatusTooManyRequests:
			f.RetryAfter = "1"
		}
		s.script = append(s.script, f)
	}
}

// Requests returns the requests seen so far.
func (s *miServer) Requests() []ManagedIdentityRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ManagedIdentityRequest(nil), s.requests...)
}

// Issued counts the tokens issued.
func (s *miServer) Issued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

func (s *miServer) record(r ManagedIdentityRequest) {
	s.mu.Lock()
	s.requests = append(s.requests, r)
	s.mu.Unlock()
}

func (s *miServer) nextScripted() (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.script) == 0 {
		return Failure{}, false
	}
	f := s.script[0]
	s.script = s.script[1:]
	return f, true
}

// pick resolves the identity selected by the query; params are the names
// the endpoint uses for client id, object id and resource id.
func (s *miServer) pick(q url.Values, params [3]string) (*Identity, string) {
	given := 0
	for _, p := range params {
		if q.Get(p) != "" {
			given++
		}
	}
	if given > 1 {
		return nil, "Only one of " + strings.Join(params[:], ", ") + " may be specified"
	}
	for i := range s.opts.UserAssigned {
		id := &s.opts.UserAssigned[i]
		switch {
		case q.Get(params[0]) != "" && q.Get(params[0]) == id.ClientID,
			q.Get(params[1]) != "" && q.Get(params[1]) == id.ObjectID,
			q.Get(params[2]) != "" && strings.EqualFold(q.Get(params[2]), id.ResourceID):
			return id, ""
		}
	}
	if given == 0 && s.opts.SystemAssigned != nil {
		return s.opts.SystemAssigned, ""
	}
	return nil, "Identity not found"
}

func (s *miServer) mint(id *Identity) (string, time.Time, error) {
	now := time.Now()
	tok, err := s.minter.Mint(AccessClaims{
		Tenant: s.opts.Tenant, ObjectID: id.ObjectID, AppID: id.ClientID,
		Audience: s.opts.Resource, Lifetime: s.opts.Lifetime, Now: now,
	})
	if err == nil {
		s.mu.Lock()
		s.issued++
		s.mu.Unlock()
	}
	return tok, now, err
}

func (s *miServer) resourceOK(res string) bool {
	return strings.TrimSuffix(res, "/") == strings.TrimSuffix(s.opts.Resource, "/")
}

// SystemAssigned returns the system-assigned identity, if any.
func (s *miServer) SystemAssigned() *Identity { return s.opts.SystemAssigned }

// UserAssigned returns the user-assigned identities with ObjectIDs filled.
func (s *miServer) UserAssigned() []Identity { return s.opts.UserAssigned }

// miDialect is what tells the two managed identity endpoints apart; the
// rest of a token request is checked the same way by both.
type miDialect struct {
	path string
	// admit checks the endpoint's own request headers, before any scripted
	// failure; it reports a refusal through fail and returns false.
	admit func(r *http.Request, rec *ManagedIdentityRequest, fail func(status int, code, desc string)) bool
	// apiVersionOK accepts the api-version values the endpoint serves;
	// apiVersionMsg is the refusal of any other.
	apiVersionOK  func(string) bool
	apiVersionMsg string
	// idParams are the query names of client id, object id and resource id.
	idParams [3]string
	// answer is the success body for a token issued at now.
	answer func(id *Identity, tok string, now time.Time) map[string]string
}

// handler serves token requests the way d describes, recording each.
func (s *miServer) handler(d miDialect) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		rec := ManagedIdentityRequest{Query: q}
		defer func() { s.record(rec) }()
		fail := func(status int, code, desc string) {
			rec.Status = status
			writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
		}
		if r.URL.Path != d.path {
			fail(http.StatusNotFound, "not_found", "The requested path is not found")
			return
		}
		if !d.admit(r, &rec, fail) {
			return
		}
		if f, ok := s.nextScripted(); ok {
			rec.Status = f.Status
			f.write(w)
			return
		}
		if r.Method != http.MethodGet {
			fail(http.StatusMethodNotAllowed, "invalid_request", "Only GET is supported")
			return
		}
		if !d.apiVersionOK(q.Get("api-version")) {
			fail(http.StatusBadRequest, "invalid_request", d.apiVersionMsg)
			return
		}
		if !s.resourceOK(q.Get("resource")) {
			fail(http.StatusBadRequest, "invalid_resource", "AADSTS500011: The resource principal named "+q.Get("resource")+" was not found in the tenant")
			return
		}
		id, msg := s.pick(q, d.idParams)
		if id == nil {
			fail(http.StatusBadRequest, "invalid_request", msg)
			return
		}
		tok, now, err := s.mint(id)
		if err != nil {
			fail(http.StatusInternalServerError, "server_error", err.Error())
			return
		}
		rec.Status = http.StatusOK
		writeJSON(w, http.StatusOK, d.answer(id, tok, now))
	}
}

// IMDS is a stand-in for the Azure Instance Metadata Service token
// endpoint, served over plain http on 127.0.0.1 (the real one is plain http
// on 169.254.169.254).
type IMDS struct {
	*miServer
	// TokenURL is http://127.0.0.1:PORT/metadata/identity/oauth2/token.
	TokenURL string
	// Host is http://127.0.0.1:PORT (an AZURE_POD_IDENTITY_AUTHORITY_HOST).
	Host string
	// Tenant is the tenant of issued tokens.
	Tenant string
}

// NewIMDS starts an IMDS stand-in, stopped at t.Cleanup.
func NewIMDS(t testing.TB, opts *ManagedIdentityOptions) *IMDS {
	t.Helper()
	s := &IMDS{miServer: newMIServer(t, opts)}
	s.srv = httptest.NewServer(s.handler(miDialect{
		path:  "/metadata/identity/oauth2/token",
		admit: s.admit,
		apiVersionOK: func(v string) bool {
			return v == "2018-02-01" || v == "2019-08-01"
		},
		apiVersionMsg: "Requested api-version is not supported or is missing",
		idParams:      [3]string{"client_id", "object_id", "msi_res_id"},
		answer:        s.answer,
	}))
	t.Cleanup(s.srv.Close)
	s.Host = s.srv.URL
	s.TokenURL = s.srv.URL + "/metadata/identity/oauth2/token"
	s.Tenant = s.opts.Tenant
	return s
}

// admit: IMDS refuses anything that looks proxied, and requests without
// the Metadata header (this is what a probe gets).
func (s *IMDS) admit(r *http.Request, rec *ManagedIdentityRequest, fail func(status int, code, desc string)) bool {
	if r.Header.Get("X-Forwarded-For") != "" {
		fail(http.StatusBadRequest, "invalid_request", "Request was forwarded by a proxy")
		return false
	}
	if r.Header.Get("Metadata") != "true" {
		rec.Probe = true
		fail(http.StatusBadRequest, "invalid_request", "Required metadata header not specified")
		return false
	}
	return true
}

// answer: IMDS sends every number as a string.
func (s *IMDS) answer(id *Identity, tok string, now time.Time) map[string]string {
	life := strconv.Itoa(int(s.opts.Lifetime.Seconds()))
	return map[string]string{
		"access_token":   tok,
		"client_id":      id.ClientID,
		"expires_in":     life,
		"expires_on":     strconv.FormatInt(now.Add(s.opts.Lifetime).Unix(), 10),
		"ext_expires_in": life,
		"not_before":     strconv.FormatInt(now.Unix(), 10),
		"resource":       s.opts.Resource,
		"token_type":     "Bearer",
	}
}

// AppService is a stand-in for the App Service / Functions / Container
// Apps managed identity endpoint (IDENTITY_ENDPOINT, plain http on
// loopback), which requires the X-IDENTITY-HEADER secret.
type AppService struct {
	*miServer
	// Endpoint is the IDENTITY_ENDPOINT value.
	Endpoint string
	// Header is the IDENTITY_HEADER value.
	Header string
	// Tenant is the tenant of issued tokens.
	Tenant string
}

// NewAppService starts an App Service identity endpoint stand-in, stopped
// at t.Cleanup.
func NewAppService(t testing.TB, opts *ManagedIdentityOptions) *AppService {
	t.Helper()
	s := &AppService{miServer: newMIServer(t, opts)}
	if s.opts.Header == "" {
		s.opts.Header = "hdr-" + NewUUID()
	}
	s.srv = httptest.NewServer(s.handler(miDialect{
		path:          "/msi/token",
		admit:         s.admit,
		apiVersionOK:  func(v string) bool { return v == "2019-08-01" },
		apiVersionMsg: "api-version 2019-08-01 is required",
		idParams:      [3]string{"client_id", "principal_id", "mi_res_id"},
		answer:        s.answer,
	}))
	t.Cleanup(s.srv.Close)
	s.Endpoint = s.srv.URL + "/msi/token"
	s.Header = s.opts.Header
	s.Tenant = s.opts.Tenant
	return s
}

// admit requires the X-IDENTITY-HEADER secret.
func (s *AppService) admit(r *http.Request, _ *ManagedIdentityRequest, fail func(status int, code, desc string)) bool {
	if r.Header.Get("X-IDENTITY-HEADER") != s.opts.Header {
		fail(http.StatusUnauthorized, "unauthorized", "The X-IDENTITY-HEADER header is missing or wrong")
		return false
	}
	return true
}

// answer gives expires_on in the form ExpiresOnFormat selects.
func (s *AppService) answer(id *Identity, tok string, now time.Time) map[string]string {
	exp := now.Add(s.opts.Lifetime)
	var expiresOn string
	switch s.opts.ExpiresOnFormat {
	case "date":
		expiresOn = exp.UTC().Format("01/02/2006 15:04:05 -07:00")
	case "rfc3339":
		expiresOn = exp.UTC().Format(time.RFC3339)
	default:
		expiresOn = strconv.FormatInt(exp.Unix(), 10)
	}
	return map[string]string{
		"access_token": tok,
		"expires_on":   expiresOn,
		"resource":     s.opts.Resource,
		"token_type":   "Bearer",
		"client_id":    id.ClientID,
	}
}

// Minter returns the signer of issued tokens.
func (s *miServer) Minter() *Minter { return s.minter }
