package emulatortest

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// seen is one request as the upstream received it.
type seen struct {
	method, requestURI, host string
	header                   http.Header
	body                     []byte
	contentLength            int64
}

// recorder is an httptest upstream that records what reached it and
// answers with a fixed status, headers and body.
type recorder struct {
	mu       sync.Mutex
	requests []seen
	status   int
	header   http.Header
	body     []byte
	chunked  bool
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.requests = append(rec.requests, seen{r.Method, r.RequestURI, r.Host, r.Header.Clone(), body, r.ContentLength})
	status, hdr, out, chunked := rec.status, rec.header, rec.body, rec.chunked
	rec.mu.Unlock()
	for k, v := range hdr {
		w.Header()[k] = v
	}
	if !chunked && out != nil {
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	}
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if chunked {
		// Two flushed writes make net/http send chunked encoding.
		w.Write(out[:len(out)/3])
		w.(http.Flusher).Flush()
		w.Write(out[len(out)/3:])
		return
	}
	w.Write(out)
}

func (rec *recorder) seen() []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seen(nil), rec.requests...)
}

func newUpstream(t *testing.T, rec *recorder) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(rec)
	t.Cleanup(s.Close)
	return s
}

// freshClient opens a new connection per request, so net/http's transparent
// retry of idempotent requests on reused connections cannot hide a fault.
func freshClient(tlsConf *tls.Config) *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: tlsConf}}
}

