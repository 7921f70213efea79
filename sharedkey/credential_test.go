package sharedkey

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

const testKey = EmulatorAccountKey

func TestNewCredentialRejects(t *testing.T) {
	tests := []struct {
		name, account, key, wantErr string
	}{
		{"empty account", "", testKey, "account name is empty"},
		{"colon in account", "my:account", testKey, "cannot appear in a storage account name"},
		{"space in account", "my account", testKey, "cannot appear"},
		{"slash in account", "a/b", testKey, "cannot appear"},
		{"empty key", "acct", "", "the key is empty"},
		{"url-safe base64", "acct", strings.NewReplacer("+", "-", "/", "_").Replace(testKey), "only URL-safe base64 uses"},
		{"embedded newline", "acct", testKey[:40] + "\n" + testKey[40:], "not in A-Z a-z 0-9 + / ="},
		{"quoted", "acct", `"` + testKey + `"`, "stray whitespace or quotes"},
		{"missing padding", "acct", strings.TrimRight(testKey, "="), "malformed at byte"},
		{"15 bytes", "acct", "AAAAAAAAAAAAAAAAAAAA", "decodes to 15 bytes, fewer than 16"},
		{"truncated copy", "acct", testKey[:43], "malformed at byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCredential(tt.account, tt.key)
			if err == nil {
				t.Fatalf("NewCredential accepted it: %v", c)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not say %q", err, tt.wantErr)
			}
			if len(tt.key) >= 8 && strings.Contains(err.Error(), strings.TrimSpace(strings.Trim(tt.key, `"`))[:8]) {
				t.Fatalf("error %q echoes the key", err)
			}
		})
	}
}

func TestNewCredentialAccepts16ByteKey(t *testing.T) {
	c, err := NewCredential("acct", "AAAAAAAAAAAAAAAAAAAAAA==") // 16 zero bytes
	if err != nil {
		t.Fatal(err)
	}
	if c.AccountName() != "acct" {
		t.Fatalf("AccountName %q", c.AccountName())
	}
}

func fixedCredential(t *testing.T, at time.Time) *Credential {
	t.Helper()
	c, err := NewCredential(EmulatorAccountName, testKey)
	if err != nil {
		t.Fatal(err)
	}
	c.key.now = func() time.Time { return at }
	return c
}

func TestAuthorizeAddsDateOnlyWhenMissing(t *testing.T) {
	at := time.Date(2026, 11, 21, 3, 30, 0, 0, time.FixedZone("CET", 3600))
	c := fixedCredential(t, at)
	tests := []struct {
		name     string
		headers  http.Header
		wantDate string // x-ms-date after Authorize; "" = must not be set
	}{
		{"no date", http.Header{}, "Sat, 21 Nov 2026 02:30:00 GMT"},
		{"x-ms-date canonical", http.Header{"X-Ms-Date": {"Mon, 02 Jan 2006 15:04:05 GMT"}}, "Mon, 02 Jan 2006 15:04:05 GMT"},
		{"x-ms-date lower-case key", http.Header{"x-ms-date": {"Mon, 02 Jan 2006 15:04:05 GMT"}}, ""},
		{"Date only", http.Header{"Date": {"Mon, 02 Jan 2006 15:04:05 GMT"}}, ""},
		{"date lower-case key", http.Header{"date": {"Mon, 02 Jan 2006 15:04:05 GMT"}}, ""},
		{"empty x-ms-date slice", http.Header{"X-Ms-Date": {}}, "Sat, 21 Nov 2026 02:30:00 GMT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "https://devstoreaccount1.blob.core.windows.net/c/b", nil)
			req.Header = tt.headers
			if err := c.Authorize(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(req.Header["X-Ms-Date"], ","); got != tt.wantDate {
				t.Fatalf("X-Ms-Date = %q, want %q", got, tt.wantDate)
			}
			sts, err := StringToSign(req, EmulatorAccountName)
			if err != nil {
				t.Fatal(err)
			}
			want := "SharedKey devstoreaccount1:" + newKeyed(mustDecode(t, testKey)).sign([]byte(sts))
			if got := req.Header.Get("Authorization"); got != want {
				t.Fatalf("Authorization %q, want %q", got, want)
			}
		})
	}
}

