package aadtoken_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/emulatortest/identity"
)

// fastRetry keeps the documented shape (exponential, 410 loop) with
// millisecond delays.
var fastRetry = aadtoken.ManagedIdentityRetry{BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond,
	GoneDelay: 5 * time.Millisecond, GoneMaxWait: 200 * time.Millisecond}

func TestIMDSIdentities(t *testing.T) {
	user := identity.Identity{ClientID: identity.NewUUID(), ResourceID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/recorder"}
	imds := identity.NewIMDS(t, &identity.ManagedIdentityOptions{SystemAssigned: &identity.Identity{}, UserAssigned: []identity.Identity{user}})
	ua := imds.UserAssigned()[0]
	cases := []struct {
		name       string
		opts       aadtoken.ManagedIdentityOptions
		param, val string
		oid        string
	}{
		{"system-assigned", aadtoken.ManagedIdentityOptions{}, "", "", imds.SystemAssigned().ObjectID},
		{"client id", aadtoken.ManagedIdentityOptions{ClientID: ua.ClientID}, "client_id", ua.ClientID, ua.ObjectID},
		{"object id", aadtoken.ManagedIdentityOptions{ObjectID: ua.ObjectID}, "object_id", ua.ObjectID, ua.ObjectID},
		{"resource id", aadtoken.ManagedIdentityOptions{ResourceID: ua.ResourceID}, "msi_res_id", ua.ResourceID, ua.ObjectID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.opts
			o.IMDSEndpoint = imds.TokenURL
			cred, err := aadtoken.NewManagedIdentityCredential(&o)
			if err != nil {
				t.Fatal(err)
			}
			tok := getToken(t, cred)
			checkMinted(t, imds.Minter(), tok, imds.Tenant, c.oid, "")
			if d := time.Until(tok.ExpiresOn); d < 23*time.Hour || d > 24*time.Hour {
				t.Errorf("ExpiresOn in %s, want about 24h (from expires_in)", d)
			}
			reqs := imds.Requests()
			q := reqs[len(reqs)-1].Query
			if q.Get("api-version") != "2018-02-01" || q.Get("resource") != "https://storage.azure.com" {
				t.Errorf("query = %v", q)
			}
			for _, p := range []string{"client_id", "object_id", "msi_res_id"} {
				want := ""
				if p == c.param {
					want = c.val
				}
				if q.Get(p) != want {
					t.Errorf("%s = %q, want %q", p, q.Get(p), want)
				}
			}
		})
	}
}

func TestIMDSRetriesAsDocumented(t *testing.T) {
	imds := identity.NewIMDS(t, &identity.ManagedIdentityOptions{SystemAssigned: &identity.Identity{}})
	cred, err := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IMDSEndpoint: imds.TokenURL, Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	imds.Script(404, 429, 500)
	getToken(t, cred)
	if got := statuses(imds.Requests()); got != "404 429 500 200" {
		t.Fatalf("statuses = %s", got)
	}

	// 410 is retried on its own schedule, beyond MaxRetries. A generous
	// GoneMaxWait here: this step must not depend on the machine's speed.
	patient := fastRetry
	patient.GoneMaxWait = time.Minute
	patientCred, err := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IMDSEndpoint: imds.TokenURL, Retry: patient})
	if err != nil {
		t.Fatal(err)
	}
	imds.Script(410, 410, 410, 410, 410)
	getToken(t, patientCred)
	if got := statuses(imds.Requests()); !strings.HasSuffix(got, "410 410 410 410 410 200") {
		t.Fatalf("statuses = %s, want five 410s retried to a 200", got)
	}

	// Exhausted: the last error comes back.
	imds.Script(503, 503, 503, 503)
	_, err = cred.Token(context.Background())
	mustContain(t, err, "managed identity (IMDS)", "HTTP 503")
	getToken(t, cred)
	if n := countStatus(imds.Requests(), 503); n != 4 {
		t.Fatalf("503 tried %d times, want 1 + 3 retries", n)
	}

	// 410 beyond GoneMaxWait gives up.
	many := make([]int, 100)
	for i := range many {
		many[i] = 410
	}
	imds.Script(many...)
	before := countStatus(imds.Requests(), 410)
	_, err = cred.Token(context.Background())
	mustContain(t, err, "HTTP 410")
	// GoneMaxWait (200 ms) over GoneDelay (5 ms) allows about 40 tries;
	// the script holds 100, so running through it means the bound was ignored.
	if n := countStatus(imds.Requests(), 410) - before; n < 1 || n >= len(many) {
		t.Fatalf("410 tried %d times: want giving up at GoneMaxWait before the %d scripted answers ran out", n, len(many))
	}
}

