package jobs

import (
	"bytes"
	"fmt"
	"log/slog"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/azblobmin/azblobmin/uploader"
)

// CompleteSpec is the completion job: CompleteUpload of Parts parts of
// PartSize bytes (small, so the job measures request cost, not bytes).
type CompleteSpec struct {
	Parts, PartSize int
	// UploadWorkers uploads the parts before the measured window.
	UploadWorkers int
}

// CompleteBench runs CompleteUpload at one concurrency on one target.
type CompleteBench struct {
	h    *uploader.Handler
	log  *phaseLog
	spec CompleteSpec
	data []byte
}

// NewCompleteBench builds a handler with CompleteConcurrency conc.
func NewCompleteBench(t Target, spec CompleteSpec, conc int) (*CompleteBench, error) {
	if t.IsSink() {
		return nil, fmt.Errorf("complete: needs a real service (the sink cannot compose)")
	}
	pl := newPhaseLog()
	h, err := newOurHandler(t, oursSession, oursInprogress, func(c *uploader.Config) {
		c.CompleteConcurrency = conc
		c.Logger = slog.New(pl)
	})
	if err != nil {
		return nil, err
	}
	return &CompleteBench{h: h, log: pl, spec: spec, data: Data(spec.PartSize)}, nil
}

// Round uploads the parts of a fresh upload (not timed), then times
// CompleteUpload: staging every part with Put Block From URL, Put Block
// List, and the cleanup of parts and marker. The recording is deleted
// afterwards (not timed). It also returns the time per REST operation
// within CompleteUpload.
func (c *CompleteBench) Round() (time.Duration, map[string]Phase, error) {
	ctx := bg()
	session := newSession()
	up, err := c.h.CreateUpload(ctx, session)
	if err != nil {
		return 0, nil, err
	}
	parts := make([]uploader.StreamPart, c.spec.Parts)
	err = parallel(c.spec.Parts, max(1, c.spec.UploadWorkers), func(i int) error {
		p, err := c.h.UploadPart(ctx, *up, int64(i+1), bytes.NewReader(c.data))
		if err != nil {
			return err
		}
		parts[i] = *p
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	c.log.reset()
	t0 := time.Now()
	if err := c.h.CompleteUpload(ctx, *up, parts); err != nil {
		return 0, nil, err
	}
	d := time.Since(t0)
	phases := c.log.snapshot()
	if err := c.h.Client().DeleteBlob(ctx, oursSession, session, nil); err != nil {
		return 0, nil, fmt.Errorf("delete the recording: %w", err)
	}
	return d, phases, nil
}

// SDKCompleteBench completes an upload the way Teleport's Azure session
// storage does with the SDK (see sdkCompose), at a given concurrency
// (Teleport's is 5).
type SDKCompleteBench struct {
	inprog, sess *container.Client
	cred         *container.SharedKeyCredential
	spec         CompleteSpec
	conc         int
	data         []byte
}

// NewSDKCompleteBench builds the SDK clients on t.
func NewSDKCompleteBench(t Target, spec CompleteSpec, conc int) (*SDKCompleteBench, error) {
	if t.IsSink() {
		return nil, fmt.Errorf("complete: needs a real service (the sink cannot compose)")
	}
	inprog, cred, err := newSDKContainer(t, sdkInprogress)
	if err != nil {
		return nil, err
	}
	sess, _, err := newSDKContainer(t, sdkSession)
	if err != nil {
		return nil, err
	}
	return &SDKCompleteBench{inprog: inprog, sess: sess, cred: cred, spec: spec, conc: conc, data: Data(spec.PartSize)}, nil
}

// Round uploads the marker and parts with the SDK (not timed), then times
// the completion, then deletes the recording (not timed).
func (c *SDKCompleteBench) Round() (time.Duration, error) {
	ctx := bg()
	session, upload := newSession(), newSession()
	marker := c.inprog.NewBlockBlobClient("upload/" + session + "/" + upload)
	if _, err := marker.Upload(ctx, streaming.NopCloser(bytes.NewReader(nil)), nil); err != nil {
		return 0, err
	}
	partName := func(i int) string { return fmt.Sprintf("part/%s/%s/%d", session, upload, i+1) }
	err := parallel(c.spec.Parts, max(1, c.spec.UploadWorkers), func(i int) error {
		_, err := c.inprog.NewBlockBlobClient(partName(i)).Upload(ctx, streaming.NopCloser(bytes.NewReader(c.data)), nil)
		return err
	})
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	if err := sdkCompose(ctx, c.inprog, c.sess, c.cred, session, marker, c.spec.Parts, partName, c.conc); err != nil {
		return 0, err
	}
	d := time.Since(t0)
	if _, err := c.sess.NewBlobClient(session).Delete(ctx, nil); err != nil {
		return 0, fmt.Errorf("delete the recording: %w", err)
	}
	return d, nil
}
