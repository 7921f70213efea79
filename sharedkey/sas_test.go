package sharedkey

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

var (
	sasExpiry = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	sasStart  = time.Date(2026, 11, 21, 3, 30, 0, 0, time.UTC)
)

func testDelegationKey() UserDelegationKey {
	return UserDelegationKey{
		SignedOID: "11111111-1111-4111-8111-111111111111", SignedTID: "22222222-2222-4222-8222-222222222222",
		SignedStart: sasStart, SignedExpiry: sasExpiry.Add(time.Hour), SignedService: "b", SignedVersion: "2025-11-05",
		Value: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	}
}

func TestSASRejects(t *testing.T) {
	cred := fixedCredential(t, time.Unix(0, 0))
	ok := BlobSASValues{ContainerName: "c", BlobName: "b", Permissions: "r", ExpiryTime: sasExpiry}
	tests := []struct {
		name    string
		edit    func(*BlobSASValues)
		wantErr string
	}{
		{"no container", func(v *BlobSASValues) { v.ContainerName = "" }, "needs a ContainerName"},
		{"slash in container", func(v *BlobSASValues) { v.ContainerName = "c/d" }, "contains '/'"},
		{"blob resource without blob", func(v *BlobSASValues) { v.Resource = "b"; v.BlobName = "" }, "needs a BlobName"},
		{"container resource with blob", func(v *BlobSASValues) { v.Resource = "c" }, "must not have a BlobName"},
		{"unsupported resource", func(v *BlobSASValues) { v.Resource = "bs" }, "not supported"},
		{"unknown permission", func(v *BlobSASValues) { v.Permissions = "rq" }, `permission 'q' is not one of`},
		{"duplicate permission", func(v *BlobSASValues) { v.Permissions = "rwr" }, "appears twice"},
		{"no permissions", func(v *BlobSASValues) { v.Permissions = "" }, "needs Permissions"},
		{"no expiry", func(v *BlobSASValues) { v.ExpiryTime = time.Time{} }, "needs an ExpiryTime"},
		{"expiry before start", func(v *BlobSASValues) { v.StartTime = sasExpiry }, "is not after StartTime"},
		{"bad protocol", func(v *BlobSASValues) { v.Protocol = "http" }, `Protocol "http" is not`},
		{"reversed protocols", func(v *BlobSASValues) { v.Protocol = "http,https" }, "is not"},
		{"bad IP", func(v *BlobSASValues) { v.IPRange = "10.0.0" }, "is not an IP address"},
		{"IP range reversed", func(v *BlobSASValues) { v.IPRange = "10.0.0.9-10.0.0.1" }, "ascending order"},
		{"IP range mixed families", func(v *BlobSASValues) { v.IPRange = "10.0.0.1-::1" }, "one family"},
		{"old version", func(v *BlobSASValues) { v.Version = "2020-10-02" }, "outside the supported range"},
		{"newer version", func(v *BlobSASValues) { v.Version = "2026-02-06" }, "outside the supported range"},
		{"not a version", func(v *BlobSASValues) { v.Version = "latest" }, "not a service version"},
		{"newline in override", func(v *BlobSASValues) { v.ContentType = "text/plain\nx" }, "ContentType has a control character"},
		{"newline in blob name", func(v *BlobSASValues) { v.BlobName = "a\nb" }, "BlobName has a control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := ok
			tt.edit(&v)
			q, err := v.SignWithSharedKey(cred)
			if err == nil {
				t.Fatalf("signed: %s", q)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not say %q", err, tt.wantErr)
			}
		})
	}
	if _, err := ok.SignWithSharedKey(nil); err == nil {
		t.Fatal("signed with a nil Credential")
	}
}

