package aadtoken

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var respNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func TestParseTokenResponse(t *testing.T) {
	cases := []struct {
		name      string
		body      string
		expires   time.Time
		refreshOn time.Time
	}{
		{"v2.0 endpoint", `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"abc.def.ghi"}`,
			respNow.Add(3599 * time.Second), time.Time{}},
		{"v2.0 with refresh_in", `{"token_type":"Bearer","expires_in":86399,"refresh_in":43199,"access_token":"abc"}`,
			respNow.Add(86399 * time.Second), respNow.Add(43199 * time.Second)},
		{"IMDS strings", `{"access_token":"abc","client_id":"c","expires_in":"86399","expires_on":"1748865599","ext_expires_in":"86399","not_before":"1748779199","resource":"https://storage.azure.com","token_type":"Bearer"}`,
			respNow.Add(86399 * time.Second), time.Time{}},
		{"expires_in wins over a skewed expires_on", `{"access_token":"abc","expires_in":600,"expires_on":1748779200}`,
			respNow.Add(600 * time.Second), time.Time{}},
		{"App Service unix string", `{"access_token":"abc","expires_on":"1748786400","resource":"https://storage.azure.com","token_type":"Bearer"}`,
			time.Unix(1748786400, 0).UTC(), time.Time{}},
		{"App Service 2017 date", `{"access_token":"abc","expires_on":"06/01/2025 14:00:00 +00:00","token_type":"Bearer"}`,
			time.Date(2025, 6, 1, 14, 0, 0, 0, time.UTC), time.Time{}},
		{"expires_on number", `{"access_token":"abc","expires_on":1748786400}`,
			time.Unix(1748786400, 0).UTC(), time.Time{}},
		{"lowercase bearer", `{"access_token":"abc","token_type":"bearer","expires_in":"60"}`,
			respNow.Add(time.Minute), time.Time{}},
		{"refresh_in beyond expiry is ignored", `{"access_token":"abc","expires_in":60,"refresh_in":120}`,
			respNow.Add(time.Minute), time.Time{}},
		{"null expires_in falls back", `{"access_token":"abc","expires_in":null,"expires_on":"1748786400"}`,
			time.Unix(1748786400, 0).UTC(), time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok, err := parseTokenResponse([]byte(c.body), respNow)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if tok.AccessToken != "abc" && tok.AccessToken != "abc.def.ghi" {
				t.Errorf("AccessToken = %q", tok.AccessToken)
			}
			if !tok.ExpiresOn.Equal(c.expires) {
				t.Errorf("ExpiresOn = %s, want %s", tok.ExpiresOn, c.expires)
			}
			if !tok.RefreshOn.Equal(c.refreshOn) {
				t.Errorf("RefreshOn = %s, want %s", tok.RefreshOn, c.refreshOn)
			}
		})
	}
}

func TestParseTokenResponseErrors(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"empty", ``, "empty"},
		{"html", `<html><body>Sign in to the proxy</body></html>`, "not a JSON object"},
		{"truncated", `{"access_token":"abc","expires_in":3`, "not valid JSON"},
		{"array", `["abc"]`, "not a JSON object"},
		{"no token", `{"expires_in":3600}`, "no access_token"},
		{"no lifetime", `{"access_token":"abc"}`, "neither expires_in nor expires_on"},
		{"pop token", `{"access_token":"abc","token_type":"pop","expires_in":60}`, "only Bearer"},
		{"header injection", `{"access_token":"abc\r\nX-Evil: 1","expires_in":60}`, "cannot be part of a token"},
		{"space in token", `{"access_token":"a b","expires_in":60}`, "cannot be part of a token"},
		{"negative expires_in", `{"access_token":"abc","expires_in":-5}`, "bad expires_in"},
		{"zero expires_in", `{"access_token":"abc","expires_in":"0"}`, "bad expires_in"},
		{"huge expires_in", `{"access_token":"abc","expires_in":1e30}`, "bad expires_in"},
		{"word expires_in", `{"access_token":"abc","expires_in":"soon"}`, "bad expires_in"},
		{"object expires_in", `{"access_token":"abc","expires_in":{}}`, "bad expires_in"},
		{"expired on arrival", `{"access_token":"abc","expires_on":1000000000}`, "check this machine's clock"},
		{"bad expires_on", `{"access_token":"abc","expires_on":"tomorrow"}`, "bad expires_on"},
		{"bad refresh_in", `{"access_token":"abc","expires_in":60,"refresh_in":"x"}`, "bad refresh_in"},
		{"wrong type", `{"access_token":5,"expires_in":60}`, "wrong type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseTokenResponse([]byte(c.body), respNow)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
			if strings.Contains(err.Error(), "abc") {
				t.Errorf("error echoes the token: %q", err)
			}
		})
	}
}