func TestIMDSDoesNotRetryClientErrors(t *testing.T) {
	imds := identity.NewIMDS(t, &identity.ManagedIdentityOptions{UserAssigned: []identity.Identity{{ClientID: "known"}}})
	cred, _ := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IMDSEndpoint: imds.TokenURL, ClientID: "unknown", Retry: fastRetry})
	_, err := cred.Token(context.Background())
	mustContain(t, err, "HTTP 400", "Identity not found", "client_id=unknown is not assigned to this resource")
	sys, _ := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IMDSEndpoint: imds.TokenURL, Retry: fastRetry})
	_, err = sys.Token(context.Background())
	mustContain(t, err, "no system-assigned identity")
	if n := len(imds.Requests()); n != 2 {
		t.Fatalf("%d requests; 400 must not be retried", n)
	}
}

func TestIMDSProbeFailsFast(t *testing.T) {
	// A listener that accepts nothing: the connection hangs like a
	// black-holed 169.254.169.254.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	blackhole := "http://" + l.Addr().String() + "/metadata/identity/oauth2/token"
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	for _, ep := range []string{blackhole, hang.URL + "/metadata/identity/oauth2/token"} {
		cred, _ := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IMDSEndpoint: ep, ProbeTimeout: 100 * time.Millisecond})
		_, err := cred.Token(context.Background())
		if !errors.Is(err, aadtoken.ErrCredentialUnavailable) {
			t.Fatalf("%s: err = %v, want ErrCredentialUnavailable", ep, err)
		}
		mustContain(t, err, "nothing answered", "within 100ms")
	}
	// Something that is not IMDS (a proxy page) is not mistaken for it.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		_, _ = w.Write([]byte("<html>blocked by proxy</html>"))
	}))
	defer proxy.Close()
	cred, _ := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IMDSEndpoint: proxy.URL + "/x", ProbeTimeout: 30 * time.Second})
	_, err = cred.Token(context.Background())
	if !errors.Is(err, aadtoken.ErrCredentialUnavailable) || !strings.Contains(err.Error(), "non-JSON") {
		t.Fatalf("proxy: err = %v", err)
	}
	// A real IMDS passes the probe once, then tokens flow.
	imds := identity.NewIMDS(t, &identity.ManagedIdentityOptions{SystemAssigned: &identity.Identity{}})
	cred, _ = aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IMDSEndpoint: imds.TokenURL, ProbeTimeout: time.Second})
	getToken(t, cred)
	getToken(t, cred)
	probes := 0
	for _, r := range imds.Requests() {
		if r.Probe {
			probes++
		}
	}
	if probes != 1 || imds.Issued() != 2 {
		t.Fatalf("probes = %d, issued = %d; want 1 and 2", probes, imds.Issued())
	}
}

func TestIMDSEndpointRules(t *testing.T) {
	for _, ep := range []string{"http://example.com/metadata/identity/oauth2/token", "ftp://169.254.169.254/x", "169.254.169.254"} {
		if _, err := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IMDSEndpoint: ep}); err == nil {
			t.Errorf("%s accepted", ep)
		}
	}
	for _, ep := range []string{aadtoken.DefaultIMDSEndpoint, "http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]:1/x", "https://imds.example.com/x"} {
		if _, err := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IMDSEndpoint: ep}); err != nil {
			t.Errorf("%s: %v", ep, err)
		}
	}
	if _, err := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{ClientID: "a", ObjectID: "b"}); err == nil {
		t.Error("two identity selectors accepted")
	}
	c, err := aadtoken.NewManagedIdentityCredentialFromEnvironment(&aadtoken.ManagedIdentityOptions{
		LookupEnv: envMap(map[string]string{"AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:2579/"})})
	if err != nil || !strings.Contains(c.String(), "endpoint: http://127.0.0.1:2579/metadata/identity/oauth2/token") {
		t.Fatalf("pod identity host: %v %s", err, c)
	}
}

