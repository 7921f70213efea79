package sharedkey

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// DefaultSASVersion is the signed version (sv) used when BlobSASValues.Version
// is empty: the service version this project pins.
const DefaultSASVersion = "2025-11-05"

// The string-to-sign formats implemented here were reviewed for this range of
// signed versions; others are refused rather than signed with a layout the
// service would not recompute.
const (
	oldestSASVersion = "2020-12-06" // signedEncryptionScope joins the string-to-sign
	udkDelegatedUser = "2025-07-05" // skdutid and sduoid join the user delegation string-to-sign
	newestSASVersion = "2025-11-05"
)

// SASTimeFormat is the layout of st, se, skt and ske: ISO 8601 in UTC to the
// second.
const SASTimeFormat = "2006-01-02T15:04:05Z"

// sasPermissionOrder is the order the service expects permission letters in
// (read, add, create, write, delete, delete version, permanent delete, list,
// tags, find, move, execute, ownership, permissions, immutability policy).
const sasPermissionOrder = "racwdxyltfmeopi"

// UserDelegationKey is the key Get User Delegation Key returns. Its fields are
// those of restapi.UserDelegationKey, in the same order, so
// sharedkey.UserDelegationKey(*k) converts one into the other. Value is the
// base64 key and is secret: String, GoString and fmt verbs never show it.
type UserDelegationKey struct {
	SignedOID     string
	SignedTID     string
	SignedStart   time.Time
	SignedExpiry  time.Time
	SignedService string
	SignedVersion string
	Value         string // base64
}

// String describes the key without its Value.
func (k UserDelegationKey) String() string {
	return fmt.Sprintf("sharedkey.UserDelegationKey{SignedOID: %s, SignedTID: %s, SignedStart: %s, SignedExpiry: %s, SignedService: %s, SignedVersion: %s, Value: [REDACTED]}",
		k.SignedOID, k.SignedTID, k.SignedStart.UTC().Format(SASTimeFormat), k.SignedExpiry.UTC().Format(SASTimeFormat), k.SignedService, k.SignedVersion)
}

// GoString is String: %#v must not print Value either.
func (k UserDelegationKey) GoString() string { return k.String() }

// Format prints String for every fmt verb.
func (k UserDelegationKey) Format(f fmt.State, _ rune) { io.WriteString(f, k.String()) }

