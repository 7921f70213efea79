package uploader

import (
	"errors"
	"fmt"

	"github.com/azblobmin/azblobmin/restapi"
)

var (
	// ErrNotFound reports that a recording, companion object, part or
	// upload does not exist. Errors that wrap it may also wrap the
	// underlying *restapi.ResponseError.
	ErrNotFound = errors.New("not found")

	// ErrAlreadyExists reports that a write-once object (a recording from a
	// different upload, a final summary, metadata, thumbnail, replay object)
	// already exists; its bytes were left untouched.
	ErrAlreadyExists = errors.New("already exists")

	// ErrInvalidArgument reports input rejected before any request was sent
	// (a malformed session id, upload id, part number, object name or
	// configuration value).
	ErrInvalidArgument = errors.New("invalid argument")
)

// invalidf builds an ErrInvalidArgument error. The message must say what is
// allowed; callers never interpolate secrets.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidArgument}, args...)...)
}

// isNotFound reports a 404 from the service.
func isNotFound(err error) bool {
	return errors.Is(err, restapi.ErrNotFound)
}

// isConflict reports the two answers a create-only write (If-None-Match: *)
// gets when the blob exists: 409 BlobAlreadyExists or 412 ConditionNotMet.
func isConflict(err error) bool {
	return errors.Is(err, restapi.ErrAlreadyExists) || errors.Is(err, restapi.ErrConditionNotMet)
}

// notFound wraps a service 404 so that both uploader.ErrNotFound and the
// restapi error (with its status and request id) match.
func notFound(what string, err error) error {
	if err == nil {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w: %w", what, ErrNotFound, err)
}