func alwaysFault(f Fault) FaultProxyOptions {
	return FaultProxyOptions{Hook: func(*http.Request) Fault { return f }}
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func TestFaultProxyForwardsExactly(t *testing.T) {
	rec := &recorder{status: http.StatusCreated, header: http.Header{"X-Ms-Request-Id": {"r1"}, "Etag": {`"0x1"`}}, body: []byte("answer")}
	up := newUpstream(t, rec)
	p := StartFaultProxy(t, up.URL+"/devstoreaccount1/", FaultProxyOptions{})
	if want := "http://" + p.Addr() + "/devstoreaccount1"; p.Endpoint() != want {
		t.Fatalf("Endpoint = %q, want %q", p.Endpoint(), want)
	}

	const target = "/devstoreaccount1/c%C3%A9/dir/a%20b%25c+d%2Fe?comp=block&blockid=QUJD%3D%3D&x=%2B"
	body := bytes.Repeat([]byte("0123456789"), 100_000)
	req, _ := http.NewRequest(http.MethodPut, "http://"+p.Addr()+target, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Authorization", "SharedKey devstoreaccount1:sig")
	req.Header["x-ms-lower"] = []string{"kept as sent"}
	req.Header.Set("x-ms-version", "2025-11-05")
	req.Header["User-Agent"] = nil // send none; the proxy must not add one
	// No Accept-Encoding from the client either, so any would be the proxy's.
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || string(got) != "answer" || resp.Header.Get("Etag") != `"0x1"` || resp.Header.Get("X-Ms-Request-Id") != "r1" {
		t.Fatalf("relayed answer: %d %q %v", resp.StatusCode, got, resp.Header)
	}
	s := rec.seen()
	if len(s) != 1 {
		t.Fatalf("upstream saw %d requests, want 1", len(s))
	}
	r := s[0]
	if r.method != http.MethodPut || r.requestURI != target {
		t.Fatalf("upstream saw %s %s, want PUT %s", r.method, r.requestURI, target)
	}
	if r.host != p.Addr() {
		t.Fatalf("upstream Host = %q, want the client's %q", r.host, p.Addr())
	}
	if !bytes.Equal(r.body, body) || r.contentLength != int64(len(body)) {
		t.Fatalf("upstream body: %d bytes (Content-Length %d), want %d", len(r.body), r.contentLength, len(body))
	}
	for k, want := range map[string]string{
		"Content-Type": "application/octet-stream", "Authorization": "SharedKey devstoreaccount1:sig",
		"X-Ms-Lower": "kept as sent", "X-Ms-Version": "2025-11-05",
	} {
		if v := r.header.Get(k); v != want {
			t.Errorf("upstream %s = %q, want %q", k, v, want)
		}
	}
	for _, k := range []string{"User-Agent", "Accept-Encoding"} {
		if v, ok := r.header[k]; ok {
			t.Errorf("proxy added %s: %q", k, v)
		}
	}

	// HEAD keeps the upstream's Content-Length.
	rec.mu.Lock()
	rec.status, rec.body = http.StatusOK, bytes.Repeat([]byte("x"), 12345)
	rec.mu.Unlock()
	resp, err = p.HTTPClient.Head(p.Endpoint() + "/c/b")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ContentLength != 12345 {
		t.Fatalf("HEAD Content-Length = %d, want 12345", resp.ContentLength)
	}
	st := p.Stats()
	if st.Requests != 2 || st.Forwarded != 2 || st.TotalFaults() != 0 {
		t.Fatalf("stats %v, want 2 requests forwarded and no faults", st)
	}
}

func TestFaultProxyStatusFaults(t *testing.T) {
	for _, tc := range []struct {
		fault               Fault
		status              int
		code, retryAfter    string
		retryAfterMs, label string
	}{
		{Fault500, 500, "InternalError", "", "", "500"},
		{Fault503, 503, "ServerBusy", "", "", "503"},
		{Fault503RetryAfter, 503, "ServerBusy", "1", "", "503+Retry-After"},
		{Fault{Kind: FaultStatus, Status: 503, RetryAfter: 1500 * time.Millisecond}, 503, "ServerBusy", "2", "", "503+Retry-After"},
		{Fault429RetryAfterMs, 429, "TooManyRequests", "", "50", "429+x-ms-retry-after-ms"},
	} {
		t.Run(tc.label, func(t *testing.T) {
			rec := &recorder{}
			p := StartFaultProxy(t, newUpstream(t, rec).URL, alwaysFault(tc.fault))
			// A large body must not turn the status into a write error.
			req, _ := http.NewRequest(http.MethodPut, p.Endpoint()+"/c/b", bytes.NewReader(make([]byte, 4<<20)))
			req.Header.Set("x-ms-client-request-id", "client-1")
			resp, err := freshClient(nil).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			h := resp.Header
			if h.Get("x-ms-error-code") != tc.code || h.Get("Retry-After") != tc.retryAfter || h.Get("x-ms-retry-after-ms") != tc.retryAfterMs {
				t.Fatalf("headers %v", h)
			}
			if h.Get("x-ms-request-id") == "" || h.Get("x-ms-client-request-id") != "client-1" || h.Get("x-ms-fault-injected") != tc.label {
				t.Fatalf("headers %v", h)
			}
			if !strings.Contains(string(body), "<Code>"+tc.code+"</Code>") {
				t.Fatalf("body %q", body)
			}
			if n := len(rec.seen()); n != 0 {
				t.Fatalf("upstream saw %d requests, want 0", n)
			}
			if st := p.Stats(); st.Faults[tc.label] != 1 || st.Forwarded != 0 {
				t.Fatalf("stats %v", st)
			}
		})
	}
}

func TestFaultProxyResetBefore(t *testing.T) {
	rec := &recorder{}
	p := StartFaultProxy(t, newUpstream(t, rec).URL, alwaysFault(FaultReset))
	_, err := freshClient(nil).Post(p.Endpoint()+"/c/b", "text/plain", strings.NewReader("payload"))
	if !isReset(err) {
		t.Fatalf("err = %v, want a connection reset", err)
	}
	if n := len(rec.seen()); n != 0 {
		t.Fatalf("upstream saw %d requests, want 0", n)
	}
	if st := p.Stats(); st.Faults["reset-before"] != 1 || st.Forwarded != 0 {
		t.Fatalf("stats %v", st)
	}
}

func TestFaultProxyResetAfterUpstreamAnswered(t *testing.T) {
	rec := &recorder{status: http.StatusCreated}
	p := StartFaultProxy(t, newUpstream(t, rec).URL, alwaysFault(FaultLostAnswer))
	_, err := freshClient(nil).Post(p.Endpoint()+"/c/b", "text/plain", strings.NewReader("payload"))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("err = %v, want ECONNRESET", err)
	}
	s := rec.seen()
	if len(s) != 1 || string(s[0].body) != "payload" {
		t.Fatalf("upstream saw %d requests (%v), want the one complete request", len(s), s)
	}
	if st := p.Stats(); st.Faults["reset-after"] != 1 || st.Forwarded != 1 {
		t.Fatalf("stats %v", st)
	}
}

func TestFaultProxyCutBody(t *testing.T) {
	full := bytes.Repeat([]byte("abcdefghij"), 1000)
	for _, chunked := range []bool{false, true} {
		t.Run("chunked="+strconv.FormatBool(chunked), func(t *testing.T) {
			rec := &recorder{body: full, chunked: chunked, header: http.Header{"X-Ms-Blob-Type": {"BlockBlob"}}}
			p := StartFaultProxy(t, newUpstream(t, rec).URL, alwaysFault(FaultHalfBody))
			resp, err := freshClient(nil).Get(p.Endpoint() + "/c/b")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 || resp.ContentLength != int64(len(full)) || resp.Header.Get("X-Ms-Blob-Type") != "BlockBlob" {
				t.Fatalf("status %d, Content-Length %d, headers %v", resp.StatusCode, resp.ContentLength, resp.Header)
			}
			got, err := io.ReadAll(resp.Body)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("reading the body: err = %v, want io.ErrUnexpectedEOF", err)
			}
			if !bytes.Equal(got, full[:len(full)/2]) {
				t.Fatalf("got %d bytes, want the first %d", len(got), len(full)/2)
			}
			if st := p.Stats(); st.Faults["cut-body"] != 1 || len(rec.seen()) != 1 {
				t.Fatalf("stats %v, upstream saw %d", st, len(rec.seen()))
			}
		})
	}
	t.Run("no body becomes a lost answer", func(t *testing.T) {
		rec := &recorder{status: http.StatusCreated}
		p := StartFaultProxy(t, newUpstream(t, rec).URL, alwaysFault(FaultHalfBody))
		_, err := freshClient(nil).Post(p.Endpoint()+"/c/b", "text/plain", strings.NewReader("x"))
		if !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("err = %v, want ECONNRESET", err)
		}
		if st := p.Stats(); st.Faults["reset-after"] != 1 || st.Faults["cut-body"] != 0 || len(rec.seen()) != 1 {
			t.Fatalf("stats %v", st)
		}
	})
}

