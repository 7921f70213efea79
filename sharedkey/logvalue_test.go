package sharedkey

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestSecretsNotInStructuredLogs: slog's JSON handler prints exported
// fields of a struct without a LogValue method, which would put a delegation
// key's Value or a connection string's AccountKey into the log.
func TestSecretsNotInStructuredLogs(t *testing.T) {
	key := base64.StdEncoding.EncodeToString([]byte("a-very-secret-account-key-material-0123456789"))
	sas := "sv=2025-11-05&sp=r&sig=VERYSECRETSIGNATURE%3D"
	cs, err := ParseConnectionString("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + key + ";EndpointSuffix=core.windows.net")
	if err != nil {
		t.Fatal(err)
	}
	csSAS, err := ParseConnectionString("BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=" + sas)
	if err != nil {
		t.Fatal(err)
	}
	udk := UserDelegationKey{SignedOID: "oid", SignedTID: "tid", SignedStart: time.Unix(0, 0), SignedExpiry: time.Unix(3600, 0), SignedService: "b", SignedVersion: "2025-11-05", Value: key}
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(h(&buf))
		log.Info("values", "cs", cs, "cs_value", *cs, "cs_sas", csSAS, "udk", udk, "udk_ptr", &udk)
		out := buf.String()
		for _, secret := range []string{key, "VERYSECRETSIGNATURE"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s handler printed a secret: %s", name, strings.ReplaceAll(out, secret, "<SECRET>"))
			}
		}
		if !strings.Contains(out, "acct") {
			t.Errorf("%s handler printed nothing useful: %s", name, out)
		}
	}
}