func mustDecode(t *testing.T, k string) []byte {
	t.Helper()
	b, err := decodeAccountKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The golden signature for a fixed clock: Authorize's own date, pinned.
func TestAuthorizeGoldenWithClock(t *testing.T) {
	c := fixedCredential(t, time.Date(2026, 11, 21, 3, 30, 0, 0, time.UTC))
	req, _ := http.NewRequest(http.MethodPut, "http://127.0.0.1:10000/devstoreaccount1/vectors?restype=container", nil)
	req.Header.Set("x-ms-version", "2025-11-05")
	if err := c.Authorize(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	// Same request as the create-container vector, whose x-ms-date is this clock.
	f := loadVectors(t)
	if got, want := req.Header.Get("Authorization"), f.Requests[0].Authorization; got != want {
		t.Fatalf("Authorization %s, want %s (vector %s)", got, want, f.Requests[0].Name)
	}
}

func TestAuthorizeNil(t *testing.T) {
	var c *Credential
	req, _ := http.NewRequest(http.MethodGet, "https://a.blob.core.windows.net/", nil)
	if err := c.Authorize(context.Background(), req); err == nil || !strings.Contains(err.Error(), "nil Credential") {
		t.Fatalf("nil credential: %v", err)
	}
	c = fixedCredential(t, time.Unix(0, 0))
	if err := c.Authorize(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "nil request") {
		t.Fatalf("nil request: %v", err)
	}
	req.Header = nil
	if err := c.Authorize(context.Background(), req); err != nil {
		t.Fatalf("nil header map: %v", err)
	}
	if req.Header.Get("Authorization") == "" {
		t.Fatal("no Authorization set")
	}
}

func TestAuthorizeLeavesRequestUnsignedOnError(t *testing.T) {
	c := fixedCredential(t, time.Unix(0, 0))
	req, _ := http.NewRequest(http.MethodGet, "https://a.blob.core.windows.net/c?comp=%zz", nil)
	req.Header.Set("Authorization", "SharedKey acct:from-an-earlier-try")
	req.Header["authorization"] = []string{"SharedKey acct:from-an-earlier-try"}
	if err := c.Authorize(context.Background(), req); err == nil {
		t.Fatal("Authorize accepted a query that is not valid percent-encoding")
	}
	for k := range req.Header {
		if strings.EqualFold(k, "Authorization") {
			t.Fatalf("%s header left on a request that failed to sign", k)
		}
	}
}

// Many goroutines share one Credential (the pool hands each its own HMAC).
func TestAuthorizeConcurrent(t *testing.T) {
	f := loadVectors(t)
	c := vectorCredential(t, f)
	done := make(chan error)
	for g := 0; g < 8; g++ {
		go func(g int) {
			var err error
			for i := 0; i < 200 && err == nil; i++ {
				v := f.Requests[(g+i)%len(f.Requests)]
				req := v.request(t)
				if err = c.Authorize(context.Background(), req); err == nil && req.Header.Get("Authorization") != v.Authorization {
					err = &mismatch{v.Name}
				}
			}
			done <- err
		}(g)
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

type mismatch struct{ name string }

func (m *mismatch) Error() string { return "signature mismatch for vector " + m.name }

// A stale Authorization under a non-canonical key must not survive next to
// the new one: net/http would send both.
func TestAuthorizeReplacesStaleAuthorization(t *testing.T) {
	c := fixedCredential(t, time.Unix(0, 0))
	req, _ := http.NewRequest(http.MethodGet, "https://a.blob.core.windows.net/c/b", nil)
	req.Header["authorization"] = []string{"SharedKey old:stale"}
	req.Header["AUTHORIZATION"] = []string{"SharedKey old:stale"}
	req.Header.Set("Authorization", "SharedKey old:stale")
	if err := c.Authorize(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	var got []string
	for k, v := range req.Header {
		if strings.EqualFold(k, "Authorization") {
			got = append(got, k+"="+strings.Join(v, ","))
		}
	}
	if len(got) != 1 || strings.Contains(got[0], "stale") || !strings.HasPrefix(got[0], "Authorization=SharedKey devstoreaccount1:") {
		t.Fatalf("Authorization headers after signing: %q", got)
	}
}
