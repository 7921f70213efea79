package jobs

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/azblobmin/azblobmin/uploader"
)

// StreamSpec is the single-shot upload job: a stream of unknown length
// (a pipe) cut into BlockSize blocks, Concurrency blocks in flight.
type StreamSpec struct {
	BlockSize   int64
	Concurrency int
}

// HeapBound is the peak-heap bound the job is held to:
// BlockSize × (Concurrency + 2) — Concurrency blocks in flight, one being
// filled, and one block's worth of slack for everything else.
func (s StreamSpec) HeapBound() int64 { return s.BlockSize * int64(s.Concurrency+2) }

// streamRunner holds what a variant set up before the measured window.
type streamRunner struct {
	run     func(r io.Reader) error
	cleanup func() error
	// container and blob name what was written (on a real service).
	container, blob string
}

func prepareStream(impl string, t Target, spec StreamSpec) (*streamRunner, error) {
	switch impl {
	case "ours":
		return prepareStreamOurs(t, spec)
	case "sdk":
		return prepareStreamSDK(t, spec)
	case "floor":
		if !t.IsSink() {
			return nil, fmt.Errorf("stream: the floor sends unsigned requests, only to the sink")
		}
		return prepareStreamFloor(t, spec)
	}
	return nil, fmt.Errorf("stream: unknown implementation %q", impl)
}

// prepareStreamOurs: uploader.Handler.Upload (create-only, CRC-64 on every
// block).
func prepareStreamOurs(t Target, spec StreamSpec) (*streamRunner, error) {
	h, err := newOurHandler(t, oursSession, oursInprogress, func(c *uploader.Config) {
		c.BlockSize = spec.BlockSize
		c.UploadConcurrency = spec.Concurrency
	})
	if err != nil {
		return nil, err
	}
	session := newSession()
	return &streamRunner{
		run: func(r io.Reader) error {
			_, err := h.Upload(bg(), session, r)
			return err
		},
		cleanup: func() error {
			if t.IsSink() {
				return nil
			}
			return h.Client().DeleteBlob(bg(), oursSession, session, nil)
		},
		container: oursSession, blob: session,
	}, nil
}

// prepareStreamSDK: blockblob.Client.UploadStream with the same block size
// and concurrency, a computed CRC-64 per block, create-only.
func prepareStreamSDK(t Target, spec StreamSpec) (*streamRunner, error) {
	sess, _, err := newSDKContainer(t, sdkSession)
	if err != nil {
		return nil, err
	}
	session := newSession()
	anyETag := azcore.ETagAny
	return &streamRunner{
		run: func(r io.Reader) error {
			_, err := sess.NewBlockBlobClient(session).UploadStream(bg(), r, &blockblob.UploadStreamOptions{
				BlockSize:               spec.BlockSize,
				Concurrency:             spec.Concurrency,
				TransactionalValidation: blob.TransferValidationTypeComputeCRC64(),
				AccessConditions:        &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: &anyETag}},
			})
			return err
		},
		cleanup: func() error {
			if t.IsSink() {
				return nil
			}
			_, err := sess.NewBlobClient(session).Delete(bg(), nil)
			return err
		},
		container: sdkSession, blob: session,
	}, nil
}

// prepareStreamFloor: the same cut into blocks with plain net/http — a
// pool of Concurrency+1 buffers, Concurrency PUTs in flight, one final
// small PUT standing for the commit — with no checksum and no signature.
func prepareStreamFloor(t Target, spec StreamSpec) (*streamRunner, error) {
	hc := floorClient()
	base := strings.TrimSuffix(t.Endpoint, "/") + "/" + floorContainer + "/stream"
	put := func(url string, body []byte) error {
		req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("floor: %s", resp.Status)
		}
		return nil
	}
	return &streamRunner{
		run: func(r io.Reader) error {
			free := make(chan []byte, spec.Concurrency+1)
			for range spec.Concurrency + 1 {
				free <- make([]byte, spec.BlockSize)
			}
			var (
				wg    sync.WaitGroup
				mu    sync.Mutex
				first error
				sem   = make(chan struct{}, spec.Concurrency)
			)
			for n := 0; ; n++ {
				buf := <-free
				m, err := io.ReadFull(r, buf)
				if m > 0 {
					sem <- struct{}{}
					wg.Add(1)
					go func() {
						defer wg.Done()
						if perr := put(fmt.Sprintf("%s?comp=block&n=%d", base, n), buf[:m]); perr != nil {
							mu.Lock()
							first = perr
							mu.Unlock()
						}
						<-sem
						free <- buf
					}()
				}
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					break
				}
				if err != nil {
					wg.Wait()
					return err
				}
			}
			wg.Wait()
			if first != nil {
				return first
			}
			return put(base+"?comp=blocklist", []byte("<BlockList/>"))
		},
		cleanup: func() error { return nil },
	}, nil
}