// cancelOnceStalled cancels a client's request once the proxy holds it in a
// stall, so the client leaves during the stall however slow the machine.
func cancelOnceStalled(p *FaultProxy, cancel context.CancelFunc) {
	for p.Stats().Faults["stall"] == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
}

func TestFaultProxyStall(t *testing.T) {
	t.Run("client gives up first", func(t *testing.T) {
		rec := &recorder{}
		p := StartFaultProxy(t, newUpstream(t, rec).URL, alwaysFault(Fault{Kind: FaultStall, Stall: time.Hour}))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go cancelOnceStalled(p, cancel)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.Endpoint()+"/c/b", nil)
		_, err := freshClient(nil).Do(req)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want the client's cancellation", err)
		}
		if st := p.Stats(); st.Faults["stall"] != 1 || st.Forwarded != 0 || len(rec.seen()) != 0 {
			t.Fatalf("stats %v, upstream saw %d; want nothing forwarded", st, len(rec.seen()))
		}
	})
	t.Run("client with a body gives up first", func(t *testing.T) {
		// A PUT abandoned during a stall must never reach the upstream:
		// forwarding it late would be a duplicate write the real service
		// never sees.
		rec := &recorder{}
		const stall = time.Second
		p := StartFaultProxy(t, newUpstream(t, rec).URL, alwaysFault(Fault{Kind: FaultStall, Stall: stall}))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go cancelOnceStalled(p, cancel)
		start := time.Now()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPut, p.Endpoint()+"/c/b", strings.NewReader("part bytes"))
		if _, err := freshClient(nil).Do(req); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want the client's cancellation", err)
		}
		time.Sleep(stall - time.Since(start) + 200*time.Millisecond) // past the stall: a late forward would have happened by now
		if st := p.Stats(); st.Forwarded != 0 || len(rec.seen()) != 0 {
			t.Fatalf("stats %v, upstream saw %d; want the abandoned PUT dropped", st, len(rec.seen()))
		}
	})
	t.Run("forwarded after the stall", func(t *testing.T) {
		rec := &recorder{body: []byte("late")}
		p := StartFaultProxy(t, newUpstream(t, rec).URL, alwaysFault(Fault{Kind: FaultStall, Stall: 20 * time.Millisecond}))
		resp, err := freshClient(nil).Get(p.Endpoint() + "/c/b")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "late" || len(rec.seen()) != 1 {
			t.Fatalf("body %q, upstream saw %d", b, len(rec.seen()))
		}
	})
	t.Run("Close ends a stall", func(t *testing.T) {
		p, err := NewFaultProxy(newUpstream(t, &recorder{}).URL, alwaysFault(Fault{Kind: FaultStall, Stall: time.Hour}))
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := freshClient(nil).Get(p.Endpoint() + "/c/b")
			done <- err
		}()
		for p.Stats().Requests == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		p.Close()
		if err := <-done; err == nil {
			t.Fatal("stalled request succeeded after Close")
		}
	})
}