func TestAppServiceIdentity(t *testing.T) {
	user := identity.Identity{ClientID: identity.NewUUID(), ResourceID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/web"}
	for _, format := range []string{"unix", "date", "rfc3339"} {
		t.Run(format, func(t *testing.T) {
			as := identity.NewAppService(t, &identity.ManagedIdentityOptions{SystemAssigned: &identity.Identity{},
				UserAssigned: []identity.Identity{user}, ExpiresOnFormat: format, Lifetime: 8 * time.Hour})
			ua := as.UserAssigned()[0]
			for _, sel := range []struct {
				opts       aadtoken.ManagedIdentityOptions
				param, val string
			}{
				{aadtoken.ManagedIdentityOptions{}, "", ""},
				{aadtoken.ManagedIdentityOptions{ClientID: ua.ClientID}, "client_id", ua.ClientID},
				{aadtoken.ManagedIdentityOptions{ObjectID: ua.ObjectID}, "principal_id", ua.ObjectID},
				{aadtoken.ManagedIdentityOptions{ResourceID: ua.ResourceID}, "mi_res_id", ua.ResourceID},
			} {
				o := sel.opts
				o.LookupEnv = envMap(map[string]string{"IDENTITY_ENDPOINT": as.Endpoint, "IDENTITY_HEADER": as.Header})
				cred, err := aadtoken.NewManagedIdentityCredentialFromEnvironment(&o)
				if err != nil {
					t.Fatal(err)
				}
				tok := getToken(t, cred)
				if d := time.Until(tok.ExpiresOn); d < 7*time.Hour+59*time.Minute || d > 8*time.Hour {
					t.Errorf("%s: expires in %s, want 8h", format, d)
				}
				reqs := as.Requests()
				q := reqs[len(reqs)-1].Query
				if q.Get("api-version") != "2019-08-01" || q.Get("resource") != "https://storage.azure.com" {
					t.Errorf("query %v", q)
				}
				if sel.param != "" && q.Get(sel.param) != sel.val {
					t.Errorf("%s = %q, want %q", sel.param, q.Get(sel.param), sel.val)
				}
				if strings.Contains(cred.String(), as.Header) || !strings.Contains(cred.String(), "identity_header: REDACTED") {
					t.Errorf("String leaks or hides the header wrongly: %s", cred)
				}
			}
		})
	}
}

func TestAppServiceWrongHeaderAndRules(t *testing.T) {
	as := identity.NewAppService(t, &identity.ManagedIdentityOptions{SystemAssigned: &identity.Identity{}})
	cred, err := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{
		IdentityEndpoint: as.Endpoint, IdentityHeader: "wrong-header-value", Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.Token(context.Background())
	mustContain(t, err, "managed identity (App Service)", "HTTP 401", "X-IDENTITY-HEADER")
	if strings.Contains(err.Error(), "wrong-header-value") {
		t.Fatal("header value in error")
	}
	as.Script(500, 429)
	good, _ := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IdentityEndpoint: as.Endpoint, IdentityHeader: as.Header, Retry: fastRetry})
	getToken(t, good)
	if _, err := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IdentityEndpoint: "http://10.0.0.5:8081/msi/token", IdentityHeader: "h"}); err == nil {
		t.Fatal("plain http to a routable address accepted")
	}
	if _, err := aadtoken.NewManagedIdentityCredential(&aadtoken.ManagedIdentityOptions{IdentityEndpoint: as.Endpoint}); err == nil {
		t.Fatal("endpoint without header accepted")
	}
}

func statuses(reqs []identity.ManagedIdentityRequest) string {
	var s []string
	for _, r := range reqs {
		s = append(s, strconv.Itoa(r.Status))
	}
	return strings.Join(s, " ")
}

func countStatus(reqs []identity.ManagedIdentityRequest, st int) int {
	n := 0
	for _, r := range reqs {
		if r.Status == st {
			n++
		}
	}
	return n
}
