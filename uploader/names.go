package uploader

import (
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// MaxParts is the largest part number: a block blob holds at most 50,000
// committed blocks, and each part becomes one block.
const MaxParts = 50000

// Blob name prefixes in the in-progress container (RFD 0140).
const (
	markerPrefix = "upload/"
	partPrefix   = "part/"
)

// Companion object suffixes, appended to "<session>/" in the session
// container. The "/" guarantees no collision with a recording (a bare UUID).
const (
	summaryName        = "summary.json"
	pendingSummaryName = "summary.pending.json"
	metadataName       = "metadata"
	thumbnailName      = "thumbnail"
	replayDir          = "replay/"
)

// canonicalUUID reports whether s is a UUID in its canonical form:
// 36 characters, lowercase hex, hyphens at 8-4-4-4-12. uuid.Parse alone
// would also accept braces, "urn:uuid:" and 32-digit forms; those would name
// a different blob than the canonical spelling, so they are refused.
func canonicalUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}

// CheckSessionID returns nil when id is usable as a session id: a canonical
// lowercase UUID such as 5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a.
func CheckSessionID(id string) error {
	if !canonicalUUID(id) {
		return invalidf("session id %q is not a canonical UUID: want 36 lowercase hex digits and hyphens, like 5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a", clip(id))
	}
	return nil
}

// CheckUploadID returns nil when id is usable as an upload id: a canonical
// lowercase UUID, as CreateUpload makes them.
func CheckUploadID(id string) error {
	if !canonicalUUID(id) {
		return invalidf("upload id %q is not a canonical UUID: want 36 lowercase hex digits and hyphens, as returned by CreateUpload", clip(id))
	}
	return nil
}

// CheckPartNumber returns nil when n is a valid part number, 1…MaxParts.
func CheckPartNumber(n int64) error {
	if n < 1 || n > MaxParts {
		return invalidf("part number %d is out of range: want 1 to %d (a blob holds at most %d blocks)", n, MaxParts, MaxParts)
	}
	return nil
}

// checkUpload validates both ids of an upload.
func checkUpload(u StreamUpload) error {
	if err := CheckSessionID(u.SessionID); err != nil {
		return err
	}
	return CheckUploadID(u.ID)
}

// clip bounds how much of a rejected value is echoed in an error, so that
// a huge or hostile input cannot flood logs.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// markerName is upload/<session>/<upload>.
func markerName(sessionID, uploadID string) string {
	return markerPrefix + sessionID + "/" + uploadID
}

// partsPrefix is part/<session>/<upload>/, the listing prefix of an upload's parts.
func partsPrefix(sessionID, uploadID string) string {
	return partPrefix + sessionID + "/" + uploadID + "/"
}

// partName is part/<session>/<upload>/<n>.
func partName(sessionID, uploadID string, n int64) string {
	return partsPrefix(sessionID, uploadID) + strconv.FormatInt(n, 10)
}

// parseMarkerName is the inverse of markerName; ok is false for any name
// markerName cannot produce.
func parseMarkerName(name string) (sessionID, uploadID string, ok bool) {
	rest, found := strings.CutPrefix(name, markerPrefix)
	if !found {
		return "", "", false
	}
	sessionID, uploadID, found = strings.Cut(rest, "/")
	if !found || !canonicalUUID(sessionID) || !canonicalUUID(uploadID) {
		return "", "", false
	}
	return sessionID, uploadID, true
}

// parsePartName is the inverse of partName; ok is false for any name
// partName cannot produce (including leading zeros and out-of-range numbers).
func parsePartName(name string) (sessionID, uploadID string, n int64, ok bool) {
	rest, found := strings.CutPrefix(name, partPrefix)
	if !found {
		return "", "", 0, false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || !canonicalUUID(parts[0]) || !canonicalUUID(parts[1]) {
		return "", "", 0, false
	}
	n, ok = parseDecimal(parts[2], MaxParts)
	if !ok || n < 1 {
		return "", "", 0, false
	}
	return parts[0], parts[1], n, true
}

// parseDecimal parses a non-negative decimal with no sign, no leading zeros
// (except "0" itself) and a value at most max.
func parseDecimal(s string, max int64) (int64, bool) {
	if s == "" || len(s) > 19 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > max {
		return 0, false
	}
	return n, true
}

// companionName is <session>/<suffix> in the session container.
func companionName(sessionID, suffix string) string {
	return sessionID + "/" + suffix
}

// CheckReplayObjectName returns nil when name is an allowed replay object
// name: "manifest", or "index.N", "blob.N" or "commands.N" where N is a
// non-negative decimal without leading zeros.
func CheckReplayObjectName(name string) error {
	if name == "manifest" {
		return nil
	}
	kind, num, found := strings.Cut(name, ".")
	if found {
		switch kind {
		case "index", "blob", "commands":
			if _, ok := parseDecimal(num, 1<<62); ok {
				return nil
			}
		}
	}
	return invalidf("replay object name %q is not allowed: want manifest, index.N, blob.N or commands.N (N a decimal number without leading zeros)", clip(name))
}

// replayName is <session>/replay/<name>.
func replayName(sessionID, name string) string {
	return companionName(sessionID, replayDir+name)
}
