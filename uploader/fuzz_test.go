package uploader

import (
	"net/url"
	"strings"
	"testing"
)

func FuzzSetFromURL(f *testing.F) {
	for _, s := range []string{
		"azblob://acct.blob.core.windows.net",
		"azblob-http://127.0.0.1:10000/devstoreaccount1#session_container=s1s&inprogress_container=i1i",
		"https://acct.blob.core.windows.net/#azure_client_id=" + testClientID,
		"azblob://u:p@acct.blob.core.windows.net",
		"azblob://acct.blob.core.windows.net?sig=abc",
		"azblob://acct.blob.core.windows.net#x=1&y",
		"http://[::1]:10000/devstoreaccount1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := url.Parse(s)
		if err != nil {
			return
		}
		c := Config{Endpoint: "before"}
		err = c.SetFromURL(u)
		if err != nil {
			if c.Endpoint != "before" {
				t.Fatalf("failed SetFromURL changed the config: %q", c.Endpoint)
			}
			if p, ok := u.User.Password(); ok && len(p) >= 6 && strings.Contains(err.Error(), p) {
				t.Fatalf("error echoes the password: %v", err)
			}
			if q := u.Query().Get("sig"); len(q) >= 6 && strings.Contains(err.Error(), q) {
				t.Fatalf("error echoes the SAS signature: %v", err)
			}
			return
		}
		if !strings.HasPrefix(c.Endpoint, "https://") && !strings.HasPrefix(c.Endpoint, "http://") {
			t.Fatalf("endpoint %q has no http(s) scheme", c.Endpoint)
		}
		if strings.ContainsAny(c.Endpoint, "?#@") {
			t.Fatalf("endpoint %q carries a query, fragment or user info", c.Endpoint)
		}
		for _, name := range []string{c.SessionContainer, c.InprogressContainer} {
			if name != "" && checkContainerName("x", name) != nil {
				t.Fatalf("accepted an invalid container %q", name)
			}
		}
		if err := c.CheckAndSetDefaults(); err == nil {
			if _, err := endpointAccount(c.Endpoint); err != nil {
				t.Fatalf("defaults accepted an endpoint with no account: %v", err)
			}
		}
	})
}

func FuzzParseBlobName(f *testing.F) {
	for _, s := range []string{
		markerName(sid, uid), partName(sid, uid, 1), partName(sid, uid, MaxParts),
		"part/" + sid + "/" + uid + "/01", "upload/" + sid + "/" + uid + "/", "index.1", "manifest", "blob.0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if s, u, ok := parseMarkerName(name); ok {
			if markerName(s, u) != name || CheckSessionID(s) != nil || CheckUploadID(u) != nil {
				t.Fatalf("marker %q does not round-trip", name)
			}
		}
		if s, u, n, ok := parsePartName(name); ok {
			if partName(s, u, n) != name || CheckPartNumber(n) != nil || CheckSessionID(s) != nil {
				t.Fatalf("part %q does not round-trip", name)
			}
		}
		if CheckReplayObjectName(name) == nil {
			if strings.ContainsAny(name, "/\\%?#") || strings.Contains(name, "..") {
				t.Fatalf("replay name %q accepted but could escape its prefix", name)
			}
		}
		if CheckSessionID(name) == nil && strings.ContainsAny(name, "/.%") {
			t.Fatalf("session id %q accepted but could escape its prefix", name)
		}
	})
}
