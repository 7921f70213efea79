package conformance

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/azblobmin/azblobmin/uploader"
)

// Handler is the method set the suite drives: the session-recording
// multipart handler of the uploader issue (shaped like Teleport's
// events.MultipartHandler) plus AbortUpload. *uploader.Handler satisfies it.
type Handler interface {
	CreateUpload(ctx context.Context, sessionID string) (*uploader.StreamUpload, error)
	ReserveUploadPart(ctx context.Context, upload uploader.StreamUpload, partNumber int64) error
	UploadPart(ctx context.Context, upload uploader.StreamUpload, partNumber int64, part io.ReadSeeker) (*uploader.StreamPart, error)
	ListParts(ctx context.Context, upload uploader.StreamUpload) ([]uploader.StreamPart, error)
	ListUploads(ctx context.Context) ([]uploader.StreamUpload, error)
	CompleteUpload(ctx context.Context, upload uploader.StreamUpload, parts []uploader.StreamPart) error
	Upload(ctx context.Context, sessionID string, r io.Reader) (string, error)
	Download(ctx context.Context, sessionID string, w io.WriterAt) error
	GetUploadMetadata(sessionID string) uploader.UploadMetadata
	AbortUpload(ctx context.Context, upload uploader.StreamUpload) error
}

// Store looks at the storage account directly, bypassing the handler under
// test, so that the suite's checks do not trust the code they check.
// NewRESTStore builds one over a restapi.Client.
type Store interface {
	// List returns the names of the blobs in container whose names begin
	// with prefix, walking every page.
	List(ctx context.Context, container, prefix string) ([]string, error)
	// Read returns the whole content of a blob. found is false (and err
	// nil) when the blob does not exist.
	Read(ctx context.Context, container, blob string) (data []byte, found bool, err error)
}

// Env tells the suite how to build handlers and how to inspect the store.
type Env struct {
	// Name labels the run in logs, e.g. "azurite-sharedkey".
	Name string

	// HTTPClient is the base client for the store: it trusts the store's
	// certificate and does not follow redirects. The suite wraps its
	// Transport (nil means http.DefaultTransport) in a Recorder for every
	// handler it builds, and keeps its CheckRedirect and Timeout.
	HTTPClient *http.Client

	// NewHandler returns a fresh handler (no state shared with earlier
	// ones, as after a process restart) that sends every request through
	// client. It reports failure with t.Fatal. The handler must use
	// SessionContainer and InprogressContainer, and Upload must stage
	// blocks of BlockSize bytes.
	NewHandler func(t testing.TB, client *http.Client) Handler

	// Store reads the account directly for the suite's checks. It should
	// not go through a fault-injecting proxy.
	Store Store

	// SessionContainer and InprogressContainer are the handler's
	// containers (RFD 0140 defaults are "session" and "inprogress").
	SessionContainer    string
	InprogressContainer string

	// SessionContainerURL, when set, is the exact URL of the session
	// container (for example http://127.0.0.1:10000/devstoreaccount1/session);
	// a recording's URL must then be SessionContainerURL + "/" + session id.
	// When empty only the "/<SessionContainer>/<session id>" suffix is checked.
	SessionContainerURL string

	// BlockSize is the block size the handler's Upload stages. The
	// single-shot scenario sends more than ten blocks of it, so keep it
	// small (64 KiB is a good choice) to keep the suite fast.
	BlockSize int64

	// ChildConfig enables RunCrashes: it is handed, as is, to the setup
	// function given to ChildMain in the re-executed test binary, which
	// builds the same kind of handler from it (typically the store's
	// endpoint). It must not hold secrets: it travels in an environment
	// variable.
	ChildConfig string
}

// check reports what is missing from env, so that a mistake in a test's
// set-up reads as such rather than as a handler failure.
func (env Env) check() error {
	var missing []string
	if env.NewHandler == nil {
		missing = append(missing, "NewHandler")
	}
	if env.Store == nil {
		missing = append(missing, "Store")
	}
	if env.SessionContainer == "" {
		missing = append(missing, "SessionContainer")
	}
	if env.InprogressContainer == "" {
		missing = append(missing, "InprogressContainer")
	}
	if env.BlockSize <= 0 {
		missing = append(missing, "BlockSize (the handler's Upload block size; use a small one such as 64 KiB)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("conformance: Env %q is missing %s; set them before calling the suite", env.Name, strings.Join(missing, ", "))
	}
	return nil
}

// mustCheck fails the test at once when env is incomplete.
func (env Env) mustCheck(t testing.TB) {
	t.Helper()
	if err := env.check(); err != nil {
		t.Fatal(err)
	}
}

// baseTransport is the RoundTripper every Recorder of this Env wraps.
func (env Env) baseTransport() http.RoundTripper {
	if env.HTTPClient != nil && env.HTTPClient.Transport != nil {
		return env.HTTPClient.Transport
	}
	return http.DefaultTransport
}

// clientWith returns a client like env.HTTPClient whose transport is rt.
func (env Env) clientWith(rt http.RoundTripper) *http.Client {
	c := &http.Client{Transport: rt}
	if env.HTTPClient != nil {
		c.CheckRedirect = env.HTTPClient.CheckRedirect
		c.Timeout = env.HTTPClient.Timeout
		c.Jar = env.HTTPClient.Jar
	}
	return c
}

// handler builds a fresh handler whose requests go through a new Recorder
// with the given hooks.
func (env Env) handler(t testing.TB, hooks Hooks) (Handler, *Recorder) {
	t.Helper()
	rec := NewRecorder(env.baseTransport(), hooks)
	h := env.NewHandler(t, env.clientWith(rec))
	if h == nil {
		t.Fatalf("conformance: Env %q NewHandler returned nil", env.Name)
	}
	return h, rec
}
