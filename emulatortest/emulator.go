package emulatortest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for Options fields left zero.
const (
	// DefaultStartupTimeout bounds the wait for Azurite to answer. It is a
	// readiness bound for slow CI machines, not a performance assertion;
	// Azurite normally answers within a second.
	DefaultStartupTimeout = 60 * time.Second
	// DefaultStopGrace is how long Stop waits after each gentler step
	// (closing stdin, then SIGTERM) before the next, harsher one.
	DefaultStopGrace = 3 * time.Second
)

// logTailBytes is how much of Azurite's output a failure message quotes.
const logTailBytes = 4 << 10

// Options configure StartProcess. The zero value starts a plain-HTTP
// emulator on a free loopback port in a fresh temporary directory.
type Options struct {
	// HTTPS serves TLS with a self-signed certificate made at start and
	// enables Azurite's bearer-token checks (--oauth basic).
	HTTPS bool
	// Port is the port to listen on; 0 picks a free one (and retries with
	// another if Azurite loses the race for it).
	Port int
	// Dir is Azurite's working directory. "" makes a temporary directory
	// that Stop removes.
	Dir string
	// StartupTimeout bounds the wait until Azurite answers;
	// 0 means DefaultStartupTimeout.
	StartupTimeout time.Duration
	// StopGrace is the pause between stop steps; 0 means DefaultStopGrace.
	StopGrace time.Duration
	// ExtraArgs are appended to the azurite-blob command line (for example
	// "--extentMemoryLimit", "512"). Never pass --location: Azurite refuses it
	// together with --inMemoryPersistence.
	ExtraArgs []string
	// NodePath and AzuritePath override discovery of node and of the
	// azurite-blob entry point.
	NodePath, AzuritePath string
	// Log, when set, also receives Azurite's stdout and stderr.
	Log io.Writer
}

// Emulator is a running Azurite Blob service.
type Emulator struct {
	// Endpoint is the path-style account endpoint,
	// http(s)://127.0.0.1:PORT/devstoreaccount1, without a trailing slash.
	Endpoint string
	// AccountName and AccountKey are Azurite's well-known development
	// account (DevAccountName, DevAccountKey).
	AccountName, AccountKey string
	// HTTPClient never follows redirects and, in HTTPS mode, trusts exactly
	// the emulator's certificate.
	HTTPClient *http.Client
	// CACertPEM is the emulator's self-signed certificate (HTTPS mode only).
	CACertPEM []byte
	// CACertFile is a file holding CACertPEM, for tools that read a path
	// such as SSL_CERT_FILE (HTTPS mode only).
	CACertFile string
	// Host is 127.0.0.1:PORT.
	Host string
	// Port is the port Azurite listens on.
	Port int
	// StartupDuration is how long Azurite took from exec to answering.
	StartupDuration time.Duration

	cmd      *exec.Cmd
	stdin    io.WriteCloser
	logs     *tailBuffer
	done     chan struct{} // closed when the process has exited
	waitErr  error         // valid after done is closed
	grace    time.Duration
	ownDir   string // removed by Stop when non-empty
	stopping atomic.Bool
	stopOnce sync.Once
	stopErr  error
}

// watchdogJS is preloaded into node. Go holds the write end of node's stdin
// for the emulator's lifetime; when the test binary exits for any reason
// (including a panic or SIGKILL that skips every cleanup) the kernel closes
// it and Azurite exits instead of lingering as an orphan on a port.
const watchdogJS = `// Written by azblobmin emulatortest: exit when the Go process that started us is gone.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
`

// StartProcess starts Azurite and waits until it answers HTTP requests.
// The caller must call Stop. Tests should use Start or StartHTTPS instead,
// which stop it at cleanup.
func StartProcess(opts Options) (*Emulator, error) {
	node, err := findNode(opts.NodePath)
	if err != nil {
		return nil, err
	}
	azurite, err := findAzurite(opts.AzuritePath)
	if err != nil {
		return nil, err
	}
	dir, ownDir := opts.Dir, ""
	if dir == "" {
		if dir, err = os.MkdirTemp("", "azblobmin-azurite-"); err != nil {
			return nil, fmt.Errorf("emulatortest: making Azurite's working directory: %w", err)
		}
		ownDir = dir
	}
	e, err := startWithRetries(node, azurite, dir, opts)
	if err != nil {
		if ownDir != "" {
			os.RemoveAll(ownDir)
		}
		return nil, err
	}
	e.ownDir = ownDir
	return e, nil
}

