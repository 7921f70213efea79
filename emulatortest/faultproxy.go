package emulatortest

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// FaultKind names one way the FaultProxy misbehaves.
type FaultKind string

// The kinds of fault. The zero Fault (FaultNone) forwards the request
// untouched.
const (
	// FaultNone forwards the request and streams the answer back.
	FaultNone FaultKind = ""
	// FaultStatus answers Fault.Status itself (500, 503, 429, ...) with an
	// Azure-style XML error; the upstream never sees the request.
	FaultStatus FaultKind = "status"
	// FaultResetBefore resets the TCP connection (RST) before the request
	// reaches the upstream.
	FaultResetBefore FaultKind = "reset-before"
	// FaultResetAfter forwards the request, lets the upstream answer, then
	// resets the connection instead of relaying the answer: the operation
	// happened, and the client never learns its outcome.
	FaultResetAfter FaultKind = "reset-after"
	// FaultCutBody forwards the request and relays the answer's status and
	// headers with its full Content-Length, then only the first half of the
	// body, then closes the connection. Answers without a body (HEAD, 201
	// Created, ...) cannot be cut and get FaultResetAfter instead, counted
	// as such.
	FaultCutBody FaultKind = "cut-body"
	// FaultStall holds the request for Fault.Stall without answering, then
	// forwards it. If the client gives up first (its per-try timeout or
	// context), the upstream never sees the request.
	FaultStall FaultKind = "stall"
)

// Fault is what the proxy does with one request.
type Fault struct {
	Kind FaultKind
	// Status is the HTTP status a FaultStatus answers with.
	Status int
	// RetryAfter, when positive, adds "Retry-After: <seconds>" (rounded up)
	// to a FaultStatus answer.
	RetryAfter time.Duration
	// RetryAfterMs, when positive, adds "x-ms-retry-after-ms" to a
	// FaultStatus answer.
	RetryAfterMs time.Duration
	// Stall is how long a FaultStall holds the request.
	Stall time.Duration
}

// Label names the fault in Stats, for example "503+Retry-After" or
// "reset-after".
func (f Fault) Label() string {
	switch f.Kind {
	case FaultNone:
		return "none"
	case FaultStatus:
		l := strconv.Itoa(f.Status)
		if f.RetryAfter > 0 {
			l += "+Retry-After"
		}
		if f.RetryAfterMs > 0 {
			l += "+x-ms-retry-after-ms"
		}
		return l
	default:
		return string(f.Kind)
	}
}

// Convenience faults for hooks and mixes.
var (
	// Fault500 is a 500 InternalError without Retry-After.
	Fault500 = Fault{Kind: FaultStatus, Status: http.StatusInternalServerError}
	// Fault503 is a 503 ServerBusy without Retry-After.
	Fault503 = Fault{Kind: FaultStatus, Status: http.StatusServiceUnavailable}
	// Fault503RetryAfter is a 503 ServerBusy with "Retry-After: 1".
	Fault503RetryAfter = Fault{Kind: FaultStatus, Status: http.StatusServiceUnavailable, RetryAfter: time.Second}
	// Fault429RetryAfterMs is a 429 with "x-ms-retry-after-ms: 50".
	Fault429RetryAfterMs = Fault{Kind: FaultStatus, Status: http.StatusTooManyRequests, RetryAfterMs: 50 * time.Millisecond}
	// FaultReset resets the connection before the upstream sees the request.
	FaultReset = Fault{Kind: FaultResetBefore}
	// FaultLostAnswer lets the upstream act, then resets the connection.
	FaultLostAnswer = Fault{Kind: FaultResetAfter}
	// FaultHalfBody relays half the answer's body, then closes.
	FaultHalfBody = Fault{Kind: FaultCutBody}
)

// DefaultFaultMix is what a rate-driven proxy draws from when
// FaultProxyOptions.Mix is empty: every kind except FaultStall, whose
// duration must be chosen against the client's per-try timeout
// (add Fault{Kind: FaultStall, Stall: d} to Mix for it).
func DefaultFaultMix() []Fault {
	return []Fault{Fault500, Fault503, Fault503RetryAfter, Fault429RetryAfterMs, FaultReset, FaultLostAnswer, FaultHalfBody}
}

// FaultProxyOptions configure a FaultProxy.
type FaultProxyOptions struct {
	// Hook, when set, decides every request's fault; Rate and Mix are then
	// used only through (*FaultProxy).Draw, which a hook may call. Hooks run
	// concurrently and must not read the request body.
	Hook func(*http.Request) Fault
	// Rate is the probability, 0 to 1, that a request gets a fault drawn
	// uniformly from Mix.
	Rate float64
	// Seed makes the draws reproducible (with the same request order).
	Seed uint64
	// Mix is the set faults are drawn from; empty means DefaultFaultMix().
	Mix []Fault
	// UpstreamTLS is the client TLS config for an https upstream (for
	// Azurite: its HTTPClient's TLSClientConfig).
	UpstreamTLS *tls.Config
	// ServeTLS makes the proxy itself serve HTTPS with a fresh self-signed
	// certificate (needed for bearer tokens, which never go over http); the
	// proxy's HTTPClient trusts it.
	ServeTLS bool
	// MaxCutBuffer bounds how much of an answer of unknown length a
	// FaultCutBody buffers to learn its length; 0 means 64 MiB.
	MaxCutBuffer int64
}

