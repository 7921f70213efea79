package emulatortest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// signForTest adds a SharedKey Authorization for the development account.
// It is the minimum this package's tests need to get Azurite's verdict on a
// request that went through the proxy (the real signer lives in sharedkey,
// which this harness must not depend on); it handles only simple x-ms-*
// names and single-valued queries.
func signForTest(t *testing.T, req *http.Request) {
	t.Helper()
	req.Header.Set("x-ms-date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("x-ms-version", "2025-11-05")
	length := ""
	if req.ContentLength > 0 {
		length = strconv.FormatInt(req.ContentLength, 10)
	}
	var xms []string
	for k, v := range req.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-ms-") {
			xms = append(xms, lk+":"+strings.Join(v, ","))
		}
	}
	sort.Strings(xms)
	resource := "/" + DevAccountName + req.URL.EscapedPath()
	q := req.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		resource += "\n" + strings.ToLower(k) + ":" + strings.Join(q[k], ",")
	}
	h := req.Header.Get
	sts := strings.Join([]string{req.Method, h("Content-Encoding"), h("Content-Language"), length, h("Content-MD5"),
		h("Content-Type"), h("Date"), h("If-Modified-Since"), h("If-Match"), h("If-None-Match"), h("If-Unmodified-Since"),
		h("Range")}, "\n") + "\n" + strings.Join(xms, "\n") + "\n" + resource
	key, err := base64.StdEncoding.DecodeString(DevAccountKey)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(sts))
	req.Header.Set("Authorization", "SharedKey "+DevAccountName+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

func doSigned(t *testing.T, c *http.Client, method, url string, body []byte, hdr map[string]string) (*http.Response, error) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	signForTest(t, req)
	return c.Do(req)
}

// TestFaultProxyInFrontOfAzurite checks that signed requests survive the
// proxy unchanged (Azurite verifies every signature) and that the
// outcome-unknown faults behave as intended against the real emulator.
func TestFaultProxyInFrontOfAzurite(t *testing.T) {
	e := Start(t)
	p := e.StartFaultProxy(t, FaultProxyOptions{})
	if want := "http://" + p.Addr() + "/devstoreaccount1"; p.Endpoint() != want {
		t.Fatalf("Endpoint = %q, want %q", p.Endpoint(), want)
	}
	c := freshClient(nil)
	resp, err := doSigned(t, c, http.MethodPut, p.Endpoint()+"/faults?restype=container", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create container through the proxy: %d %s", resp.StatusCode, resp.Header.Get("x-ms-error-code"))
	}

	// Put Blob whose answer is lost: the client sees a reset...
	blobURL := p.Endpoint() + "/faults/dir/a%20b%25c.txt"
	content := bytes.Repeat([]byte("recording "), 30_000)
	p.SetHook(func(*http.Request) Fault { return FaultLostAnswer })
	_, err = doSigned(t, c, http.MethodPut, blobURL, content, map[string]string{"x-ms-blob-type": "BlockBlob", "Content-Type": "application/octet-stream"})
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("Put Blob with a lost answer: err = %v, want ECONNRESET", err)
	}
	// ...but the blob was written, byte for byte.
	p.SetHook(nil)
	resp, err = doSigned(t, c, http.MethodGet, blobURL, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || !bytes.Equal(got, content) {
		t.Fatalf("Get Blob after the lost answer: %d, %d bytes, err %v (code %s)", resp.StatusCode, len(got), err, resp.Header.Get("x-ms-error-code"))
	}

	// A download cut halfway fails to read, with half the bytes.
	p.SetHook(func(*http.Request) Fault { return FaultHalfBody })
	resp, err = doSigned(t, c, http.MethodGet, blobURL, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || !bytes.Equal(got, content[:len(content)/2]) || resp.ContentLength != int64(len(content)) {
		t.Fatalf("cut download: err %v, %d bytes of %d", err, len(got), resp.ContentLength)
	}

	// A 503 never reaches Azurite: the forwarded count does not move.
	before := p.Stats().Forwarded
	p.SetHook(func(*http.Request) Fault { return Fault503RetryAfter })
	resp, err = doSigned(t, c, http.MethodDelete, blobURL, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" || p.Stats().Forwarded != before {
		t.Fatalf("503: status %d, Retry-After %q, forwarded %d→%d", resp.StatusCode, resp.Header.Get("Retry-After"), before, p.Stats().Forwarded)
	}
	st := p.Stats()
	t.Logf("proxy: %v", st)
	if st.Faults["reset-after"] != 1 || st.Faults["cut-body"] != 1 || st.Faults["503+Retry-After"] != 1 || st.Requests != 5 {
		t.Fatalf("stats %v", st)
	}
}

// TestFaultProxyHTTPSInFrontOfAzurite sends a bearer token over the
// proxy's own TLS to Azurite's TLS with --oauth basic.
func TestFaultProxyHTTPSInFrontOfAzurite(t *testing.T) {
	e := StartHTTPS(t)
	p := e.StartFaultProxy(t, FaultProxyOptions{})
	if !strings.HasPrefix(p.Endpoint(), "https://127.0.0.1:") {
		t.Fatalf("Endpoint %q, want https", p.Endpoint())
	}
	req, _ := http.NewRequest(http.MethodGet, p.Endpoint()+"?comp=list", nil)
	req.Header.Set("x-ms-version", "2025-11-05")
	req.Header.Set("Authorization", "Bearer "+EmulatorToken(time.Hour))
	resp, err := p.HTTPClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<EnumerationResults") {
		t.Fatalf("List Containers with a bearer token through the TLS proxy: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("Server") != "Azurite-Blob/3.37.0" {
		t.Fatalf("Server = %q", resp.Header.Get("Server"))
	}
}