// startWithRetries covers the window between picking a free port and
// Azurite binding it, in which another process may take it.
func startWithRetries(node, azurite, dir string, opts Options) (*Emulator, error) {
	const attempts = 5
	var lastErr error
	for i := 0; i < attempts; i++ {
		port := opts.Port
		if port == 0 {
			p, err := freePort()
			if err != nil {
				return nil, err
			}
			port = p
		}
		e, err := startOnce(node, azurite, dir, port, opts)
		if err == nil {
			return e, nil
		}
		lastErr = err
		if opts.Port != 0 || !errors.Is(err, errAddrInUse) {
			break
		}
	}
	return nil, lastErr
}

var errAddrInUse = errors.New("address already in use")

// freePort asks the kernel for an unused loopback port. It is released
// before Azurite binds it, hence the retries in startWithRetries.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("emulatortest: finding a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startOnce(node, azurite, dir string, port int, opts Options) (*Emulator, error) {
	scheme := "http"
	args := []string{}
	watchdog := filepath.Join(dir, "azblobmin-watchdog.js")
	if err := os.WriteFile(watchdog, []byte(watchdogJS), 0o644); err != nil {
		return nil, fmt.Errorf("emulatortest: writing the Azurite watchdog: %w", err)
	}
	args = append(args, "--require", watchdog, azurite,
		"--blobHost", "127.0.0.1",
		"--blobPort", strconv.Itoa(port),
		"--inMemoryPersistence",
		"--silent",
		"--disableTelemetry",
	)
	e := &Emulator{
		AccountName: DevAccountName,
		AccountKey:  DevAccountKey,
		Host:        net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Port:        port,
		logs:        newTailBuffer(64 << 10),
		done:        make(chan struct{}),
		grace:       opts.StopGrace,
	}
	if e.grace <= 0 {
		e.grace = DefaultStopGrace
	}
	var tlsConf *tls.Config
	if opts.HTTPS {
		scheme = "https"
		cert, err := newSelfSigned(48 * time.Hour)
		if err != nil {
			return nil, err
		}
		certFile, keyFile, err := cert.writeFiles(dir)
		if err != nil {
			return nil, err
		}
		args = append(args, "--cert", certFile, "--key", keyFile, "--oauth", "basic")
		e.CACertPEM = cert.certPEM
		e.CACertFile = certFile
		tlsConf = cert.tlsConfig()
	}
	args = append(args, opts.ExtraArgs...)
	e.Endpoint = scheme + "://" + e.Host + "/" + DevAccountName
	e.HTTPClient = newNoRedirectClient(tlsConf)

	cmd := exec.Command(node, args...)
	cmd.Dir = dir
	var out io.Writer = e.logs
	if opts.Log != nil {
		out = io.MultiWriter(e.logs, opts.Log)
	}
	cmd.Stdout, cmd.Stderr = out, out
	// Settings from the developer's shell must not change the emulator the
	// tests rely on: AZURITE_ACCOUNTS replaces the well-known account,
	// AZURITE_DB switches to SQL storage, AZURITE_SKIP_API_VERSION_CHECK
	// hides version bugs, NODE_OPTIONS can add --inspect and the like.
	cmd.Env = filterEnv(os.Environ(), "AZURITE_", "NODE_OPTIONS=", "NODE_ENV=")
	cmd.WaitDelay = 2 * time.Second
	setProcessGroup(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("emulatortest: connecting Azurite's stdin: %w", err)
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("emulatortest: starting Azurite (%s %s): %w; %s", node, azurite, err, fixHint)
	}
	e.cmd, e.stdin = cmd, stdin
	go func() {
		e.waitErr = cmd.Wait()
		close(e.done)
	}()

	timeout := opts.StartupTimeout
	if timeout <= 0 {
		timeout = DefaultStartupTimeout
	}
	if err := e.waitReady(timeout); err != nil {
		e.Stop()
		return nil, err
	}
	e.StartupDuration = time.Since(began)
	return e, nil
}

