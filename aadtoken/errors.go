package aadtoken

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ErrCredentialUnavailable marks errors saying a credential is not set up
// here at all (environment variables missing, no managed identity endpoint,
// Azure CLI not installed), as opposed to set up and failing. Match it with
// errors.Is.
var ErrCredentialUnavailable = errors.New("credential unavailable")

// unavailableError is a credential that is not configured in this
// environment; the chain reports it as "skipped".
type unavailableError struct {
	credential string
	reason     string
}

func (e *unavailableError) Error() string {
	return "aadtoken: " + e.credential + " unavailable: " + e.reason
}

func (e *unavailableError) Is(target error) bool { return target == ErrCredentialUnavailable }

func unavailable(credential, format string, args ...any) error {
	return &unavailableError{credential: credential, reason: fmt.Sprintf(format, args...)}
}

// AuthError is a token request that an identity endpoint answered with an
// error. It carries what Microsoft support and the Entra sign-in logs need
// (the AADSTS code, correlation and trace ids) and never the secret,
// assertion or token that was sent.
type AuthError struct {
	// Credential names the credential kind, e.g. "client secret".
	Credential string
	// Endpoint is the URL that was called (it holds no secrets).
	Endpoint string
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Code is the OAuth2 "error" value, e.g. "invalid_client".
	Code string
	// AADSTS is the Entra error code, e.g. "AADSTS7000215", when given.
	AADSTS string
	// Description is the first line of "error_description".
	Description string
	// CorrelationID, TraceID and Timestamp identify the request in Entra's
	// logs.
	CorrelationID string
	TraceID       string
	Timestamp     string
	// Hint says what to do, for the codes this package knows.
	Hint string
}

// Error formats the failure on one line.
func (e *AuthError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "aadtoken: %s: %s answered HTTP %d", e.Credential, e.Endpoint, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.AADSTS != "" {
		b.WriteString(" " + e.AADSTS)
	}
	if e.Description != "" {
		b.WriteString(": " + e.Description)
	}
	var ids []string
	if e.CorrelationID != "" {
		ids = append(ids, "correlation id "+e.CorrelationID)
	}
	if e.TraceID != "" {
		ids = append(ids, "trace id "+e.TraceID)
	}
	if e.Timestamp != "" {
		ids = append(ids, "timestamp "+e.Timestamp)
	}
	if len(ids) > 0 {
		b.WriteString(" (" + strings.Join(ids, ", ") + ")")
	}
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	return b.String()
}

// errorBody is the OAuth2 / Entra error JSON. IMDS and App Service use the
// same "error" and "error_description" names; the ids are Entra's.
type errorBody struct {
	Error         json.RawMessage `json:"error"`
	Description   string          `json:"error_description"`
	ErrorCodes    []int64         `json:"error_codes"`
	Timestamp     string          `json:"timestamp"`
	TraceID       string          `json:"trace_id"`
	CorrelationID string          `json:"correlation_id"`
	Message       string          `json:"message"` // some App Service hosts
}

// hints say what to do for the Entra errors people hit most.
var hints = map[string]string{
	"AADSTS7000215": "the client secret is wrong: use the secret's Value (not its Secret ID) and check AZURE_CLIENT_SECRET",
	"AADSTS7000222": "the client secret has expired: create a new one in the app registration",
	"AADSTS700016":  "no application with this client id exists in the tenant: check AZURE_CLIENT_ID and AZURE_TENANT_ID",
	"AADSTS90002":   "the tenant was not found: check AZURE_TENANT_ID and, for sovereign clouds, AZURE_AUTHORITY_HOST",
	"AADSTS700027":  "the client assertion was not accepted: upload this certificate's public part to the app registration (Certificates & secrets)",
	"AADSTS700024":  "the client assertion is outside its validity window: check this machine's clock",
	"AADSTS70021":   "no federated identity credential matches the presented token: check the issuer, subject and audience of the federated credential",
	"AADSTS700211":  "no federated identity credential matches the token's issuer: check the federated credential's issuer URL",
	"AADSTS700213":  "no federated identity credential matches the token's subject: check the federated credential's subject (namespace and service account)",
	"AADSTS500011":  "the resource was not found in the tenant: check the scope (Azure Storage is https://storage.azure.com/.default)",
}

// newAuthError builds an AuthError from an error answer. secrets are
// scrubbed from every text field in case a (misbehaving) endpoint echoes
// what it was sent.
func newAuthError(credential, endpoint string, status int, body []byte, secrets ...string) *AuthError {
	e := &AuthError{Credential: credential, Endpoint: endpoint, StatusCode: status}
	var eb errorBody
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &eb) == nil {
		code := errorCodeText(eb.Error)
		// Scrub decoded values, before anything is cut short: a truncated
		// or JSON-escaped secret would no longer be recognized.
		for _, s := range secrets {
			code = scrub(code, s)
			eb.Description = scrub(eb.Description, s)
			eb.Message = scrub(eb.Message, s)
			eb.CorrelationID = scrub(eb.CorrelationID, s)
			eb.TraceID = scrub(eb.TraceID, s)
			eb.Timestamp = scrub(eb.Timestamp, s)
		}
		e.Code = truncateForMessage(sanitizeLine(code))
		desc := eb.Description
		if desc == "" {
			desc = eb.Message
		}
		e.Description = firstLine(desc)
		e.CorrelationID = truncateForMessage(sanitizeLine(eb.CorrelationID))
		e.TraceID = truncateForMessage(sanitizeLine(eb.TraceID))
		e.Timestamp = truncateForMessage(sanitizeLine(eb.Timestamp))
		if len(eb.ErrorCodes) > 0 && eb.ErrorCodes[0] > 0 {
			e.AADSTS = "AADSTS" + strconv.FormatInt(eb.ErrorCodes[0], 10)
		} else if m := findAADSTS(desc); m != "" {
			e.AADSTS = m
		}
		// The code is printed once, on its own.
		if e.AADSTS != "" {
			e.Description = strings.TrimSpace(strings.TrimPrefix(e.Description, e.AADSTS+":"))
		}
	} else {
		e.Description = describeNonJSON(status, body)
	}
	e.Hint = hints[e.AADSTS]
	if e.Hint == "" {
		e.Hint = statusHint(status)
	}
	return e
}

// errorCodeText reads "error", a string for OAuth2 and a number or object
// for some managed identity hosts.
func errorCodeText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Code != "" {
		return obj.Code
	}
	return ""
}

func statusHint(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "the endpoint is throttling: retry later"
	case status >= 500:
		return "the endpoint had a server-side error: retry later"
	}
	return ""
}

func describeNonJSON(status int, body []byte) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Sprintf("empty body (%s)", http.StatusText(status))
	}
	return fmt.Sprintf("a non-JSON body of %d bytes (%s); is a proxy answering instead of the identity endpoint?", len(body), http.StatusText(status))
}

// firstLine keeps the first line of an Entra description (the rest is
// trace and correlation ids repeated, which are reported separately).
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = sanitizeLine(strings.TrimSpace(s))
	const max = 300
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}

// sanitizeLine drops control characters so a hostile body cannot forge log
// lines.
func sanitizeLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// scrub replaces a secret inside s. Very short values are skipped: they
// are not secrets, and replacing them would mangle ordinary words.
func scrub(s, secret string) string {
	if len(secret) < 8 || s == "" {
		return s
	}
	s = strings.ReplaceAll(s, secret, "REDACTED")
	// An endpoint echoing the form body would show it URL-encoded.
	if esc := url.QueryEscape(secret); esc != secret {
		s = strings.ReplaceAll(s, esc, "REDACTED")
	}
	return s
}
