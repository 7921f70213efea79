package jobs

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/sharedkey"
)

// The sign job measures SharedKey signing of one Put Block request (4 MiB
// block with its CRC-64, as the uploader stages it) in this process with
// testing.Benchmark.
//
// Ours is sharedkey.Credential.Authorize on the request, x-ms-date and
// Authorization removed first, so that it formats the date like the SDK's
// policy does.
//
// The SDK's signing lives in an unexported pipeline policy, so it is
// measured by difference: a Put Block request built by blockblob.Client is
// captured just before the retry policy (a per-call policy), and the rest
// of the pipeline (retry, auth, headers, tracing, logging, body download,
// and a transport that answers 201 without I/O) is run on it repeatedly,
// once from a client with a SharedKeyCredential and once from a client
// without a credential. The difference is the shared key policy's cost,
// including its own pipeline hop.

// SignResult is one round of the sign job (ns/op and allocs/op).
type SignResult struct {
	// Ours signs the very request the SDK built; OursOwn signs the Put
	// Block request restapi builds.
	Ours, OursOwn Op
	// SDKWith and SDKWithout are the pipeline tail with and without the
	// shared key policy; SDK is their difference.
	SDKWith, SDKWithout, SDK Op
	// HMAC is the floor under any signer: HMAC-SHA256 of the same
	// string-to-sign with a reused keyed state, base64-encoded.
	HMAC Op
	// ToSign is the length of the string-to-sign in bytes.
	ToSign int
}

// Op is one benchmark figure.
type Op struct {
	Ns     float64
	Allocs float64
	Bytes  float64
}

func opOf(r testing.BenchmarkResult) Op {
	return Op{Ns: float64(r.NsPerOp()), Allocs: float64(r.AllocsPerOp()), Bytes: float64(r.AllocedBytesPerOp())}
}

// signBlock is the block the signed Put Block carries.
const signBlock = 4 << 20

// noopTransport answers 201 to everything without I/O (both libraries
// accept it as their transport).
type noopTransport struct{}

func (noopTransport) Do(req *http.Request) (*http.Response, error) {
	return noopTransport{}.RoundTrip(req)
}

func (noopTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusCreated, Status: "201 Created", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"X-Ms-Request-Id": {"00000000-0000-0000-0000-000000000000"}},
		Body:    http.NoBody,
		Request: req,
	}, nil
}

// grabber is a per-call policy that keeps a copy of the first request it
// sees, positioned at the next policy.
type grabber struct{ req *policy.Request }

func (g *grabber) Do(req *policy.Request) (*http.Response, error) {
	if g.req == nil {
		g.req = req.Clone(req.Raw().Context())
	}
	return req.Next()
}

// sdkPutBlock builds a Put Block request with the SDK (with or without a
// shared key) and returns it captured before the retry policy.
func sdkPutBlock(t Target, withKey bool, data []byte) (*policy.Request, error) {
	g := &grabber{}
	opts := &blockblob.ClientOptions{ClientOptions: azcore.ClientOptions{
		Transport:       noopTransport{},
		PerCallPolicies: []policy.Policy{g},
	}}
	url := strings.TrimSuffix(t.Endpoint, "/") + "/sign/blob"
	var (
		c   *blockblob.Client
		err error
	)
	if withKey {
		cred, cerr := blob.NewSharedKeyCredential(t.Account, t.Key)
		if cerr != nil {
			return nil, cerr
		}
		c, err = blockblob.NewClientWithSharedKeyCredential(url, cred, opts)
	} else {
		c, err = blockblob.NewClientWithNoCredential(url, opts)
	}
	if err != nil {
		return nil, err
	}
	_, err = c.StageBlock(context.Background(), sdkBlockID(1), streaming.NopCloser(bytes.NewReader(data)), &blockblob.StageBlockOptions{
		TransactionalValidation: blob.TransferValidationTypeComputeCRC64(),
	})
	if err != nil {
		return nil, fmt.Errorf("SDK: build Put Block: %w", err)
	}
	if g.req == nil {
		return nil, errors.New("SDK: the Put Block request was not captured")
	}
	return g.req, nil
}

// capture is a restapi.Authorizer that keeps a copy of the request it is
// asked to sign and signs nothing.
type capture struct{ req *http.Request }

func (c *capture) Authorize(ctx context.Context, req *http.Request) error {
	if c.req == nil {
		c.req = req.Clone(context.Background())
	}
	return nil
}