func TestUserDelegationSASRejects(t *testing.T) {
	ok := BlobSASValues{ContainerName: "c", BlobName: "b", Permissions: "r", ExpiryTime: sasExpiry}
	tests := []struct {
		name    string
		editV   func(*BlobSASValues)
		editK   func(*UserDelegationKey)
		wantErr string
	}{
		{"stored policy", func(v *BlobSASValues) { v.Identifier = "p" }, nil, "cannot use a stored access policy"},
		{"no permissions", func(v *BlobSASValues) { v.Permissions = "" }, nil, "needs Permissions"},
		{"no expiry", func(v *BlobSASValues) { v.ExpiryTime = time.Time{} }, nil, "needs an ExpiryTime"},
		{"SAS outlives key", func(v *BlobSASValues) { v.ExpiryTime = sasExpiry.Add(2 * time.Hour) }, nil, "after the user delegation key expires"},
		{"no oid", nil, func(k *UserDelegationKey) { k.SignedOID = "" }, "no SignedOID"},
		{"no start", nil, func(k *UserDelegationKey) { k.SignedStart = time.Time{} }, "no SignedStart"},
		{"queue key", nil, func(k *UserDelegationKey) { k.SignedService = "q" }, `for service "q"`},
		{"no version", nil, func(k *UserDelegationKey) { k.SignedVersion = "" }, "no SignedVersion"},
		{"no value", nil, func(k *UserDelegationKey) { k.Value = "" }, "no Value"},
		{"short value", nil, func(k *UserDelegationKey) { k.Value = "c2hvcnQga2V5" }, "decodes to 9 bytes"},
		{"value not base64", nil, func(k *UserDelegationKey) { k.Value = "not base64 at all!" }, "not standard base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, k := ok, testDelegationKey()
			if tt.editV != nil {
				tt.editV(&v)
			}
			if tt.editK != nil {
				tt.editK(&k)
			}
			q, err := v.SignWithUserDelegationKey("acct", k)
			if err == nil {
				t.Fatalf("signed: %s", q)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not say %q", err, tt.wantErr)
			}
			if k.Value != "" && strings.Contains(err.Error(), k.Value) {
				t.Fatalf("error %q echoes the key value", err)
			}
		})
	}
}

func TestSASDefaults(t *testing.T) {
	cred := fixedCredential(t, time.Unix(0, 0))
	tests := []struct {
		name string
		v    BlobSASValues
		want map[string]string // query parameters that must be present ("" = absent)
	}{
		{"blob derived from BlobName", BlobSASValues{ContainerName: "c", BlobName: "b", Permissions: "r", ExpiryTime: sasExpiry},
			map[string]string{"sr": "b", "sv": DefaultSASVersion, "st": "", "spr": "", "sip": ""}},
		{"container derived without BlobName", BlobSASValues{ContainerName: "c", Permissions: "l", ExpiryTime: sasExpiry},
			map[string]string{"sr": "c"}},
		{"permissions canonical order", BlobSASValues{ContainerName: "c", BlobName: "b", Permissions: "pomeftlyxdwcar", ExpiryTime: sasExpiry},
			map[string]string{"sp": "racwdxyltfmeop"}},
		{"times in UTC to the second", BlobSASValues{ContainerName: "c", BlobName: "b", Permissions: "r",
			StartTime: time.Date(2026, 1, 2, 4, 5, 6, 999, time.FixedZone("X", -3600)), ExpiryTime: sasExpiry},
			map[string]string{"st": "2026-01-02T05:05:06Z"}},
		{"IPv6 address", BlobSASValues{ContainerName: "c", BlobName: "b", Permissions: "r", ExpiryTime: sasExpiry, IPRange: "2001:DB8::1"},
			map[string]string{"sip": "2001:db8::1"}},
		{"space encoded as %20", BlobSASValues{ContainerName: "c", BlobName: "b", Permissions: "r", ExpiryTime: sasExpiry, ContentDisposition: "a b+c"},
			map[string]string{"rscd": "a b+c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := tt.v.SignWithSharedKey(cred)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(q, "+") {
				t.Fatalf("query %q has a '+', which decoders disagree on", q)
			}
			vals, err := url.ParseQuery(q)
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range tt.want {
				if got := vals.Get(k); got != want {
					t.Fatalf("%s = %q, want %q (query %s)", k, got, want, q)
				}
			}
			if len(vals["sig"]) != 1 || !strings.HasSuffix(q, "&sig="+url.QueryEscape(vals.Get("sig"))) {
				t.Fatalf("sig missing or not last: %s", q)
			}
		})
	}
}

// A UserDelegationKey converts to and from restapi's struct; this pins the
// field list and order the conversion needs (restapi cannot be imported).
func TestUserDelegationKeyShape(t *testing.T) {
	type restapiShape struct {
		SignedOID     string
		SignedTID     string
		SignedStart   time.Time
		SignedExpiry  time.Time
		SignedService string
		SignedVersion string
		Value         string // base64
	}
	k := testDelegationKey()
	back := UserDelegationKey(restapiShape(k))
	if back != k {
		t.Fatal("round trip changed the key")
	}
}
