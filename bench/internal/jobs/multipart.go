package jobs

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/sharedkey"
	"github.com/azblobmin/azblobmin/uploader"
)

// MultipartSpec is the multipart recording job: Parts parts of PartSize
// bytes with CRC-64, Workers part uploads at a time. Compose adds the
// completion (server-side compose and cleanup), which only a real service
// can do; CompleteConcurrency is the completion's parallelism, the same
// for both clients.
type MultipartSpec struct {
	Parts, PartSize, Workers int
	Compose                  bool
	CompleteConcurrency      int
}

// azureCRC64 is the table of Azure's CRC-64 polynomial.
var azureCRC64 = sync.OnceValue(func() *crc64.Table { return crc64.MakeTable(0x9A6C9329AC4BC9B5) })

// The containers of the multipart job, distinct per client so neither sees
// the other's blobs.
const (
	oursSession, oursInprogress = "session", "inprogress"
	sdkSession, sdkInprogress   = "sdk-session", "sdk-inprogress"
	floorContainer              = "floor"
)

// multipartRunner holds what a variant set up before the measured window.
type multipartRunner struct {
	run     func() error // the measured job
	cleanup func() error // after the window: delete what the job left
	// container and blob name the composed recording (with Compose).
	container, blob string
}

// prepareMultipart builds impl's clients on t and returns the measured job.
// data is the part content, held once in memory by every variant (a
// recorder has the part it uploads in memory).
func prepareMultipart(impl string, t Target, spec MultipartSpec, data []byte) (*multipartRunner, error) {
	if spec.Compose && t.IsSink() {
		return nil, fmt.Errorf("multipart: the sink cannot compose a recording; measure the parts only")
	}
	switch impl {
	case "ours":
		return prepareMultipartOurs(t, spec, data)
	case "sdk":
		return prepareMultipartSDK(t, spec, data)
	case "floor":
		if !t.IsSink() {
			return nil, fmt.Errorf("multipart: the floor sends unsigned requests, only to the sink")
		}
		return prepareMultipartFloor(t, spec, data, false)
	case "floorcrc":
		if spec.Compose {
			return nil, fmt.Errorf("multipart: the floor cannot compose; measure the parts only")
		}
		return prepareMultipartFloor(t, spec, data, true)
	}
	return nil, fmt.Errorf("multipart: unknown implementation %q", impl)
}

// prepareMultipartOurs: CreateUpload, UploadPart×Parts (Workers at a time),
// and with Compose CompleteUpload.
func prepareMultipartOurs(t Target, spec MultipartSpec, data []byte) (*multipartRunner, error) {
	h, err := newOurHandler(t, oursSession, oursInprogress, func(c *uploader.Config) {
		if spec.CompleteConcurrency > 0 {
			c.CompleteConcurrency = spec.CompleteConcurrency
		}
	})
	if err != nil {
		return nil, err
	}
	session := newSession()
	run := func() error {
		ctx := bg()
		up, err := h.CreateUpload(ctx, session)
		if err != nil {
			return err
		}
		parts := make([]uploader.StreamPart, spec.Parts)
		err = parallel(spec.Parts, spec.Workers, func(i int) error {
			p, err := h.UploadPart(ctx, *up, int64(i+1), bytes.NewReader(data))
			if err != nil {
				return err
			}
			parts[i] = *p
			return nil
		})
		if err != nil || !spec.Compose {
			return err
		}
		return h.CompleteUpload(ctx, *up, parts)
	}
	cleanup := func() error {
		if !spec.Compose {
			return nil
		}
		return h.Client().DeleteBlob(bg(), oursSession, session, nil)
	}
	return &multipartRunner{run: run, cleanup: cleanup, container: oursSession, blob: session}, nil
}

// prepareMultipartSDK does what Teleport's Azure session storage does with
// the SDK: an empty marker blob (create-only), each part a block blob
// uploaded with a computed CRC-64 (blockblob.Client.Upload with
// TransferValidationTypeComputeCRC64), and with Compose: Stage Block From
// URL of each part under a read-only SAS, Commit Block List (create-only),
// then delete the parts and the marker.
func prepareMultipartSDK(t Target, spec MultipartSpec, data []byte) (*multipartRunner, error) {
	inprog, cred, err := newSDKContainer(t, sdkInprogress)
	if err != nil {
		return nil, err
	}
	sess, _, err := newSDKContainer(t, sdkSession)
	if err != nil {
		return nil, err
	}
	session := newSession()
	conc := spec.CompleteConcurrency
	if conc <= 0 {
		conc = uploader.DefaultCompleteConcurrency
	}
	run := func() error {
		ctx := bg()
		upload := newSession()
		marker := inprog.NewBlockBlobClient("upload/" + session + "/" + upload)
		anyETag := azcore.ETagAny
		if _, err := marker.Upload(ctx, streaming.NopCloser(bytes.NewReader(nil)), &blockblob.UploadOptions{
			AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: &anyETag}},
		}); err != nil {
			return fmt.Errorf("SDK: marker: %w", err)
		}
		partName := func(i int) string { return fmt.Sprintf("part/%s/%s/%d", session, upload, i+1) }
		err := parallel(spec.Parts, spec.Workers, func(i int) error {
			_, err := inprog.NewBlockBlobClient(partName(i)).Upload(ctx, streaming.NopCloser(bytes.NewReader(data)), &blockblob.UploadOptions{
				TransactionalValidation: blob.TransferValidationTypeComputeCRC64(),
			})
			if err != nil {
				return fmt.Errorf("SDK: part %d: %w", i+1, err)
			}
			return nil
		})
		if err != nil || !spec.Compose {
			return err
		}
		return sdkCompose(ctx, inprog, sess, cred, session, marker, spec.Parts, partName, conc)
	}
	cleanup := func() error {
		if !spec.Compose {
			return nil
		}
		_, err := sess.NewBlobClient(session).Delete(bg(), nil)
		return err
	}
	return &multipartRunner{run: run, cleanup: cleanup, container: sdkSession, blob: session}, nil
}