// FaultStats is a snapshot of a FaultProxy's counters.
type FaultStats struct {
	// Requests is every request the proxy received.
	Requests int64
	// Forwarded is how many requests were sent to the upstream (including
	// any that then failed: see UpstreamErrors).
	Forwarded int64
	// UpstreamErrors counts forwards that failed to get an answer
	// (answered 502 by the proxy), including ones the client abandoned.
	UpstreamErrors int64
	// Faults counts injected faults by Fault.Label.
	Faults map[string]int64
}

// TotalFaults is the sum of Faults.
func (s FaultStats) TotalFaults() int64 {
	var n int64
	for _, v := range s.Faults {
		n += v
	}
	return n
}

// String summarises the counters on one line, labels sorted.
func (s FaultStats) String() string {
	labels := make([]string, 0, len(s.Faults))
	for l := range s.Faults {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	var b strings.Builder
	fmt.Fprintf(&b, "requests=%d forwarded=%d upstream_errors=%d faults=%d", s.Requests, s.Forwarded, s.UpstreamErrors, s.TotalFaults())
	for _, l := range labels {
		fmt.Fprintf(&b, " %s=%d", l, s.Faults[l])
	}
	return b.String()
}

// FaultProxy is a reverse proxy on a loopback port that forwards requests
// to an upstream (normally Azurite) unchanged, except for the faults it is
// told to inject.
//
// Requests are forwarded byte for byte: method, the raw path and query as
// received, every end-to-end header, and the Host header as the client sent
// it (the proxy's own host:port). Keeping Host matters: SharedKey does not
// sign it, but Azurite's Put Block From URL only accepts a copy source on
// the host the request was addressed to, and the client builds the source
// URL from the proxy's endpoint.
type FaultProxy struct {
	// HTTPClient reaches the proxy: it never follows redirects and, with
	// ServeTLS, trusts exactly the proxy's certificate.
	HTTPClient *http.Client
	// CACertPEM is the proxy's certificate (ServeTLS only).
	CACertPEM []byte

	upstream   *url.URL
	scheme     string
	addr       string
	transport  *http.Transport
	server     *http.Server
	listener   net.Listener
	maxCut     int64
	closed     chan struct{}
	closeOnce  sync.Once
	requests   atomic.Int64
	forwarded  atomic.Int64
	upstreamEr atomic.Int64

	mu     sync.Mutex // guards the fields below
	hook   func(*http.Request) Fault
	rate   float64
	mix    []Fault
	rng    *mrand.Rand
	faults map[string]int64
}

// NewFaultProxy starts a proxy in front of upstream, an http(s) URL whose
// scheme and host:port receive the traffic (its path only shapes
// Endpoint). The caller must Close it; tests should use StartFaultProxy.
func NewFaultProxy(upstream string, opts FaultProxyOptions) (*FaultProxy, error) {
	u, err := url.Parse(upstream)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("emulatortest: fault proxy upstream %q must be an http(s) URL with a host", upstream)
	}
	if opts.Rate < 0 || opts.Rate > 1 || math.IsNaN(opts.Rate) {
		return nil, fmt.Errorf("emulatortest: fault rate %v must be between 0 and 1", opts.Rate)
	}
	mix := opts.Mix
	if len(mix) == 0 {
		mix = DefaultFaultMix()
	}
	if err := validateMix(mix); err != nil {
		return nil, err
	}
	p := &FaultProxy{
		upstream: u,
		scheme:   "http",
		maxCut:   opts.MaxCutBuffer,
		closed:   make(chan struct{}),
		hook:     opts.Hook,
		rate:     opts.Rate,
		mix:      append([]Fault(nil), mix...),
		rng:      mrand.New(mrand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		faults:   map[string]int64{},
	}
	if p.maxCut <= 0 {
		p.maxCut = 64 << 20
	}
	p.transport = &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     opts.UpstreamTLS,
		DisableCompression:  true, // relay Accept-Encoding and bodies exactly as sent
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     30 * time.Second,
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("emulatortest: fault proxy listen: %w", err)
	}
	var clientTLS *tls.Config
	if opts.ServeTLS {
		cert, err := newSelfSigned(48 * time.Hour)
		if err != nil {
			l.Close()
			return nil, err
		}
		kp, err := tls.X509KeyPair(cert.certPEM, cert.keyPEM)
		if err != nil {
			l.Close()
			return nil, fmt.Errorf("emulatortest: fault proxy certificate: %w", err)
		}
		// HTTP/1.1 only: faults need to hijack the connection.
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{kp}, NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12})
		p.scheme = "https"
		p.CACertPEM = cert.certPEM
		clientTLS = cert.tlsConfig()
	}
	p.listener = l
	p.addr = l.Addr().String()
	p.HTTPClient = newNoRedirectClient(clientTLS)
	p.server = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 30 * time.Second,
		// Hijacked and reset connections are the point here, not news.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go p.server.Serve(l)
	return p, nil
}