func TestParseExpiresOnFormats(t *testing.T) {
	want := time.Date(2025, 6, 1, 14, 0, 0, 0, time.UTC)
	cases := []struct{ name, raw string }{
		{"number", `1748786400`},
		{"float number", `1748786400.0`},
		{"numeric string", `"1748786400"`},
		{"numeric string with spaces", `" 1748786400 "`},
		{"RFC 3339 UTC", `"2025-06-01T14:00:00Z"`},
		{"RFC 3339 offset", `"2025-06-01T16:00:00+02:00"`},
		{"RFC 3339 nanos", `"2025-06-01T14:00:00.000000000Z"`},
		{"App Service MM/dd/yyyy", `"06/01/2025 14:00:00 +00:00"`},
		{"App Service offset", `"06/01/2025 09:00:00 -05:00"`},
		{"App Service unpadded", `"6/1/2025 14:00:00 +00:00"`},
		{"App Service 12-hour", `"6/1/2025 2:00:00 PM +00:00"`},
	}
	for _, c := range cases {
		got, err := parseExpiresOn(json.RawMessage(c.raw))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !got.Equal(want) {
			t.Errorf("%s: got %s, want %s", c.name, got, want)
		}
	}
	bad := []string{`""`, `"0"`, `-1`, `99999999999999`, `"1e400"`, `"NaN"`, `true`, `null`, `{}`, `"06/01/2025"`, `"2025-06-01"`, `"31/12/2025 14:00:00 +00:00"`, `"01/01/0001 00:00:00 +00:00"`}
	for _, raw := range bad {
		if got, err := parseExpiresOn(json.RawMessage(raw)); err == nil {
			t.Errorf("%s: parsed as %s, want an error", raw, got)
		}
	}
}

func TestReadLimited(t *testing.T) {
	b, err := readLimited(strings.NewReader(strings.Repeat("x", maxResponseBytes)))
	if err != nil || len(b) != maxResponseBytes {
		t.Fatalf("exactly the limit: len %d, err %v", len(b), err)
	}
	_, err = readLimited(strings.NewReader(strings.Repeat("x", maxResponseBytes+1)))
	if err == nil || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
		t.Fatalf("over the limit: err %v", err)
	}
}

