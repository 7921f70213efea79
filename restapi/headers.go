package restapi

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Every header name this package sends or reads, in one place. Op files
// set the op-specific ones; pipeline.go sets the per-try ones.
const (
	// Per try (pipeline.go).
	hdrVersion         = "x-ms-version"
	hdrDate            = "x-ms-date"
	hdrClientRequestID = "x-ms-client-request-id"
	hdrUserAgent       = "User-Agent"
	hdrAcceptEncoding  = "Accept-Encoding"
	hdrAuthorization   = "Authorization"

	// Conditions.
	hdrIfMatch                 = "If-Match"
	hdrIfNoneMatch             = "If-None-Match"
	hdrIfModifiedSince         = "If-Modified-Since"
	hdrIfUnmodifiedSince       = "If-Unmodified-Since"
	hdrSourceIfMatch           = "x-ms-source-if-match"
	hdrSourceIfNoneMatch       = "x-ms-source-if-none-match"
	hdrSourceIfModifiedSince   = "x-ms-source-if-modified-since"
	hdrSourceIfUnmodifiedSince = "x-ms-source-if-unmodified-since"

	// Uploads.
	hdrBlobType                = "x-ms-blob-type"
	hdrBlobContentType         = "x-ms-blob-content-type"
	hdrContentType             = "Content-Type"
	hdrContentCRC64            = "x-ms-content-crc64"
	hdrMetaPrefix              = "x-ms-meta-"
	hdrImmutabilityUntil       = "x-ms-immutability-policy-until-date"
	hdrImmutabilityMode        = "x-ms-immutability-policy-mode"
	hdrLegalHold               = "x-ms-legal-hold"
	hdrCopySource              = "x-ms-copy-source"
	hdrCopySourceAuthorization = "x-ms-copy-source-authorization"
	hdrSourceRange             = "x-ms-source-range"
	hdrSourceContentCRC64      = "x-ms-source-content-crc64"

	// Reads and deletes.
	hdrRange           = "x-ms-range"
	hdrDeleteSnapshots = "x-ms-delete-snapshots"

	// Response headers.
	hdrRequestID              = "x-ms-request-id"
	hdrErrorCode              = "x-ms-error-code"
	hdrETag                   = "ETag"
	hdrLastModified           = "Last-Modified"
	hdrCreationTime           = "x-ms-creation-time"
	hdrVersionID              = "x-ms-version-id"
	hdrContentRange           = "Content-Range"
	hdrContentLength          = "Content-Length"
	hdrCopySourceStatusCode   = "x-ms-copy-source-status-code"
	hdrCopySourceErrorCode    = "x-ms-copy-source-error-code"
	hdrCopySourceErrorMessage = "x-ms-copy-source-error-message"
)

// httpDate formats t as the RFC 1123 GMT form every date header uses.
func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// setRaw sets a header under exactly the given name. Only metadata uses it:
// Go's Header.Set would canonicalise x-ms-meta-myKey to X-Ms-Meta-Mykey, and
// Azure keeps the case of metadata names as sent. Every other header goes
// through Header.Set, so signers that look headers up with Header.Get find it.
func setRaw(h http.Header, name, value string) { h[name] = []string{value} }

func checkHeaderValue(what, v string) error {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return fmt.Errorf("restapi: %s contains a control character", what)
		}
	}
	return nil
}

// setBlobHeaders sets what Put Blob and Put Block List both say about the
// blob they write: its content type (x-ms-blob-content-type, when not
// empty), the conditions and the metadata.
func setBlobHeaders(h http.Header, contentType string, c Conditions, metadata map[string]string) error {
	if contentType != "" {
		if err := checkHeaderValue("ContentType", contentType); err != nil {
			return err
		}
		h.Set(hdrBlobContentType, contentType)
	}
	if err := setConditions(h, c); err != nil {
		return err
	}
	return setMetadata(h, metadata)
}

// conditionHeaders names one family of conditional headers: what the
// caller set them through (for errors) and the four header names.
type conditionHeaders struct {
	what                                                     string
	ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince string
}

var (
	targetConditionHeaders = conditionHeaders{"Conditions",
		hdrIfMatch, hdrIfNoneMatch, hdrIfModifiedSince, hdrIfUnmodifiedSince}
	sourceConditionHeaders = conditionHeaders{"SourceConditions",
		hdrSourceIfMatch, hdrSourceIfNoneMatch, hdrSourceIfModifiedSince, hdrSourceIfUnmodifiedSince}
)

// setConditions sets If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since.
func setConditions(h http.Header, c Conditions) error {
	return targetConditionHeaders.set(h, c)
}

