package aadtoken

import (
	"errors"
	"strings"
	"testing"
)

func TestAuthErrorFromEntraJSON(t *testing.T) {
	body := `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'x'.\r\nTrace ID: 0b5bcd3e-1111-4222-8333-444444444444\r\nCorrelation ID: 6c0f3f2a-aaaa-4bbb-8ccc-dddddddddddd\r\nTimestamp: 2025-06-01 12:00:00Z","error_codes":[7000215],"timestamp":"2025-06-01 12:00:00Z","trace_id":"0b5bcd3e-1111-4222-8333-444444444444","correlation_id":"6c0f3f2a-aaaa-4bbb-8ccc-dddddddddddd","error_uri":"https://login.microsoftonline.com/error?code=7000215"}`
	e := newAuthError("client secret", "https://login.microsoftonline.com/t/oauth2/v2.0/token", 401, []byte(body))
	if e.Code != "invalid_client" || e.AADSTS != "AADSTS7000215" || e.StatusCode != 401 {
		t.Errorf("fields: %+v", *e)
	}
	if e.CorrelationID != "6c0f3f2a-aaaa-4bbb-8ccc-dddddddddddd" || e.TraceID != "0b5bcd3e-1111-4222-8333-444444444444" {
		t.Errorf("ids: %+v", *e)
	}
	if strings.Contains(e.Description, "Trace ID") || strings.HasPrefix(e.Description, "AADSTS") {
		t.Errorf("description not trimmed to its first line without the code: %q", e.Description)
	}
	msg := e.Error()
	for _, want := range []string{
		"client secret", "https://login.microsoftonline.com/t/oauth2/v2.0/token", "HTTP 401",
		"invalid_client AADSTS7000215: Invalid client secret provided.",
		"correlation id 6c0f3f2a-aaaa-4bbb-8ccc-dddddddddddd", "use the secret's Value",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("message spans lines: %q", msg)
	}
}

func TestAuthErrorVariants(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		want       []string
	}{
		{"code only in text", `{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'x' not found."}`, 400,
			[]string{"AADSTS90002", "Tenant 'x' not found.", "check AZURE_TENANT_ID"}},
		{"IMDS", `{"error":"invalid_request","error_description":"Identity not found"}`, 400,
			[]string{"invalid_request: Identity not found"}},
		{"error object", `{"error":{"code":"Unauthorized","message":"nope"}}`, 401, []string{"Unauthorized"}},
		{"message field", `{"statusCode":500,"message":"upstream failed"}`, 500, []string{"upstream failed", "retry later"}},
		{"html", `<html>bad gateway</html>`, 502, []string{"non-JSON body of 24 bytes", "Bad Gateway"}},
		{"empty", ``, 503, []string{"empty body", "Service Unavailable"}},
		{"throttled", `{"error":"temporarily_unavailable"}`, 429, []string{"throttling"}},
		{"control chars", "{\"error\":\"x\\u001b[31m\",\"error_description\":\"a\\u0007b\"}", 400, []string{"x[31m: ab"}},
	}
	for _, c := range cases {
		e := newAuthError("cred", "https://h/p", c.status, []byte(c.body))
		for _, w := range c.want {
			if !strings.Contains(e.Error(), w) {
				t.Errorf("%s: %q lacks %q", c.name, e.Error(), w)
			}
		}
	}
}

func TestAuthErrorScrubsEchoedSecrets(t *testing.T) {
	secret := "Zm9vYmFyLXNlY3JldC12YWx1ZQ~~"
	body := `{"error":"invalid_client","error_description":"bad secret ` + secret + `","correlation_id":"` + secret + `"}`
	e := newAuthError("client secret", "https://h/t", 401, []byte(body), secret)
	if strings.Contains(e.Error(), secret) {
		t.Fatalf("secret echoed: %s", e.Error())
	}
	if !strings.Contains(e.Error(), "bad secret REDACTED") {
		t.Fatalf("scrub marker missing: %s", e.Error())
	}
}

func TestUnavailableMatchesSentinel(t *testing.T) {
	err := unavailable("workload identity", "%s not set", EnvFederatedTokenFile)
	if !errors.Is(err, ErrCredentialUnavailable) {
		t.Fatal("errors.Is(ErrCredentialUnavailable) = false")
	}
	if got := err.Error(); got != "aadtoken: workload identity unavailable: AZURE_FEDERATED_TOKEN_FILE not set" {
		t.Fatalf("Error() = %q", got)
	}
}

func FuzzAuthError(f *testing.F) {
	f.Add([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: t","error_codes":[7000215],"correlation_id":"c"}`), 401)
	f.Add([]byte(`{"error":{"code":"x"},"message":"m"}`), 500)
	f.Add([]byte(`<html>`), 502)
	f.Add([]byte(`{"error_codes":[-1,99999999999999999999]}`), 400)
	const secret = "fuzz-secret-value-123"
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		e := newAuthError("cred", "https://h/t", status, body, secret)
		msg := e.Error()
		if strings.ContainsAny(msg, "\r\n\x00\x1b") {
			t.Fatalf("control characters in %q", msg)
		}
		if strings.Contains(msg, secret) {
			t.Fatalf("secret in %q", msg)
		}
	})
}

func TestAuthErrorScrubsEscapedSecrets(t *testing.T) {
	secret := "fuzz-secret-value-123"
	body := `{"error":"fuzz\u002dsecret-value-123","error_description":"x fuzz-secret\u002dvalue-123","trace_id":"fuzz-secret-value-123"}`
	e := newAuthError("c", "https://h", 400, []byte(body), secret)
	if strings.Contains(e.Error(), secret) {
		t.Fatalf("escaped secret survived: %s", e.Error())
	}
}
