package restapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Sentinels, matched with errors.Is against a *ResponseError.
var (
	// ErrNotFound: 404 for the blob, container or account addressed
	// (BlobNotFound, ContainerNotFound, ResourceNotFound, or a HEAD 404,
	// which has no body). A 404 about a Put Block From URL *source*
	// (CannotVerifyCopySource) does not match.
	ErrNotFound = errors.New("restapi: not found")
	// ErrAlreadyExists: 409 BlobAlreadyExists or ContainerAlreadyExists.
	// Put Blob / Put Block List with If-None-Match: * on an existing blob
	// answers this (not 412).
	ErrAlreadyExists = errors.New("restapi: already exists")
	// ErrConditionNotMet: 412 (ConditionNotMet, SourceConditionNotMet, ...)
	// and 304 Not Modified for a conditional read.
	ErrConditionNotMet = errors.New("restapi: condition not met")
	// ErrAuthenticationFailed: 403 AuthenticationFailed — the service
	// could not verify the credentials. Azurite answers 403
	// AuthorizationFailure for a wrong SharedKey signature where Azure
	// answers AuthenticationFailed, so that code matches too.
	ErrAuthenticationFailed = errors.New("restapi: authentication failed")
)

// ResponseError is the error for any non-2xx answer.
type ResponseError struct {
	StatusCode                int
	ErrorCode                 string // x-ms-error-code or <Code>
	Message                   string // first line of <Message> (or the status text)
	RequestID                 string // x-ms-request-id
	Method                    string
	URL                       string // SAS signature redacted
	Operation                 string // e.g. "Put Blob"
	AuthenticationErrorDetail string // for AuthenticationFailed; the request's MAC redacted

	// Container and Blob name the resource the operation addressed.
	Container string
	Blob      string
	// ClientRequestID is the x-ms-client-request-id sent (same on every try).
	ClientRequestID string
	// Details holds the other elements of the error body (HeaderName,
	// QueryParameterName, Reason, ...), secret values removed.
	Details map[string]string
	// CopySource* are set when Put Block From URL failed because of its
	// source (service version 2025-11-05 and later report them).
	CopySourceStatusCode   int
	CopySourceErrorCode    string
	CopySourceErrorMessage string
	// RedirectHost is the host a 3xx answer pointed to (never followed).
	RedirectHost string
}

