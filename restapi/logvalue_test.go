package restapi

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestUserDelegationKeyNotInStructuredLogs: slog's JSON handler prints the
// exported Value of a struct without a LogValue method.
func TestUserDelegationKeyNotInStructuredLogs(t *testing.T) {
	const secret = "c2VjcmV0LWRlbGVnYXRpb24ta2V5LXZhbHVl"
	k := UserDelegationKey{SignedOID: "oid-1", SignedTID: "tid-1", SignedStart: time.Unix(0, 0), SignedExpiry: time.Unix(3600, 0), SignedService: "b", SignedVersion: "2025-11-05", Value: secret}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("key", "value", k, "ptr", &k)
	if out := buf.String(); strings.Contains(out, secret) || !strings.Contains(out, "oid-1") {
		t.Errorf("JSON log = %s; want the key's oid and never its Value", strings.ReplaceAll(out, secret, "<SECRET>"))
	}
}
