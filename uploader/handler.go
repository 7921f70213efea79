package uploader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/azblobmin/azblobmin/restapi"
)

// Handler stores session recordings in one storage account. It is safe for
// concurrent use; all its state lives in the containers except a cached
// user-delegation key.
type Handler struct {
	cfg    Config
	client *restapi.Client
	signer sourceSigner
	log    *slog.Logger
	now    func() time.Time

	// bufPool recycles Upload's block buffers (*[]byte of cfg.BlockSize)
	// across calls; each call bounds how many it holds.
	bufPool sync.Pool
	// listPageSize is the MaxResults of listings; 0 lets the service
	// choose (5,000). Tests lower it to prove every page is walked.
	listPageSize int
	// maxBlocks caps the blocks of one single-shot write (MaxParts; tests
	// lower it).
	maxBlocks int64
	// batchRefused is set once the service refuses Blob Batch, so later
	// cleanups go straight to single deletes.
	batchRefused atomic.Bool
}

// StreamUpload identifies one multipart upload of a session recording.
type StreamUpload struct {
	// ID is the upload id, a UUID made by CreateUpload.
	ID string
	// SessionID is the session the recording belongs to.
	SessionID string
	// Initiated is when the upload marker was created.
	Initiated time.Time
}

// StreamPart is one uploaded part.
type StreamPart struct {
	// Number is the part number, 1…MaxParts.
	Number int64
	// ETag is the part blob's ETag.
	ETag string
	// LastModified is when the part blob was last written.
	LastModified time.Time
}

// UploadMetadata tells where a session's recording is stored.
type UploadMetadata struct {
	// URL is the recording blob's URL (no SAS).
	URL string
	// SessionID is the session id.
	SessionID string
}

// NewHandler validates cfg, resolves credentials and makes sure both
// containers exist, creating them when missing. A missing permission to
// check or create a container is logged as a warning, not an error: the
// identity may still be allowed to use the container. Wrong credentials
// (authentication failures) are an error.
func NewHandler(ctx context.Context, cfg Config) (*Handler, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	account, err := endpointAccount(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	auth, err := resolveAuthorizer(&cfg, account)
	if err != nil {
		return nil, err
	}
	client, err := restapi.NewClient(cfg.Endpoint, auth, &restapi.Options{
		HTTPClient: cfg.HTTPClient,
		Retry:      cfg.Retry,
		Logger:     cfg.Logger,
		UserAgent:  "uploader",
	})
	if err != nil {
		return nil, fmt.Errorf("create blob client for %s: %w", restapi.RedactURL(cfg.Endpoint), err)
	}
	h := &Handler{
		cfg:       cfg,
		client:    client,
		signer:    newSourceSigner(auth, client, &cfg),
		log:       cfg.Logger.With("component", "uploader"),
		now:       time.Now,
		maxBlocks: MaxParts,
	}
	for _, c := range []string{cfg.InprogressContainer, cfg.SessionContainer} {
		if err := h.ensureContainer(ctx, c); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// ensureContainer checks that container exists and creates it if not.
func (h *Handler) ensureContainer(ctx context.Context, container string) error {
	_, err := h.client.GetContainerProperties(ctx, container)
	if err == nil {
		return nil
	}
	if !isNotFound(err) {
		if isPermissionDenied(err) {
			h.log.WarnContext(ctx, "cannot confirm that the container exists; continuing (grant Microsoft.Storage/storageAccounts/blobServices/containers/read to check it)",
				"container", container, "error", err)
			return nil
		}
		return fmt.Errorf("check container %q: %w", container, err)
	}
	err = h.client.CreateContainer(ctx, container, nil)
	switch {
	case err == nil:
		h.log.InfoContext(ctx, "created container", "container", container)
		return nil
	case errors.Is(err, restapi.ErrAlreadyExists):
		return nil // created by someone else meanwhile
	case isPermissionDenied(err):
		h.log.WarnContext(ctx, "container does not exist and cannot be created; continuing (create it, or grant Microsoft.Storage/storageAccounts/blobServices/containers/write)",
			"container", container, "error", err)
		return nil
	default:
		return fmt.Errorf("create container %q: %w", container, err)
	}
}

// isPermissionDenied reports a 403 that is about authorization (the
// identity lacks a role), as opposed to authentication (a wrong key, a
// bad token, clock skew), which no later call could get past.
func isPermissionDenied(err error) bool {
	var re *restapi.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusForbidden {
		return false
	}
	return !errors.Is(err, restapi.ErrAuthenticationFailed)
}

// GetUploadMetadata returns where the recording of sessionID is (or will
// be) stored. It sends no request.
func (h *Handler) GetUploadMetadata(sessionID string) UploadMetadata {
	return UploadMetadata{URL: h.client.BlobURL(h.cfg.SessionContainer, sessionID), SessionID: sessionID}
}

// Client returns the underlying REST client, for tools that need an
// operation the handler does not offer.
func (h *Handler) Client() *restapi.Client { return h.client }

// Config returns the handler's configuration with defaults applied.
func (h *Handler) Config() Config { return h.cfg }