// Error names the operation, the resource, the status and code, and what
// to do when the fix is the caller's.
func (e *ResponseError) Error() string {
	var b strings.Builder
	b.WriteString("restapi: ")
	b.WriteString(e.Operation)
	if r := e.resource(); r != "" {
		b.WriteString(" ")
		b.WriteString(r)
	}
	b.WriteString(": ")
	if e.RedirectHost != "" || isRedirect(e.StatusCode) {
		host := e.RedirectHost
		if host == "" {
			host = "an unspecified location"
		}
		fmt.Fprintf(&b, "%d redirect to %s refused; credentials are only sent to the configured endpoint", e.StatusCode, host)
		return b.String()
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.ErrorCode != "" {
		b.WriteString(" ")
		b.WriteString(e.ErrorCode)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.CopySourceErrorCode != "" || e.CopySourceStatusCode != 0 {
		fmt.Fprintf(&b, " (copy source answered %d %s", e.CopySourceStatusCode, e.CopySourceErrorCode)
		if e.CopySourceErrorMessage != "" {
			b.WriteString(": ")
			b.WriteString(firstLine(e.CopySourceErrorMessage))
		}
		b.WriteString(")")
	}
	if e.RequestID != "" {
		b.WriteString(" [request id ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	if h := e.hint(); h != "" {
		b.WriteString("; ")
		b.WriteString(h)
	}
	return b.String()
}

func (e *ResponseError) resource() string { return resourcePhrase(e.Container, e.Blob) }

// resourcePhrase names what an operation acted on, for error messages:
// `of blob "b" in container "c"`, `of container "c"`, or "".
func resourcePhrase(container, blob string) string {
	switch {
	case container != "" && blob != "":
		return fmt.Sprintf("of blob %q in container %q", blob, container)
	case container != "":
		return fmt.Sprintf("of container %q", container)
	}
	return ""
}

// hint says what to do for the errors whose fix is on the caller's side.
func (e *ResponseError) hint() string {
	switch e.ErrorCode {
	case "AuthenticationFailed":
		if strings.Contains(e.AuthenticationErrorDetail, "Only authentication scheme Bearer") || e.Operation == opGetUserDelegationKey {
			return "this operation needs an Entra ID bearer token (aadtoken) over https; SharedKey and SAS are not accepted for it"
		}
		if strings.Contains(e.AuthenticationErrorDetail, "Bearer") || strings.Contains(e.AuthenticationErrorDetail, "token") {
			return "the access token was refused: check that it is for the https://storage.azure.com/ audience, not expired, and sent over https"
		}
		return "the signature did not verify: check the account name and key (or SAS), and that this machine's clock is within 15 minutes of the real time"
	case "AuthorizationFailure":
		return "the credentials were not accepted for this request: check the account key or SAS (Azurite answers this for a wrong key), the SAS permissions, and the account's network rules"
	case "AuthorizationPermissionMismatch":
		if e.Operation == opGetUserDelegationKey {
			return "the identity needs a role with Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey, e.g. Storage Blob Delegator or Storage Blob Data Contributor, on the storage account"
		}
		return "the identity lacks a data-plane role: assign Storage Blob Data Contributor (Storage Blob Data Reader for reads) on the account or container; Owner or Contributor alone do not grant data access"
	case "AuthorizationProtocolMismatch":
		return "the SAS or account does not allow this protocol; use https"
	case "AuthorizationSourceIPMismatch":
		return "the SAS IP range or the account firewall does not include this machine's address"
	case "AuthorizationResourceTypeMismatch", "AuthorizationServiceMismatch":
		return "the SAS does not cover this kind of resource or service"
	case "ContainerNotFound":
		return "create the container first, or check its name"
	case "InvalidHeaderValue":
		if strings.EqualFold(e.Details["HeaderName"], "x-ms-version") {
			return "the server does not accept this x-ms-version; set Options.ServiceVersion to a version it supports"
		}
	case "RequestBodyTooLarge":
		return "the body is larger than the service accepts for this operation; upload in blocks"
	case "Md5Mismatch", "Crc64Mismatch":
		return "the bytes the server received differ from the checksum sent; the data changed while uploading or was corrupted in transit"
	}
	if e.StatusCode == http.StatusForbidden && e.ErrorCode == "" {
		return "access denied (a HEAD answer carries no detail): check the credentials, their permissions and the clock"
	}
	return ""
}

// Is matches the package sentinels.
func (e *ResponseError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound && e.ErrorCode != "CannotVerifyCopySource"
	case ErrAlreadyExists:
		return e.StatusCode == http.StatusConflict &&
			(e.ErrorCode == "BlobAlreadyExists" || e.ErrorCode == "ContainerAlreadyExists")
	case ErrConditionNotMet:
		return e.StatusCode == http.StatusPreconditionFailed || e.StatusCode == http.StatusNotModified
	case ErrAuthenticationFailed:
		return e.StatusCode == http.StatusForbidden &&
			(e.ErrorCode == "AuthenticationFailed" || e.ErrorCode == "AuthorizationFailure")
	}
	return false
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// newResponseError builds the error for a non-2xx answer from its headers
// and (possibly empty or truncated) body.
func newResponseError(cl *call, resp *http.Response, body []byte, reqURL string) *ResponseError {
	e := &ResponseError{
		StatusCode:      resp.StatusCode,
		ErrorCode:       strings.TrimSpace(resp.Header.Get(hdrErrorCode)),
		RequestID:       resp.Header.Get(hdrRequestID),
		Method:          cl.method,
		URL:             RedactURL(reqURL),
		Operation:       cl.op,
		Container:       cl.container,
		Blob:            cl.blob,
		ClientRequestID: cl.clientRequestID,
	}
	if v := resp.Header.Get(hdrCopySourceStatusCode); v != "" {
		e.CopySourceStatusCode, _ = strconv.Atoi(strings.TrimSpace(v))
	}
	e.CopySourceErrorCode = resp.Header.Get(hdrCopySourceErrorCode)
	e.CopySourceErrorMessage = RedactText(resp.Header.Get(hdrCopySourceErrorMessage))
	if isRedirect(resp.StatusCode) {
		e.RedirectHost = "an unspecified location"
		if loc, err := resp.Location(); err == nil && loc.Host != "" {
			e.RedirectHost = loc.Host
		}
	}
	if len(body) > 0 {
		if xe, err := parseErrorXML(body); err == nil {
			if e.ErrorCode == "" {
				e.ErrorCode = xe.Code
			}
			e.Message = firstLine(xe.Message)
			e.AuthenticationErrorDetail = RedactText(strings.TrimSpace(xe.AuthenticationErrorDetail))
			e.Details = xe.Details
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	e.Message = RedactText(e.Message)
	return e
}
