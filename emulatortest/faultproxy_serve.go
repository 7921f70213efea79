package emulatortest

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ServeHTTP applies the request's fault, or forwards it.
func (p *FaultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	f := p.decide(r)
	switch f.Kind {
	case FaultNone:
		p.forwardAndRelay(w, r)
	case FaultStatus:
		p.count(f.Label())
		p.answerStatus(w, r, f)
	case FaultResetBefore:
		p.count(f.Label())
		resetConn(w)
	case FaultResetAfter:
		p.count(f.Label())
		if resp := p.forward(w, r); resp != nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			resetConn(w)
		}
	case FaultCutBody:
		p.cutBody(w, r)
	case FaultStall:
		p.count(f.Label())
		// net/http notices a client that went away only once the request
		// body has been read, so read it first: otherwise a PUT the client
		// gave up on would still be forwarded after the stall, a late
		// duplicate write that the real service would never see.
		if r.ContentLength != 0 {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return // the client went away while sending
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		t := time.NewTimer(f.Stall)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return // the client gave up; the upstream never saw the request
		case <-p.closed:
			resetConn(w)
			return
		case <-t.C:
		}
		p.forwardAndRelay(w, r)
	default:
		http.Error(w, "emulatortest: unknown fault kind "+string(f.Kind), http.StatusInternalServerError)
	}
}

// hopHeaders are connection-level headers a proxy must not relay
// (RFC 9110 section 7.6.1).
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// forward sends r upstream and returns the answer, or writes a 502 and
// returns nil.
func (p *FaultProxy) forward(w http.ResponseWriter, r *http.Request) *http.Response {
	// The raw request target, as received, keeps the path's escaping exact
	// (a re-encoded path would change what SharedKey signed).
	target := r.RequestURI
	rawPath, rawQuery, _ := strings.Cut(target, "?")
	if !strings.HasPrefix(rawPath, "/") {
		// Absolute-form target (the client treated us as an HTTP proxy).
		rawPath, rawQuery = r.URL.EscapedPath(), r.URL.RawQuery
	}
	out := &http.Request{
		Method:        r.Method,
		URL:           &url.URL{Scheme: p.upstream.Scheme, Host: p.upstream.Host, Opaque: rawPath, RawQuery: rawQuery},
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        r.Header.Clone(),
		Host:          r.Host,
		ContentLength: r.ContentLength,
		Body:          r.Body,
	}
	if r.ContentLength == 0 {
		out.Body = nil
	}
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	if _, ok := out.Header["User-Agent"]; !ok {
		out.Header["User-Agent"] = nil // keep Go from adding its own
	}
	out = out.WithContext(r.Context())
	p.forwarded.Add(1)
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		p.upstreamEr.Add(1)
		http.Error(w, "emulatortest: fault proxy could not reach upstream: "+err.Error(), http.StatusBadGateway)
		return nil
	}
	return resp
}

func (p *FaultProxy) forwardAndRelay(w http.ResponseWriter, r *http.Request) {
	resp := p.forward(w, r)
	if resp == nil {
		return
	}
	defer resp.Body.Close()
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	for _, k := range hopHeaders {
		h.Del(k)
	}
	if resp.ContentLength >= 0 {
		h.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	} else {
		h.Del("Content-Length")
	}
	w.WriteHeader(resp.StatusCode)
	if r.Method == http.MethodHead {
		return
	}
	rc := http.NewResponseController(w)
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			rc.Flush()
		}
		if err != nil {
			if err != io.EOF {
				// The upstream broke mid-body; pass the break on rather than
				// ending the answer cleanly short.
				resetConn(w)
			}
			return
		}
	}
}

// cutBody relays the status, headers and a Content-Length for the whole
// body, then half the body, then closes.
func (p *FaultProxy) cutBody(w http.ResponseWriter, r *http.Request) {
	resp := p.forward(w, r)
	if resp == nil {
		p.count(Fault{Kind: FaultCutBody}.Label())
		return
	}
	defer resp.Body.Close()
	var body []byte
	length := resp.ContentLength
	if length < 0 {
		b, err := io.ReadAll(io.LimitReader(resp.Body, p.maxCut))
		if err != nil {
			p.count(Fault{Kind: FaultResetAfter}.Label())
			resetConn(w)
			return
		}
		body, length = b, int64(len(b))
	}
	if r.Method == http.MethodHead || length == 0 {
		// Nothing to cut: lose the answer instead.
		io.Copy(io.Discard, resp.Body)
		p.count(Fault{Kind: FaultResetAfter}.Label())
		resetConn(w)
		return
	}
	p.count(Fault{Kind: FaultCutBody}.Label())
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(brw, "HTTP/1.1 %d %s\r\n", resp.StatusCode, http.StatusText(resp.StatusCode))
	hdr := resp.Header.Clone()
	for _, k := range hopHeaders {
		hdr.Del(k)
	}
	hdr.Set("Content-Length", strconv.FormatInt(length, 10))
	hdr.Set("Connection", "close")
	hdr.Write(brw)
	brw.WriteString("\r\n")
	half := length / 2
	if body != nil {
		brw.Write(body[:half])
	} else {
		io.CopyN(brw, resp.Body, half)
	}
	brw.Flush()
}

// faultCodes are the x-ms-error-code values Azure uses for these statuses.
var faultCodes = map[int]string{
	http.StatusInternalServerError: "InternalError",
	http.StatusServiceUnavailable:  "ServerBusy",
	http.StatusTooManyRequests:     "TooManyRequests",
	http.StatusBadGateway:          "BadGateway",
	http.StatusGatewayTimeout:      "OperationTimedOut",
	http.StatusRequestTimeout:      "OperationTimedOut",
}

// answerStatus answers like Azure does when it refuses work: an XML error
// with x-ms-error-code and a request id. The request body is drained first
// so the client sees the status rather than a write error.
func (p *FaultProxy) answerStatus(w http.ResponseWriter, r *http.Request, f Fault) {
	io.Copy(io.Discard, r.Body)
	code, ok := faultCodes[f.Status]
	if !ok {
		code = "InjectedFault"
	}
	var id [16]byte
	rand.Read(id[:])
	reqID := hex.EncodeToString(id[:])
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("x-ms-error-code", code)
	h.Set("x-ms-request-id", reqID)
	h.Set("x-ms-fault-injected", f.Label())
	if v := r.Header.Get("x-ms-client-request-id"); v != "" {
		h.Set("x-ms-client-request-id", v)
	}
	if f.RetryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(int64(math.Ceil(f.RetryAfter.Seconds())), 10))
	}
	if f.RetryAfterMs > 0 {
		h.Set("x-ms-retry-after-ms", strconv.FormatInt(f.RetryAfterMs.Milliseconds(), 10))
	}
	body := `<?xml version="1.0" encoding="utf-8"?><Error><Code>` + code + `</Code><Message>Fault injected by emulatortest.FaultProxy.
RequestId:` + reqID + `</Message></Error>`
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(f.Status)
	if r.Method != http.MethodHead {
		io.WriteString(w, body)
	}
}

// resetConn takes over the connection and closes it with SO_LINGER 0, so the
// peer gets a TCP RST (ECONNRESET) rather than an orderly end.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	rawConn := conn
	if tc, ok := conn.(*tls.Conn); ok {
		rawConn = tc.NetConn()
	}
	if tcp, ok := rawConn.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	rawConn.Close()
}