// sdkCompose completes an upload the way Teleport's Azure session storage
// does with the SDK: Stage Block From URL of each part (conc at a time)
// under a read-only SAS for that part, Commit Block List (create-only),
// then delete the parts one by one and the marker.
func sdkCompose(ctx context.Context, inprog, sess *container.Client, cred *container.SharedKeyCredential, session string, marker *blockblob.Client, parts int, partName func(i int) string, conc int) error {
	rec := sess.NewBlockBlobClient(session)
	ids := make([]string, parts)
	err := parallel(parts, conc, func(i int) error {
		src := inprog.NewBlockBlobClient(partName(i))
		q, err := sas.BlobSignatureValues{
			Protocol:      sas.ProtocolHTTPSandHTTP,
			StartTime:     time.Now().Add(-5 * time.Minute).UTC(),
			ExpiryTime:    time.Now().Add(15 * time.Minute).UTC(),
			Permissions:   (&sas.BlobPermissions{Read: true}).String(),
			ContainerName: sdkInprogress,
			BlobName:      partName(i),
		}.SignWithSharedKey(cred)
		if err != nil {
			return err
		}
		ids[i] = sdkBlockID(i + 1)
		if _, err := rec.StageBlockFromURL(ctx, ids[i], src.URL()+"?"+q.Encode(), nil); err != nil {
			return fmt.Errorf("SDK: stage part %d: %w", i+1, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	anyETag := azcore.ETagAny
	if _, err := rec.CommitBlockList(ctx, ids, &blockblob.CommitBlockListOptions{
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: &anyETag}},
	}); err != nil {
		return fmt.Errorf("SDK: commit: %w", err)
	}
	err = parallel(parts, conc, func(i int) error {
		_, err := inprog.NewBlobClient(partName(i)).Delete(ctx, nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("SDK: delete parts: %w", err)
	}
	_, err = marker.Delete(ctx, nil)
	return err
}

// prepareMultipartFloor: plain net/http PUTs of the same parts, Workers at
// a time, with no Blob headers, no signature and no checksum — unless
// withCRC: then each part's CRC-64 is computed (stdlib hash/crc64, Azure's
// polynomial) and sent as x-ms-content-crc64, the least any client with
// CRC-64 on must do. Against a real service (which refuses anything less)
// withCRC also adds the two required Put Blob headers and a SharedKey
// signature.
func prepareMultipartFloor(t Target, spec MultipartSpec, data []byte, withCRC bool) (*multipartRunner, error) {
	hc := floorClient()
	base := strings.TrimSuffix(t.Endpoint, "/") + "/" + floorContainer + "/"
	var cred *sharedkey.Credential
	if !t.IsSink() {
		var err error
		if cred, err = sharedkey.NewCredential(t.Account, t.Key); err != nil {
			return nil, err
		}
		c, err := restapi.NewClient(t.Endpoint, cred, nil)
		if err != nil {
			return nil, err
		}
		if err := c.CreateContainer(bg(), floorContainer, nil); err != nil && !errors.Is(err, restapi.ErrAlreadyExists) {
			return nil, fmt.Errorf("floor: create container: %w", err)
		}
	}
	session := newSession()
	run := func() error {
		return parallel(spec.Parts, spec.Workers, func(i int) error {
			req, err := http.NewRequest(http.MethodPut, fmt.Sprintf("%s%s-%d", base, session, i+1), bytes.NewReader(data))
			if err != nil {
				return err
			}
			if withCRC {
				var b [8]byte
				binary.LittleEndian.PutUint64(b[:], crc64.Checksum(data, azureCRC64()))
				req.Header.Set("x-ms-content-crc64", base64.StdEncoding.EncodeToString(b[:]))
			}
			if cred != nil {
				req.Header.Set("x-ms-blob-type", "BlockBlob")
				req.Header.Set("x-ms-version", restapi.DefaultServiceVersion)
				if err := cred.Authorize(bg(), req); err != nil {
					return err
				}
			}
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				return fmt.Errorf("floor: part %d: %s", i+1, resp.Status)
			}
			return nil
		})
	}
	cleanup := func() error {
		if cred == nil {
			return nil
		}
		c, err := restapi.NewClient(t.Endpoint, cred, nil)
		if err != nil {
			return err
		}
		return parallel(spec.Parts, spec.Workers, func(i int) error {
			return c.DeleteBlob(bg(), floorContainer, fmt.Sprintf("%s-%d", session, i+1), nil)
		})
	}
	return &multipartRunner{run: run, cleanup: cleanup}, nil
}