func validateMix(mix []Fault) error {
	for _, f := range mix {
		switch f.Kind {
		case FaultStatus:
			if f.Status < 100 || f.Status > 999 {
				return fmt.Errorf("emulatortest: fault %q needs a Status between 100 and 999", f.Label())
			}
		case FaultStall:
			if f.Stall <= 0 {
				return errors.New("emulatortest: a stall fault needs a positive Stall duration")
			}
		case FaultNone, FaultResetBefore, FaultResetAfter, FaultCutBody:
		default:
			return fmt.Errorf("emulatortest: unknown fault kind %q", f.Kind)
		}
	}
	return nil
}

// StartFaultProxy starts a proxy in front of upstream for the test and
// closes it at cleanup; bad options fail the test.
func StartFaultProxy(t testing.TB, upstream string, opts FaultProxyOptions) *FaultProxy {
	t.Helper()
	p, err := NewFaultProxy(upstream, opts)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// StartFaultProxy starts a proxy in front of this emulator for the test:
// over HTTPS (with its own certificate) when the emulator is HTTPS, trusting
// the emulator's certificate upstream.
func (e *Emulator) StartFaultProxy(t testing.TB, opts FaultProxyOptions) *FaultProxy {
	t.Helper()
	if strings.HasPrefix(e.Endpoint, "https:") {
		opts.ServeTLS = true
		if tr, ok := e.HTTPClient.Transport.(*http.Transport); ok && opts.UpstreamTLS == nil {
			opts.UpstreamTLS = tr.TLSClientConfig
		}
	}
	return StartFaultProxy(t, e.Endpoint, opts)
}

// Endpoint is the upstream URL with the proxy's scheme and host:port, for
// example http://127.0.0.1:PROXYPORT/devstoreaccount1 in front of Azurite.
func (p *FaultProxy) Endpoint() string {
	return p.scheme + "://" + p.addr + strings.TrimSuffix(p.upstream.EscapedPath(), "/")
}

// Addr is the proxy's host:port.
func (p *FaultProxy) Addr() string { return p.addr }

// SetHook replaces the hook (nil returns to rate-driven faults).
func (p *FaultProxy) SetHook(h func(*http.Request) Fault) {
	p.mu.Lock()
	p.hook = h
	p.mu.Unlock()
}

// SetRate changes the fault rate (clamped to 0..1), for example to turn
// faults off while a test checks its results.
func (p *FaultProxy) SetRate(rate float64) {
	p.mu.Lock()
	p.rate = math.Min(1, math.Max(0, rate))
	p.mu.Unlock()
}

// Draw returns a fault from the mix with probability Rate, else the zero
// Fault, using the seeded generator.
func (p *FaultProxy) Draw() Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.drawLocked()
}

func (p *FaultProxy) drawLocked() Fault {
	if p.rate <= 0 || p.rng.Float64() >= p.rate {
		return Fault{}
	}
	return p.mix[p.rng.IntN(len(p.mix))]
}

func (p *FaultProxy) decide(r *http.Request) Fault {
	p.mu.Lock()
	hook := p.hook
	if hook == nil {
		f := p.drawLocked()
		p.mu.Unlock()
		return f
	}
	p.mu.Unlock()
	return hook(r)
}

func (p *FaultProxy) count(label string) {
	p.mu.Lock()
	p.faults[label]++
	p.mu.Unlock()
}

// Stats returns a snapshot of the counters.
func (p *FaultProxy) Stats() FaultStats {
	p.mu.Lock()
	faults := make(map[string]int64, len(p.faults))
	for k, v := range p.faults {
		faults[k] = v
	}
	p.mu.Unlock()
	return FaultStats{
		Requests:       p.requests.Load(),
		Forwarded:      p.forwarded.Load(),
		UpstreamErrors: p.upstreamEr.Load(),
		Faults:         faults,
	}
}

// Close stops the proxy, ends stalls, and closes every connection.
func (p *FaultProxy) Close() error {
	var err error
	p.closeOnce.Do(func() {
		close(p.closed)
		err = p.server.Close()
		p.transport.CloseIdleConnections()
		p.HTTPClient.CloseIdleConnections()
	})
	return err
}
