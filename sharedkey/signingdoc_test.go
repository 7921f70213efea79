package sharedkey

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// SIGNING.md's worked examples are rendered from testdata/vectors.json, so
// the document cannot drift from what the code signs:
//
//	go test ./sharedkey -run TestSigningDoc                      # check
//	go test ./sharedkey -run TestSigningDoc -update-signing-doc  # rewrite the examples
var updateSigningDoc = flag.Bool("update-signing-doc", false, "rewrite the generated examples in ../SIGNING.md")

const signingDocPath = "../SIGNING.md"

// The examples SIGNING.md must show, one per request kind the project sends
// plus the two kinds of SAS.
var signingDocExamples = []string{
	"put-blob", "put-block", "put-block-from-url", "put-block-list", "list-blobs",
	"sas-service-blob-read", "sas-user-delegation-blob-read",
}

var exampleRegion = regexp.MustCompile(`(?s)<!-- BEGIN example ([a-z0-9-]+) -->\n.*?<!-- END example ([a-z0-9-]+) -->`)

func TestSigningDocExamples(t *testing.T) {
	f := loadVectors(t)
	raw, err := os.ReadFile(signingDocPath)
	if err != nil {
		t.Fatalf("read SIGNING.md: %v", err)
	}
	doc := string(raw)
	found := map[string]bool{}
	var problems []string
	updated := exampleRegion.ReplaceAllStringFunc(doc, func(region string) string {
		m := exampleRegion.FindStringSubmatch(region)
		if m[1] != m[2] {
			problems = append(problems, fmt.Sprintf("example %s ends with END marker %s", m[1], m[2]))
			return region
		}
		found[m[1]] = true
		want, err := renderExample(t, f, m[1])
		if err != nil {
			problems = append(problems, err.Error())
			return region
		}
		if region != want {
			problems = append(problems, fmt.Sprintf("example %s differs from the vector; run go test ./sharedkey -run TestSigningDoc -update-signing-doc", m[1]))
		}
		return want
	})
	for _, name := range signingDocExamples {
		if !found[name] {
			problems = append(problems, "SIGNING.md has no example "+name)
		}
	}
	if !strings.Contains(doc, f.Key) {
		problems = append(problems, "SIGNING.md does not show the test key the examples are signed with")
	}
	if *updateSigningDoc {
		if err := os.WriteFile(signingDocPath, []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %d examples in SIGNING.md", len(found))
		return
	}
	for _, p := range problems {
		t.Error(p)
	}
}

func renderExample(t *testing.T, f vectorFile, name string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- BEGIN example %s -->\n", name)
	for _, v := range f.Requests {
		if v.Name == name {
			renderRequest(t, &b, f, v)
			fmt.Fprintf(&b, "<!-- END example %s -->", name)
			return b.String(), nil
		}
	}
	for _, v := range f.SAS {
		if v.Name == name {
			renderSAS(&b, f, v)
			fmt.Fprintf(&b, "<!-- END example %s -->", name)
			return b.String(), nil
		}
	}
	return "", fmt.Errorf("SIGNING.md names example %s, which is not in testdata/vectors.json", name)
}

func renderRequest(t *testing.T, b *strings.Builder, f vectorFile, v requestVector) {
	req := v.request(t)
	cred := vectorCredential(t, f)
	if err := cred.Authorize(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(b, "%s (vector `%s`, reproduced by `go test ./sharedkey -run 'TestRequestVectors/^%s$'`)\n\n", v.About, v.Name, v.Name)
	b.WriteString("The request as sent (headers in the order set; User-Agent and Accept-Encoding, which net/http adds, are not signed and not shown):\n\n```http\n")
	fmt.Fprintf(b, "%s %s HTTP/1.1\nHost: %s\n", req.Method, req.URL.RequestURI(), req.URL.Host)
	switch {
	case req.ContentLength > 0:
		fmt.Fprintf(b, "Content-Length: %d\n", req.ContentLength)
	case req.ContentLength < 0:
		b.WriteString("Transfer-Encoding: chunked\n")
	}
	for _, h := range v.Headers {
		b.WriteString(h + "\n")
	}
	fmt.Fprintf(b, "Authorization: %s\n", req.Header.Get("Authorization"))
	if v.Body != nil {
		b.WriteString("\n" + *v.Body + "\n")
	}
	b.WriteString("```\n\nString-to-sign (every line break is one \\n; blank lines are empty fields; no \\n after the last line):\n\n```text\n")
	b.WriteString(v.StringToSign)
	b.WriteString("\n```\n\n")
	fmt.Fprintf(b, "Signature: base64(HMAC-SHA256(base64decode(key), string-to-sign)) gives\n`%s`.\n", v.Authorization)
}

func renderSAS(b *strings.Builder, f vectorFile, v sasVector) {
	fmt.Fprintf(b, "%s (vector `%s`, reproduced by `go test ./sharedkey -run 'TestSASVectors/^%s$'`)\n\n", v.About, v.Name, v.Name)
	b.WriteString("Values:\n\n```go\n")
	fmt.Fprintf(b, "%s\n", goLiteral(v.Values))
	if v.Key != nil {
		k := *v.Key
		fmt.Fprintf(b, "key := sharedkey.UserDelegationKey{\n\tSignedOID: %q,\n\tSignedTID: %q,\n\tSignedStart: %s,\n\tSignedExpiry: %s,\n\tSignedService: %q,\n\tSignedVersion: %q,\n\tValue: %q, // Azurite's key for these fields\n}\n",
			k.SignedOID, k.SignedTID, goTime(k.SignedStart), goTime(k.SignedExpiry), k.SignedService, k.SignedVersion, k.Value)
		b.WriteString("query, err := values.SignWithUserDelegationKey(\"" + f.Account + "\", key)\n")
	} else {
		b.WriteString("query, err := values.SignWithSharedKey(cred) // cred: devstoreaccount1 and the test key\n")
	}
	b.WriteString("```\n\nString-to-sign (every line break is one \\n; blank lines are empty fields):\n\n```text\n")
	b.WriteString(v.StringToSign)
	b.WriteString("\n```\n\nField by field:\n\n| # | field | value |\n|---|---|---|\n")
	names := sasFieldNames(v)
	for i, val := range strings.Split(v.StringToSign, "\n") {
		name := "?"
		if i < len(names) {
			name = names[i]
		}
		if val == "" {
			val = "(empty)"
		} else {
			val = "`" + val + "`"
		}
		fmt.Fprintf(b, "| %d | %s | %s |\n", i+1, name, val)
	}
	b.WriteString("\nQuery string returned (append after `?` to the blob or container URL):\n\n```text\n")
	b.WriteString(v.Query)
	b.WriteString("\n```\n")
}

// goLiteral prints the non-empty fields of a BlobSASValues as Go source.
func goLiteral(v BlobSASValues) string {
	var parts []string
	add := func(name, val string) {
		if val != "" {
			parts = append(parts, fmt.Sprintf("%s: %q", name, val))
		}
	}
	add("Version", v.Version)
	add("ContainerName", v.ContainerName)
	add("BlobName", v.BlobName)
	add("Resource", v.Resource)
	add("Permissions", v.Permissions)
	if !v.StartTime.IsZero() {
		parts = append(parts, "StartTime: "+goTime(v.StartTime))
	}
	if !v.ExpiryTime.IsZero() {
		parts = append(parts, "ExpiryTime: "+goTime(v.ExpiryTime))
	}
	add("Protocol", v.Protocol)
	add("IPRange", v.IPRange)
	add("Identifier", v.Identifier)
	add("EncryptionScope", v.EncryptionScope)
	add("CacheControl", v.CacheControl)
	add("ContentDisposition", v.ContentDisposition)
	add("ContentEncoding", v.ContentEncoding)
	add("ContentLanguage", v.ContentLanguage)
	add("ContentType", v.ContentType)
	return "values := sharedkey.BlobSASValues{\n\t" + strings.Join(parts, ",\n\t") + ",\n}"
}

func goTime(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("time.Date(%d, %d, %d, %d, %d, %d, 0, time.UTC)", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second())
}

// sasFieldNames labels the string-to-sign lines of a SAS vector, following
// the layouts in SIGNING.md sections 2 and 3.
func sasFieldNames(v sasVector) []string {
	head := []string{"signedPermissions (sp)", "signedStart (st)", "signedExpiry (se)", "canonicalizedResource"}
	tail := []string{"signedIP (sip)", "signedProtocol (spr)", "signedVersion (sv)", "signedResource (sr)",
		"signedSnapshotTime", "signedEncryptionScope (ses)", "rscc", "rscd", "rsce", "rscl", "rsct"}
	if v.Kind == "service" {
		return append(append(head, "signedIdentifier (si)"), tail...)
	}
	names := append(head, "signedKeyObjectId (skoid)", "signedKeyTenantId (sktid)", "signedKeyStart (skt)",
		"signedKeyExpiry (ske)", "signedKeyService (sks)", "signedKeyVersion (skv)",
		"signedAuthorizedUserObjectId (saoid)", "signedUnauthorizedUserObjectId (suoid)", "signedCorrelationId (scid)")
	version := v.Values.Version
	if version == "" {
		version = DefaultSASVersion
	}
	if version >= udkDelegatedUser {
		names = append(names, "signedKeyDelegatedUserTenantId (skdutid)", "signedDelegatedUserObjectId (sduoid)")
	}
	return append(names, tail...)
}