// LogValue keeps Value out of structured logs: slog's JSON handler would
// otherwise print the exported field.
func (k UserDelegationKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// BlobSASValues describes a service SAS for one blob (Resource "b") or one
// container (Resource "c"). Empty optional fields are left out of the token.
// Sign it with SignWithSharedKey (account key) or SignWithUserDelegationKey.
type BlobSASValues struct {
	// Version is the signed version (sv); DefaultSASVersion when empty.
	// Versions from 2020-12-06 to 2025-11-05 are supported.
	Version string
	// Protocol is "" (any), "https" or "https,http".
	Protocol string
	// StartTime is optional (zero: valid at once). ExpiryTime is required
	// unless Identifier names a stored access policy. Both are sent in UTC,
	// truncated to the second.
	StartTime, ExpiryTime time.Time
	// Permissions are letters from "racwdxyltfmeopi" in any order; they are
	// sent in that canonical order. Required unless Identifier is set.
	Permissions string
	// IPRange is "" or one IP address or "first-last" (inclusive).
	IPRange string
	// Identifier names a stored access policy on the container (si); not
	// allowed with a user delegation key.
	Identifier string
	// ContainerName is required. BlobName is the blob's name as stored
	// (not percent-encoded); required for Resource "b", empty for "c".
	ContainerName, BlobName string
	// Resource is "b" (blob) or "c" (container); when empty it is "b" if
	// BlobName is set and "c" otherwise.
	Resource string
	// EncryptionScope (ses) is optional.
	EncryptionScope string
	// Response header overrides for reads through this SAS (rscc, rscd,
	// rsce, rscl, rsct); optional.
	CacheControl, ContentDisposition, ContentEncoding, ContentLanguage, ContentType string
}

// sasFields are the validated, formatted values shared by both kinds of SAS.
type sasFields struct {
	sv, sr, sp, st, se, sip, spr, si, resource string
}

// SignWithSharedKey signs v with the account key of c and returns the SAS
// query string, without a leading '?', ready to append to the blob or
// container URL. The string contains the signature (sig): treat it as a
// secret.
func (v BlobSASValues) SignWithSharedKey(c *Credential) (string, error) {
	if c == nil || c.key == nil {
		return "", errors.New("sharedkey: SignWithSharedKey needs a Credential; build one with NewCredential")
	}
	f, sts, err := v.sharedKeyStringToSign(c.account)
	if err != nil {
		return "", err
	}
	sig := c.key.sign([]byte(sts))
	return v.encode(f, nil, sig), nil
}

// SignWithUserDelegationKey signs v with a user delegation key obtained for
// accountName and returns the SAS query string, without a leading '?'. The
// string contains the signature (sig): treat it as a secret.
func (v BlobSASValues) SignWithUserDelegationKey(accountName string, k UserDelegationKey) (string, error) {
	f, sts, err := v.userDelegationStringToSign(accountName, k)
	if err != nil {
		return "", err
	}
	secret, err := decodeAccountKey(k.Value)
	if err != nil {
		return "", fmt.Errorf("sharedkey: user delegation key value: %w", err)
	}
	sig := newKeyed(secret).sign([]byte(sts))
	return v.encode(f, &k, sig), nil
}

// SharedKeyStringToSign returns the text SignWithSharedKey signs, for
// reviewers and diagnostics. It contains no secret.
func (v BlobSASValues) SharedKeyStringToSign(accountName string) (string, error) {
	_, s, err := v.sharedKeyStringToSign(accountName)
	return s, err
}

// UserDelegationStringToSign returns the text SignWithUserDelegationKey
// signs, for reviewers and diagnostics. It contains no secret (the key's
// Value is not part of it).
func (v BlobSASValues) UserDelegationStringToSign(accountName string, k UserDelegationKey) (string, error) {
	_, s, err := v.userDelegationStringToSign(accountName, k)
	return s, err
}

func (v BlobSASValues) sharedKeyStringToSign(account string) (sasFields, string, error) {
	f, err := v.fields(account, false)
	if err != nil {
		return f, "", err
	}
	sts := strings.Join([]string{
		f.sp, f.st, f.se, f.resource, f.si, f.sip, f.spr, f.sv, f.sr,
		"", // signedSnapshotTime: snapshots are not supported here
		v.EncryptionScope,
		v.CacheControl, v.ContentDisposition, v.ContentEncoding, v.ContentLanguage, v.ContentType,
	}, "\n")
	return f, sts, nil
}

func (v BlobSASValues) userDelegationStringToSign(account string, k UserDelegationKey) (sasFields, string, error) {
	f, err := v.fields(account, true)
	if err != nil {
		return f, "", err
	}
	if err := checkDelegationKey(k, v.ExpiryTime); err != nil {
		return f, "", err
	}
	parts := []string{
		f.sp, f.st, f.se, f.resource,
		k.SignedOID, k.SignedTID,
		k.SignedStart.UTC().Format(SASTimeFormat), k.SignedExpiry.UTC().Format(SASTimeFormat),
		k.SignedService, k.SignedVersion,
		"", // saoid: signedAuthorizedUserObjectId, not supported here
		"", // suoid: signedUnauthorizedUserObjectId, not supported here
		"", // scid: signedCorrelationId, not supported here
	}
	if f.sv >= udkDelegatedUser {
		parts = append(parts,
			"", // skdutid: signedKeyDelegatedUserTenantId, not supported here
			"", // sduoid: signedDelegatedUserObjectId, not supported here
		)
	}
	parts = append(parts,
		f.sip, f.spr, f.sv, f.sr,
		"", // signedSnapshotTime
		v.EncryptionScope,
		v.CacheControl, v.ContentDisposition, v.ContentEncoding, v.ContentLanguage, v.ContentType,
	)
	return f, strings.Join(parts, "\n"), nil
}

// fields validates v and formats what both string-to-sign layouts share.
func (v BlobSASValues) fields(account string, udk bool) (sasFields, error) {
	var f sasFields
	if err := checkAccountName(account); err != nil {
		return f, err
	}
	f.sv = v.Version
	if f.sv == "" {
		f.sv = DefaultSASVersion
	}
	if _, err := time.Parse("2006-01-02", f.sv); err != nil || len(f.sv) != 10 {
		return f, fmt.Errorf("sharedkey: SAS version %q is not a service version (YYYY-MM-DD)", f.sv)
	}
	if f.sv < oldestSASVersion || f.sv > newestSASVersion {
		return f, fmt.Errorf("sharedkey: SAS version %s is outside the supported range %s to %s; its string-to-sign layout has not been reviewed here", f.sv, oldestSASVersion, newestSASVersion)
	}
	if v.ContainerName == "" {
		return f, errors.New("sharedkey: SAS needs a ContainerName")
	}
	if strings.Contains(v.ContainerName, "/") {
		return f, fmt.Errorf("sharedkey: SAS ContainerName %q contains '/'; put the rest of the path in BlobName", v.ContainerName)
	}
	f.sr = v.Resource
	if f.sr == "" {
		f.sr = "c"
		if v.BlobName != "" {
			f.sr = "b"
		}
	}
	switch f.sr {
	case "b":
		if v.BlobName == "" {
			return f, errors.New("sharedkey: a blob SAS (Resource \"b\") needs a BlobName")
		}
		f.resource = "/blob/" + account + "/" + v.ContainerName + "/" + v.BlobName
	case "c":
		if v.BlobName != "" {
			return f, errors.New("sharedkey: a container SAS (Resource \"c\") must not have a BlobName; use Resource \"b\" for one blob")
		}
		f.resource = "/blob/" + account + "/" + v.ContainerName
	default:
		return f, fmt.Errorf("sharedkey: SAS Resource %q is not supported; use \"b\" (blob) or \"c\" (container)", v.Resource)
	}
	for _, field := range [...]struct{ name, value string }{
		{"ContainerName", v.ContainerName}, {"BlobName", v.BlobName}, {"Identifier", v.Identifier},
		{"EncryptionScope", v.EncryptionScope}, {"CacheControl", v.CacheControl},
		{"ContentDisposition", v.ContentDisposition}, {"ContentEncoding", v.ContentEncoding},
		{"ContentLanguage", v.ContentLanguage}, {"ContentType", v.ContentType},
	} {
		if i := controlAt(field.value); i >= 0 {
			return f, fmt.Errorf("sharedkey: SAS %s has a control character at byte %d; it would make the string-to-sign ambiguous", field.name, i)
		}
	}

	var err error
	if f.sp, err = canonicalPermissions(v.Permissions); err != nil {
		return f, err
	}
	if udk && v.Identifier != "" {
		return f, errors.New("sharedkey: a user delegation SAS cannot use a stored access policy (Identifier)")
	}
	f.si = v.Identifier
	if f.si == "" || udk {
		if f.sp == "" {
			return f, errors.New("sharedkey: SAS needs Permissions (or, for a service SAS, an Identifier naming a stored access policy)")
		}
		if v.ExpiryTime.IsZero() {
			return f, errors.New("sharedkey: SAS needs an ExpiryTime (or, for a service SAS, an Identifier naming a stored access policy)")
		}
	}
	if !v.StartTime.IsZero() {
		f.st = v.StartTime.UTC().Format(SASTimeFormat)
	}
	if !v.ExpiryTime.IsZero() {
		f.se = v.ExpiryTime.UTC().Format(SASTimeFormat)
		if !v.StartTime.IsZero() && !v.ExpiryTime.After(v.StartTime) {
			return f, fmt.Errorf("sharedkey: SAS ExpiryTime %s is not after StartTime %s", f.se, f.st)
		}
	}
	switch v.Protocol {
	case "", "https", "https,http":
		f.spr = v.Protocol
	default:
		return f, fmt.Errorf("sharedkey: SAS Protocol %q is not \"https\" or \"https,http\"", v.Protocol)
	}
	if f.sip, err = canonicalIPRange(v.IPRange); err != nil {
		return f, err
	}
	return f, nil
}

// canonicalPermissions checks the letters and returns them in the order the
// service expects.
func canonicalPermissions(p string) (string, error) {
	var seen [256]bool
	for i := 0; i < len(p); i++ {
		c := p[i]
		if strings.IndexByte(sasPermissionOrder, c) < 0 {
			return "", fmt.Errorf("sharedkey: SAS permission %q is not one of %q", c, sasPermissionOrder)
		}
		if seen[c] {
			return "", fmt.Errorf("sharedkey: SAS permission %q appears twice", c)
		}
		seen[c] = true
	}
	out := make([]byte, 0, len(p))
	for i := 0; i < len(sasPermissionOrder); i++ {
		if seen[sasPermissionOrder[i]] {
			out = append(out, sasPermissionOrder[i])
		}
	}
	return string(out), nil
}

// canonicalIPRange accepts "", "addr" or "first-last".
func canonicalIPRange(r string) (string, error) {
	if r == "" {
		return "", nil
	}
	first, last, isRange := strings.Cut(r, "-")
	a, err := netip.ParseAddr(first)
	if err != nil || a.Zone() != "" {
		return "", fmt.Errorf("sharedkey: SAS IPRange %q is not an IP address or a range \"first-last\"", r)
	}
	if !isRange {
		return a.String(), nil
	}
	b, err := netip.ParseAddr(last)
	if err != nil || b.Zone() != "" || a.Is4() != b.Is4() || b.Less(a) {
		return "", fmt.Errorf("sharedkey: SAS IPRange %q is not a range \"first-last\" of two addresses of one family in ascending order", r)
	}
	return a.String() + "-" + b.String(), nil
}

// checkDelegationKey validates a user delegation key without revealing Value.
func checkDelegationKey(k UserDelegationKey, expiry time.Time) error {
	switch {
	case k.SignedOID == "" || k.SignedTID == "":
		return errors.New("sharedkey: user delegation key has no SignedOID or SignedTID; pass the key Get User Delegation Key returned")
	case k.SignedStart.IsZero() || k.SignedExpiry.IsZero():
		return errors.New("sharedkey: user delegation key has no SignedStart or SignedExpiry; pass the key Get User Delegation Key returned")
	case k.SignedService != "b":
		return fmt.Errorf("sharedkey: user delegation key is for service %q; a blob SAS needs a key for service \"b\"", k.SignedService)
	case k.SignedVersion == "":
		return errors.New("sharedkey: user delegation key has no SignedVersion")
	case k.Value == "":
		return errors.New("sharedkey: user delegation key has no Value")
	case expiry.After(k.SignedExpiry):
		return fmt.Errorf("sharedkey: SAS ExpiryTime %s is after the user delegation key expires (%s); the service would reject the SAS", expiry.UTC().Format(SASTimeFormat), k.SignedExpiry.UTC().Format(SASTimeFormat))
	}
	for _, field := range [...]struct{ name, value string }{
		{"SignedOID", k.SignedOID}, {"SignedTID", k.SignedTID}, {"SignedVersion", k.SignedVersion},
	} {
		if i := controlAt(field.value); i >= 0 {
			return fmt.Errorf("sharedkey: user delegation key %s has a control character at byte %d", field.name, i)
		}
	}
	return nil
}

// controlAt returns the index of the first ASCII control character in s, or -1.
func controlAt(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return i
		}
	}
	return -1
}

// encode writes the SAS query string. Values are percent-encoded with %20
// for spaces (never '+', which some decoders keep as a plus).
func (v BlobSASValues) encode(f sasFields, k *UserDelegationKey, sig string) string {
	var b strings.Builder
	add := func(name, value string) {
		if value == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(sasEscape(value))
	}
	add("sv", f.sv)
	add("sr", f.sr)
	add("sp", f.sp)
	add("st", f.st)
	add("se", f.se)
	add("sip", f.sip)
	add("spr", f.spr)
	add("si", f.si)
	if k != nil {
		add("skoid", k.SignedOID)
		add("sktid", k.SignedTID)
		add("skt", k.SignedStart.UTC().Format(SASTimeFormat))
		add("ske", k.SignedExpiry.UTC().Format(SASTimeFormat))
		add("sks", k.SignedService)
		add("skv", k.SignedVersion)
	}
	add("ses", v.EncryptionScope)
	add("rscc", v.CacheControl)
	add("rscd", v.ContentDisposition)
	add("rsce", v.ContentEncoding)
	add("rscl", v.ContentLanguage)
	add("rsct", v.ContentType)
	add("sig", sig)
	return b.String()
}

func sasEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
