package sharedkey

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"
)

// secretForms are the ways a key can leak: as given, decoded and re-encoded
// in other alphabets, and as raw bytes printed by fmt (%v of a []byte).
func secretForms(t *testing.T, b64 string) []string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return []string{
		b64,
		strings.TrimRight(b64, "="),
		base64.RawURLEncoding.EncodeToString(raw),
		fmt.Sprintf("%x", raw),
		fmt.Sprintf("%X", raw),
		strings.Trim(fmt.Sprint(raw), "[]")[:40],
		string(raw[:12]),
	}
}

var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%T %v", "%100v", "%d"}

func assertNoSecret(t *testing.T, what, out string, forms []string) {
	t.Helper()
	for _, f := range forms {
		if f != "" && strings.Contains(out, f) {
			t.Fatalf("%s leaks a secret form %q in %q", what, f, out)
		}
	}
}

func TestCredentialNeverPrintsKey(t *testing.T) {
	c, err := NewCredential("acct", testKey)
	if err != nil {
		t.Fatal(err)
	}
	forms := secretForms(t, testKey)
	type wrapper struct {
		Name string
		Cred *Credential
		Val  Credential
	}
	values := map[string]any{
		"*Credential": c, "Credential": *c, "struct holding both": wrapper{"w", c, *c},
		"slice": []*Credential{c}, "map": map[string]Credential{"k": *c}, "key state": c.key,
	}
	for name, v := range values {
		for _, verb := range verbs {
			out := fmt.Sprintf(verb, v)
			assertNoSecret(t, name+" with "+verb, out, forms)
		}
	}
	if s := c.String(); !strings.Contains(s, "acct") || !strings.Contains(s, "[REDACTED]") {
		t.Fatalf("String() = %q, want the account and [REDACTED]", s)
	}
	if c.GoString() != c.String() {
		t.Fatal("GoString differs from String")
	}
}

func TestConnectionStringNeverPrintsSecrets(t *testing.T) {
	for _, in := range []string{
		"AccountName=acct;AccountKey=" + testKey,
		"AccountName=acct;SharedAccessSignature=" + sasToken,
	} {
		cs, err := ParseConnectionString(in)
		if err != nil {
			t.Fatal(err)
		}
		forms := append(secretForms(t, testKey), sasToken, "c2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ")
		for _, v := range []any{cs, *cs, []any{cs}} {
			for _, verb := range verbs {
				assertNoSecret(t, "ConnectionString with "+verb, fmt.Sprintf(verb, v), forms)
			}
		}
		if s := cs.String(); !strings.Contains(s, "acct") || !strings.Contains(s, "[REDACTED]") {
			t.Fatalf("String() = %q", s)
		}
	}
}

func TestUserDelegationKeyNeverPrintsValue(t *testing.T) {
	k := testDelegationKey()
	forms := secretForms(t, k.Value)
	for _, v := range []any{k, &k, []UserDelegationKey{k}} {
		for _, verb := range verbs {
			assertNoSecret(t, "UserDelegationKey with "+verb, fmt.Sprintf(verb, v), forms)
		}
	}
	if s := k.String(); !strings.Contains(s, k.SignedOID) || !strings.Contains(s, "[REDACTED]") {
		t.Fatalf("String() = %q", s)
	}
}

// Every error path that sees a secret must not repeat it.
func TestErrorsNeverContainSecrets(t *testing.T) {
	forms := secretForms(t, testKey)
	var errs []error
	for _, key := range []string{testKey[:20], testKey + "A", " " + testKey, strings.ReplaceAll(testKey, "/", "_"), testKey[:len(testKey)-2]} {
		if _, err := NewCredential("acct", key); err != nil {
			errs = append(errs, err)
		} else {
			t.Fatalf("NewCredential accepted a damaged key")
		}
	}
	for _, in := range []string{
		"AccountName=acct;AccountKey=" + testKey[:20],
		"AccountName=acct;" + testKey,
		"AccountName=acct;AccountKey=" + testKey + ";AccountKey=" + testKey,
		"AccountName=acct;AccountKey=" + testKey + ";SharedAccessSignature=" + sasToken,
		testKey + ";AccountName=a",
		"UseDevelopmentStorage=true;AccountKey=" + testKey,
		"AccountName=acct;AccountKey=" + testKey + ";" + testKey[:30] + "=x",
	} {
		if _, err := ParseConnectionString(in); err != nil {
			errs = append(errs, err)
		} else {
			t.Fatalf("ParseConnectionString accepted %d bytes of bad input", len(in))
		}
	}
	k := testDelegationKey()
	k.Value = testKey[:20]
	_, err := BlobSASValues{ContainerName: "c", BlobName: "b", Permissions: "r", ExpiryTime: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)}.SignWithUserDelegationKey("acct", k)
	if err == nil {
		t.Fatal("signed with a truncated delegation key")
	}
	errs = append(errs, err)
	for _, err := range errs {
		assertNoSecret(t, "error", err.Error(), append(forms, testKey[:20], sasToken))
	}
}