// waitReady polls until Azurite answers on the account endpoint (any HTTP
// status, from a server that names itself Azurite), the process exits, or
// timeout passes.
func (e *Emulator) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	probe := e.Endpoint + "?comp=list"
	var lastErr error
	for {
		select {
		case <-e.done:
			logs := e.logs.tail(logTailBytes)
			if strings.Contains(logs, "EADDRINUSE") {
				return fmt.Errorf("emulatortest: Azurite could not bind %s: %w", e.Host, errAddrInUse)
			}
			return fmt.Errorf("emulatortest: Azurite exited before answering (%v); its output:\n%s", e.waitErr, logs)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, probe, nil)
		if err != nil {
			cancel()
			return fmt.Errorf("emulatortest: building readiness probe: %w", err)
		}
		resp, err := e.HTTPClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			cancel()
			server := resp.Header.Get("Server")
			if strings.HasPrefix(server, "Azurite") {
				return nil
			}
			// Another program took the port between our pick and Azurite's
			// bind; Azurite will exit with EADDRINUSE and be started again.
			err = fmt.Errorf("a server that is not Azurite answered (HTTP %d, Server %q)", resp.StatusCode, server)
		}
		cancel()
		lastErr = err
		// A certificate the client rejects will never start verifying; say so
		// at once instead of waiting out the timeout.
		var verr *tls.CertificateVerificationError
		var uerr x509.UnknownAuthorityError
		var herr x509.HostnameError
		if errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr) {
			return fmt.Errorf("emulatortest: Azurite's TLS certificate was rejected: %w", err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("emulatortest: Azurite did not answer on %s within %v (last error: %v); its output:\n%s",
				e.Endpoint, timeout, lastErr, e.logs.tail(logTailBytes))
		}
		select {
		case <-e.done:
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// Stop ends Azurite: it closes the watchdog's stdin, then sends SIGTERM,
// then SIGKILL to the process group, waiting DefaultStopGrace (or
// Options.StopGrace) between steps, and removes the working directory it
// created. It returns an error only if Azurite had died on its own before
// Stop, quoting its output. Calling Stop again returns the first result.
func (e *Emulator) Stop() error {
	e.stopOnce.Do(func() { e.stopErr = e.stop() })
	return e.stopErr
}

func (e *Emulator) stop() error {
	var crashed error
	select {
	case <-e.done:
		if !e.stopping.Load() {
			crashed = fmt.Errorf("emulatortest: Azurite on %s exited on its own before Stop (%v); its output:\n%s",
				e.Host, e.waitErr, e.logs.tail(logTailBytes))
		}
	default:
	}
	e.stopping.Store(true)
	if e.HTTPClient != nil {
		e.HTTPClient.CloseIdleConnections()
	}
	if e.cmd != nil && e.cmd.Process != nil {
		e.stdin.Close()
		if !e.waitExit(e.grace) {
			terminateGroup(e.cmd)
			if !e.waitExit(e.grace) {
				killGroup(e.cmd)
				<-e.done
			}
		}
		// Anything node spawned shares its group; make sure none survives.
		killGroup(e.cmd)
	}
	if e.ownDir != "" {
		os.RemoveAll(e.ownDir)
	}
	return crashed
}

func (e *Emulator) waitExit(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-e.done:
		return true
	case <-t.C:
		return false
	}
}

// Logs returns the tail of Azurite's combined stdout and stderr.
func (e *Emulator) Logs() string { return e.logs.tail(64 << 10) }

// ConnectionString returns a connection string for the emulator's account
// with an explicit BlobEndpoint (the path-style endpoint).
func (e *Emulator) ConnectionString() string {
	scheme := "http"
	if strings.HasPrefix(e.Endpoint, "https:") {
		scheme = "https"
	}
	return "DefaultEndpointsProtocol=" + scheme + ";AccountName=" + e.AccountName +
		";AccountKey=" + e.AccountKey + ";BlobEndpoint=" + e.Endpoint + ";"
}

// newNoRedirectClient returns a client with its own transport (no shared
// global state) that hands redirects back to the caller instead of
// following them, so credentials never travel to another host.
func newNoRedirectClient(tlsConf *tls.Config) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // loopback emulator; an HTTP(S)_PROXY in the environment must not intercept it
	if tlsConf != nil {
		tr.TLSClientConfig = tlsConf
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// filterEnv drops the entries that start with any of the given prefixes.
func filterEnv(env []string, drop ...string) []string {
	out := env[:0:0]
	for _, kv := range env {
		keep := true
		for _, d := range drop {
			if strings.HasPrefix(kv, d) {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}