// ourPutBlock builds the Put Block request restapi sends (before signing).
func ourPutBlock(t Target, data []byte) (*http.Request, error) {
	cp := &capture{}
	c, err := restapi.NewClient(t.Endpoint, cp, &restapi.Options{HTTPClient: &http.Client{Transport: noopTransport{}}})
	if err != nil {
		return nil, err
	}
	crc := restapi.EncodeCRC64(restapi.CRC64(data))
	if _, err := c.PutBlock(context.Background(), "sign", "blob", sdkBlockID(1), bytes.NewReader(data), &restapi.PutBlockOptions{ContentCRC64: crc}); err != nil {
		return nil, err
	}
	if cp.req == nil {
		return nil, errors.New("restapi did not ask to sign the Put Block request")
	}
	return cp.req, nil
}

// SignBench prepares the sign job once; Round runs one round of it.
type SignBench struct {
	key         []byte
	toSign      []byte
	cred        *sharedkey.Credential
	sdkReq      *http.Request // the SDK's request, for our signer
	ownReq      *http.Request
	with, witho *policy.Request
}

// NewSignBench builds the requests of the sign job.
func NewSignBench(t Target) (*SignBench, error) {
	data := Data(signBlock)
	cred, err := sharedkey.NewCredential(t.Account, t.Key)
	if err != nil {
		return nil, err
	}
	with, err := sdkPutBlock(t, true, data)
	if err != nil {
		return nil, err
	}
	witho, err := sdkPutBlock(t, false, data)
	if err != nil {
		return nil, err
	}
	own, err := ourPutBlock(t, data)
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(t.Key)
	if err != nil {
		return nil, err
	}
	sts, err := sharedkey.StringToSign(with.Raw(), t.Account)
	if err != nil {
		return nil, err
	}
	s := &SignBench{key: key, toSign: []byte(sts), cred: cred, sdkReq: with.Raw().Clone(context.Background()), ownReq: own, with: with, witho: witho}
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

// check signs the SDK's request with both signers and compares: the two
// must compute the same signature over the same request, or the figures
// compare different work.
func (s *SignBench) check() error {
	// The SDK looks its date header up under the exact key "x-ms-date"
	// (it writes headers in lower case, bypassing canonicalization), so the
	// fixed date goes in under that key for both.
	const date = "Mon, 02 Jan 2006 15:04:05 GMT"
	req := s.with.Raw().Clone(context.Background())
	req.Header["x-ms-date"] = []string{date}
	// The SDK signs inside its pipeline; run the tail once with a fixed
	// date and read the header it set on the transport's request.
	tail := s.with.Clone(context.Background())
	tail.Raw().Header["x-ms-date"] = []string{date}
	resp, err := tail.Next()
	if err != nil {
		return fmt.Errorf("SDK pipeline tail: %w", err)
	}
	sdkAuth := resp.Request.Header.Get("Authorization")
	if err := s.cred.Authorize(context.Background(), req); err != nil {
		return err
	}
	if ours := req.Header.Get("Authorization"); ours != sdkAuth || ours == "" {
		return fmt.Errorf("sign: our signature and the SDK's differ on the same request (ours %d chars, SDK %d chars); the comparison would be meaningless", len(ours), len(sdkAuth))
	}
	return nil
}

// Round runs each benchmark once.
func (s *SignBench) Round() SignResult {
	ctx := context.Background()
	signLoop := func(req *http.Request) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req.Header.Del("X-Ms-Date")
				req.Header.Del("Authorization")
				if err := s.cred.Authorize(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	tailLoop := func(r *policy.Request) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := r.Next()
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
			}
		}
	}
	res := SignResult{ToSign: len(s.toSign)}
	res.Ours = opOf(testing.Benchmark(signLoop(s.sdkReq)))
	res.SDKWith = opOf(testing.Benchmark(tailLoop(s.with)))
	res.SDKWithout = opOf(testing.Benchmark(tailLoop(s.witho)))
	res.OursOwn = opOf(testing.Benchmark(signLoop(s.ownReq)))
	res.HMAC = opOf(testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		mac := hmac.New(sha256.New, s.key)
		var sum [sha256.Size]byte
		out := make([]byte, 0, 64)
		for b.Loop() {
			mac.Reset()
			mac.Write(s.toSign)
			out = base64.StdEncoding.AppendEncode(out[:0], mac.Sum(sum[:0]))
		}
	}))
	res.SDK = Op{
		Ns:     res.SDKWith.Ns - res.SDKWithout.Ns,
		Allocs: res.SDKWith.Allocs - res.SDKWithout.Allocs,
		Bytes:  res.SDKWith.Bytes - res.SDKWithout.Bytes,
	}
	return res
}