// setSourceConditions sets the x-ms-source-if-* headers of Put Block From URL.
func setSourceConditions(h http.Header, c SourceConditions) error {
	return sourceConditionHeaders.set(h, Conditions(c))
}

func (n conditionHeaders) set(h http.Header, c Conditions) error {
	if c.IfMatch != "" {
		if err := checkHeaderValue(n.what+".IfMatch", c.IfMatch); err != nil {
			return err
		}
		h.Set(n.ifMatch, c.IfMatch)
	}
	if c.IfNoneMatch != "" {
		if err := checkHeaderValue(n.what+".IfNoneMatch", c.IfNoneMatch); err != nil {
			return err
		}
		h.Set(n.ifNoneMatch, c.IfNoneMatch)
	}
	if !c.IfModifiedSince.IsZero() {
		h.Set(n.ifModifiedSince, httpDate(c.IfModifiedSince))
	}
	if !c.IfUnmodifiedSince.IsZero() {
		h.Set(n.ifUnmodifiedSince, httpDate(c.IfUnmodifiedSince))
	}
	return nil
}

// setMetadata sets one x-ms-meta-<name> per entry, in sorted order so the
// request is deterministic. Names must be C# identifiers (Azure's rule) and
// must differ in more than case; values must be single-line.
func setMetadata(h http.Header, md map[string]string) error {
	names := make([]string, 0, len(md))
	for k := range md {
		names = append(names, k)
	}
	sort.Strings(names)
	seen := make(map[string]string, len(md))
	for _, k := range names {
		if !validMetadataName(k) {
			return fmt.Errorf("restapi: metadata name %q is not valid: use letters, digits and '_' only, not starting with a digit", k)
		}
		if prev, dup := seen[strings.ToLower(k)]; dup {
			return fmt.Errorf("restapi: metadata names %q and %q differ only in case; Azure treats them as one", prev, k)
		}
		seen[strings.ToLower(k)] = k
		v := md[k]
		if err := checkHeaderValue(fmt.Sprintf("metadata value for %q", k), v); err != nil {
			return err
		}
		for i := 0; i < len(v); i++ {
			if v[i] >= 0x80 {
				return fmt.Errorf("restapi: metadata value for %q is not ASCII; HTTP headers carry ASCII only, so encode it (e.g. base64 or URL-encoding)", k)
			}
		}
		setRaw(h, hdrMetaPrefix+k, v) // case kept: see setRaw
	}
	return nil
}

func validMetadataName(k string) bool {
	if k == "" || len(k) > 256 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case c >= '0' && c <= '9':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// metadataFromHeaders collects x-ms-meta-* response headers. Names come
// back lower-cased: net/http canonicalises response header names, so the
// original case is lost anyway, and Azure compares names case-insensitively.
func metadataFromHeaders(h http.Header) map[string]string {
	var md map[string]string
	for k, v := range h {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, hdrMetaPrefix) || len(v) == 0 {
			continue
		}
		if md == nil {
			md = make(map[string]string)
		}
		md[strings.TrimPrefix(lk, hdrMetaPrefix)] = v[0]
	}
	return md
}

// setImmutability sets the version-level WORM headers of Put Blob / Put
// Block List. A mode without a date is refused; a date without a mode
// means "Unlocked", the only mode that can later be shortened or removed.
func setImmutability(h http.Header, im Immutability) error {
	mode := ""
	switch strings.ToLower(im.PolicyMode) {
	case "":
	case "unlocked":
		mode = "Unlocked"
	case "locked":
		mode = "Locked"
	default:
		return fmt.Errorf("restapi: Immutability.PolicyMode %q is not \"Unlocked\" or \"Locked\"", im.PolicyMode)
	}
	if !im.PolicyUntil.IsZero() {
		if mode == "" {
			mode = "Unlocked"
		}
		h.Set(hdrImmutabilityUntil, httpDate(im.PolicyUntil))
		h.Set(hdrImmutabilityMode, mode)
	} else if mode != "" {
		return fmt.Errorf("restapi: Immutability.PolicyMode %q needs Immutability.PolicyUntil", im.PolicyMode)
	}
	if im.LegalHold != nil {
		h.Set(hdrLegalHold, strconv.FormatBool(*im.LegalHold))
	}
	return nil
}

// setContentCRC64 sets x-ms-content-crc64 when b is given.
func setContentCRC64(h http.Header, field string, b []byte) error {
	if b == nil {
		return nil
	}
	v, err := crc64Header(field, b)
	if err != nil {
		return err
	}
	h.Set(hdrContentCRC64, v)
	return nil
}

// parseHTTPTime parses a date header; zero when absent or malformed.
func parseHTTPTime(v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