func TestParseCLIOutput(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	berlin := time.FixedZone("CEST", 2*3600)
	cases := []struct {
		name string
		body string
		want time.Time
	}{
		{"az 2.54+", `{"accessToken":"tok","expiresOn":"2025-06-01 15:00:00.000000","expires_on":1748786400,"subscription":"s","tenant":"t","tokenType":"Bearer"}`,
			time.Unix(1748786400, 0)},
		{"legacy local time", `{"accessToken":"tok","expiresOn":"2025-06-01 16:00:00.000000","tokenType":"Bearer"}`,
			time.Date(2025, 6, 1, 14, 0, 0, 0, time.UTC)},
		{"legacy without fraction", `{"accessToken":"tok","expiresOn":"2025-06-01 16:00:00"}`,
			time.Date(2025, 6, 1, 14, 0, 0, 0, time.UTC)},
		{"cloud shell RFC 3339", `{"accessToken":"tok","expiresOn":"2025-06-01T14:00:00Z"}`,
			time.Date(2025, 6, 1, 14, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		tok, err := parseCLIOutput([]byte(c.body), now, berlin)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if tok.AccessToken != "tok" || !tok.ExpiresOn.Equal(c.want) {
			t.Errorf("%s: got %v expiring %s, want %s", c.name, tok, tok.ExpiresOn, c.want)
		}
	}
	bad := map[string]string{
		"":                                              "no JSON object",
		"ERROR: Please run 'az login'":                  "no JSON object",
		`{"accessToken":"tok"`:                          "invalid JSON",
		`{"expiresOn":"2025-06-01 16:00:00"}`:           "no accessToken",
		`{"accessToken":"tok"}`:                         "neither expires_on nor expiresOn",
		`{"accessToken":"tok","expiresOn":"x"}`:         "unknown format",
		`{"accessToken":"tok","expires_on":"x"}`:        "bad expires_on",
		`{"accessToken":"tok","expires_on":1000000000}`: "expired",
		`{"accessToken":"t k","expires_on":1748786400}`: "cannot be part of a token",
		`{"accessToken":"tok","expires_on":1748786400,"tokenType":"pop"}`: "only Bearer",
	}
	for body, want := range bad {
		_, err := parseCLIOutput([]byte(body), now, berlin)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to mention %q", body, err, want)
		}
	}
}

func FuzzParseTokenResponse(f *testing.F) {
	seeds := []string{
		`{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"a.b.c"}`,
		`{"access_token":"a","expires_in":"86399","expires_on":"1748865599","token_type":"Bearer"}`,
		`{"access_token":"a","expires_on":"06/01/2025 14:00:00 +00:00"}`,
		`{"access_token":"a","expires_in":60,"refresh_in":30}`,
		`{"access_token":"a","expires_in":1e308}`,
		`{"access_token":"a\u0000","expires_in":60}`,
		`{"access_token":"a","expires_in":`,
		`<html>`, ``, `null`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := parseTokenResponse(body, respNow)
		if err != nil {
			if tok != (Token{}) {
				t.Fatalf("error %v with a non-zero token", err)
			}
			return
		}
		if tok.AccessToken == "" || !tok.ExpiresOn.After(respNow) {
			t.Fatalf("accepted an unusable token: %v", tok)
		}
		if err := checkTokenChars("t", tok.AccessToken); err != nil {
			t.Fatalf("accepted a token unsafe for a header: %v", err)
		}
		if !tok.RefreshOn.IsZero() && !tok.RefreshOn.Before(tok.ExpiresOn) {
			t.Fatalf("RefreshOn %s not before ExpiresOn %s", tok.RefreshOn, tok.ExpiresOn)
		}
	})
}

func FuzzParseExpiresOn(f *testing.F) {
	for _, s := range []string{`1748786400`, `"1748786400"`, `"2025-06-01T14:00:00Z"`,
		`"06/01/2025 14:00:00 +00:00"`, `"6/1/2025 2:00:00 PM +00:00"`, `1.5e9`, `"-1"`, `"NaN"`, `"1e999"`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := parseExpiresOn(raw)
		if err != nil {
			return
		}
		if u := got.Unix(); u < minUnix || u > maxUnix {
			t.Fatalf("accepted %q as %s, outside the allowed years", raw, got)
		}
	})
}

func FuzzParseCLIOutput(f *testing.F) {
	for _, s := range []string{
		`{"accessToken":"tok","expiresOn":"2025-06-01 15:00:00.000000","expires_on":1748786400,"tokenType":"Bearer"}`,
		`{"accessToken":"tok","expiresOn":"2025-06-01 16:00:00.000000"}`,
		`{"accessToken":"tok","expiresOn":"2025-06-01T14:00:00Z"}`,
		`ERROR: Please run 'az login' to setup account.`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		tok, err := parseCLIOutput(out, respNow, time.UTC)
		if err != nil {
			return
		}
		if tok.AccessToken == "" || !tok.ExpiresOn.After(respNow) {
			t.Fatalf("accepted an unusable token: %v", tok)
		}
	})
}