func TestFaultProxyRateIsSeeded(t *testing.T) {
	draws := func(seed uint64) []string {
		p, err := NewFaultProxy("http://127.0.0.1:1", FaultProxyOptions{Rate: 0.3, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		var out []string
		for i := 0; i < 1000; i++ {
			out = append(out, p.Draw().Label())
		}
		return out
	}
	a, b, c := draws(7), draws(7), draws(8)
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatal("same seed gave different faults")
	}
	if strings.Join(a, ",") == strings.Join(c, ",") {
		t.Fatal("different seeds gave identical faults")
	}
	kinds := map[string]int{}
	for _, l := range a {
		kinds[l]++
	}
	// 1000 draws at 30%: about 300 faults across all 7 default kinds.
	if faults := 1000 - kinds["none"]; faults < 220 || faults > 380 {
		t.Fatalf("%d faults in 1000 draws at rate 0.3", faults)
	}
	for _, f := range DefaultFaultMix() {
		if kinds[f.Label()] == 0 {
			t.Errorf("fault %s never drawn", f.Label())
		}
	}
}

func TestFaultProxyRateOverHTTP(t *testing.T) {
	rec := &recorder{body: []byte("ok")}
	p := StartFaultProxy(t, newUpstream(t, rec).URL, FaultProxyOptions{Rate: 0.5, Seed: 1, Mix: []Fault{Fault503, Fault500}})
	c := freshClient(nil)
	statuses := map[int]int{}
	for i := 0; i < 100; i++ {
		resp, err := c.Get(p.Endpoint() + "/c/b" + strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		statuses[resp.StatusCode]++
	}
	st := p.Stats()
	if st.Requests != 100 || int64(statuses[200]) != st.Forwarded || int64(len(rec.seen())) != st.Forwarded ||
		int64(statuses[503]) != st.Faults["503"] || int64(statuses[500]) != st.Faults["500"] || st.TotalFaults()+st.Forwarded != 100 {
		t.Fatalf("statuses %v do not match stats %v", statuses, st)
	}
	if st.TotalFaults() == 0 || st.Forwarded == 0 {
		t.Fatalf("rate 0.5 gave %v", st)
	}
	p.SetRate(0)
	resp, err := c.Get(p.Endpoint() + "/after")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after SetRate(0): %v %v", resp, err)
	}
	resp.Body.Close()
	p.SetHook(func(r *http.Request) Fault {
		if strings.HasSuffix(r.URL.Path, "/busy") {
			return Fault503
		}
		return Fault{}
	})
	for path, want := range map[string]int{"/busy": 503, "/fine": 200} {
		resp, err := c.Get(p.Endpoint() + path)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("hook %s: %v %v, want %d", path, resp, err, want)
		}
		resp.Body.Close()
	}
	if s := p.Stats().String(); !strings.HasPrefix(s, "requests=103 ") || !strings.Contains(s, " 503=") {
		t.Fatalf("Stats().String() = %q", s)
	}
}

func TestFaultProxyRejectsBadOptions(t *testing.T) {
	for name, tc := range map[string]struct {
		upstream string
		opts     FaultProxyOptions
		want     string
	}{
		"no scheme":    {"127.0.0.1:10000", FaultProxyOptions{}, "http(s) URL"},
		"rate":         {"http://127.0.0.1:1", FaultProxyOptions{Rate: 1.5}, "between 0 and 1"},
		"status":       {"http://127.0.0.1:1", FaultProxyOptions{Mix: []Fault{{Kind: FaultStatus}}}, "needs a Status"},
		"stall":        {"http://127.0.0.1:1", FaultProxyOptions{Mix: []Fault{{Kind: FaultStall}}}, "positive Stall"},
		"unknown kind": {"http://127.0.0.1:1", FaultProxyOptions{Mix: []Fault{{Kind: "meteor"}}}, `"meteor"`},
	} {
		p, err := NewFaultProxy(tc.upstream, tc.opts)
		if err == nil {
			p.Close()
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %q does not mention %q", name, err, tc.want)
		}
	}
}

func TestFaultProxyServeTLS(t *testing.T) {
	rec := &recorder{body: []byte("over tls")}
	up := httptest.NewTLSServer(rec)
	defer up.Close()
	p := StartFaultProxy(t, up.URL+"/devstoreaccount1", FaultProxyOptions{
		ServeTLS:    true,
		UpstreamTLS: up.Client().Transport.(*http.Transport).TLSClientConfig,
	})
	if !strings.HasPrefix(p.Endpoint(), "https://") || len(p.CACertPEM) == 0 {
		t.Fatalf("Endpoint %q, cert %d bytes", p.Endpoint(), len(p.CACertPEM))
	}
	resp, err := p.HTTPClient.Get(p.Endpoint() + "/c/b")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "over tls" {
		t.Fatalf("body %q", b)
	}
	p.SetHook(func(*http.Request) Fault { return FaultReset })
	tlsConf := p.HTTPClient.Transport.(*http.Transport).TLSClientConfig
	if _, err := freshClient(tlsConf).Get(p.Endpoint() + "/c/b"); !isReset(err) {
		t.Fatalf("reset over TLS: err = %v", err)
	}
}
