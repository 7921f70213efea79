package aadtoken

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

const secretTok = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJlLXNlY3JldA"

func TestTokenNeverPrintsAccessToken(t *testing.T) {
	tok := Token{
		AccessToken: secretTok,
		ExpiresOn:   time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		RefreshOn:   time.Date(2030, 1, 2, 2, 0, 0, 0, time.UTC),
	}
	js, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	var jsonLog, textLog bytes.Buffer
	slog.New(slog.NewJSONHandler(&jsonLog, nil)).Info("t", "tok", tok)
	slog.New(slog.NewTextHandler(&textLog, nil)).Info("t", "tok", tok)
	outputs := map[string]string{
		"String": tok.String(), "GoString": tok.GoString(),
		"%v": fmt.Sprintf("%v", tok), "%+v": fmt.Sprintf("%+v", tok), "%#v": fmt.Sprintf("%#v", tok),
		"%s": fmt.Sprintf("%s", tok), "%q": fmt.Sprintf("%q", tok), "%x": fmt.Sprintf("%x", tok),
		"ptr %v": fmt.Sprintf("%v", &tok), "ptr %+v": fmt.Sprintf("%+v", &tok),
		"slice %v": fmt.Sprintf("%v", []Token{tok}), "map %#v": fmt.Sprintf("%#v", map[string]Token{"a": tok}),
		"json": string(js), "slog json": jsonLog.String(), "slog text": textLog.String(),
	}
	for name, out := range outputs {
		if strings.Contains(out, secretTok) || strings.Contains(out, "c2VjcmV0") {
			t.Errorf("%s leaks the token: %s", name, out)
		}
		if !strings.Contains(out, "REDACTED(63 bytes)") {
			t.Errorf("%s does not show the redaction marker: %s", name, out)
		}
	}
	if want := "aadtoken.Token{AccessToken: REDACTED(63 bytes), ExpiresOn: 2030-01-02T03:04:05Z, RefreshOn: 2030-01-02T02:00:00Z}"; tok.String() != want {
		t.Errorf("String() = %q, want %q", tok.String(), want)
	}
	if got := (Token{}).String(); got != "aadtoken.Token{AccessToken: (empty), ExpiresOn: (unset)}" {
		t.Errorf("zero Token String() = %q", got)
	}
}

func TestTokenValid(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		tok  Token
		want bool
	}{
		{"fresh", Token{AccessToken: "a", ExpiresOn: now.Add(time.Second)}, true},
		{"expired", Token{AccessToken: "a", ExpiresOn: now}, false},
		{"empty", Token{ExpiresOn: now.Add(time.Hour)}, false},
	}
	for _, c := range cases {
		if got := c.tok.Valid(now); got != c.want {
			t.Errorf("%s: Valid = %v, want %v", c.name, got, c.want)
		}
	}
}
