package jobs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azblobmin/azblobmin/bench/internal/sink"
	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/sharedkey"
	"github.com/stretchr/testify/require"
)

// TestMain lets RunChild re-execute this test binary as a child.
func TestMain(m *testing.M) {
	MaybeRunChild()
	os.Exit(m.Run())
}

func startSink(t *testing.T) Target {
	t.Helper()
	s, err := sink.Start()
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return Target{Name: "sink", Endpoint: s.Endpoint, Account: emulatortest.DevAccountName, Key: emulatortest.DevAccountKey}
}

func startAzurite(t *testing.T) Target {
	t.Helper()
	em := emulatortest.Start(t)
	return Target{Name: "azurite", Endpoint: em.Endpoint, Account: em.AccountName, Key: em.AccountKey}
}

// readBlob downloads container/blob from t.
func readBlob(t *testing.T, tg Target, container, blob string) []byte {
	t.Helper()
	cred, err := sharedkey.NewCredential(tg.Account, tg.Key)
	require.NoError(t, err)
	c, err := restapi.NewClient(tg.Endpoint, cred, nil)
	require.NoError(t, err)
	res, err := c.GetBlob(context.Background(), container, blob, nil)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return b
}

func TestSignBenchComparesTheSameSignature(t *testing.T) {
	s, err := NewSignBench(startSink(t))
	require.NoError(t, err) // includes the check that both signers agree
	require.NotEqual(t, s.sdkReq, s.ownReq)
	r := s.Round()
	require.Positive(t, r.Ours.Ns)
	require.Positive(t, r.HMAC.Ns)
	require.Greater(t, r.SDKWith.Ns, r.SDKWithout.Ns, "the shared key policy must cost something")
	require.Greater(t, r.SDKWith.Allocs, r.SDKWithout.Allocs)
	require.Equal(t, r.SDK.Allocs, r.SDKWith.Allocs-r.SDKWithout.Allocs)
}

func TestMultipartVariantsWriteTheRecording(t *testing.T) {
	az := startAzurite(t)
	spec := MultipartSpec{Parts: 3, PartSize: 64 << 10, Workers: 2, Compose: true, CompleteConcurrency: 2}
	data := Data(spec.PartSize)
	want := bytes.Repeat(data, spec.Parts)
	for _, impl := range []string{"ours", "sdk"} {
		t.Run(impl, func(t *testing.T) {
			r, err := prepareMultipart(impl, az, spec, data)
			require.NoError(t, err)
			require.NoError(t, r.run())
			got := readBlob(t, az, r.container, r.blob)
			require.Equal(t, sha256.Sum256(want), sha256.Sum256(got), "recording of %d bytes, want %d", len(got), len(want))
			require.NoError(t, r.cleanup())
		})
	}
	t.Run("floor refuses Azurite and composing", func(t *testing.T) {
		_, err := prepareMultipart("floor", az, MultipartSpec{Parts: 1, PartSize: 1, Workers: 1}, data)
		require.ErrorContains(t, err, "only to the sink")
		_, err = prepareMultipart("floorcrc", az, spec, data)
		require.ErrorContains(t, err, "cannot compose")
	})
}

func TestMultipartChildren(t *testing.T) {
	sk, az := startSink(t), startAzurite(t)
	spec := MultipartSpec{Parts: 2, PartSize: 32 << 10, Workers: 2}
	for _, c := range []struct {
		tg      Target
		impl    string
		compose bool
	}{
		{sk, "floor", false}, {sk, "floorcrc", false}, {sk, "ours", false}, {sk, "sdk", false},
		{az, "floorcrc", false}, {az, "ours", true}, {az, "sdk", true},
	} {
		t.Run(c.tg.Name+"/"+c.impl, func(t *testing.T) {
			s := spec
			s.Compose = c.compose
			res, err := RunChild(ChildSpec{Job: "multipart", Impl: c.impl, Target: c.tg, Multipart: s}, nil)
			require.NoError(t, err)
			require.Equal(t, int64(s.Parts*s.PartSize), res.Bytes)
			require.Positive(t, res.CPUSec())
			require.Positive(t, res.WallSec)
			require.Greater(t, res.VmHWM, int64(1<<20))
			require.Greater(t, res.MaxRSS, int64(1<<20))
		})
	}
}

func TestStreamVariantsWriteTheBlob(t *testing.T) {
	az := startAzurite(t)
	spec := StreamSpec{BlockSize: 1 << 20, Concurrency: 2}
	size := int64(3<<20 + 12345)
	var want bytes.Buffer
	require.NoError(t, Feed(nopCloser{&want}, size))
	for _, impl := range []string{"ours", "sdk"} {
		t.Run(impl, func(t *testing.T) {
			r, err := prepareStream(impl, az, spec)
			require.NoError(t, err)
			pr, pw := io.Pipe()
			go Feed(pw, size)
			require.NoError(t, r.run(pr))
			got := readBlob(t, az, r.container, r.blob)
			require.Equal(t, sha256.Sum256(want.Bytes()), sha256.Sum256(got), "blob of %d bytes, want %d", len(got), size)
			require.NoError(t, r.cleanup())
		})
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func TestStreamChildren(t *testing.T) {
	sk, az := startSink(t), startAzurite(t)
	spec := StreamSpec{BlockSize: 1 << 20, Concurrency: 2}
	size := int64(2<<20 + 7)
	for _, c := range []struct {
		tg   Target
		impl string
	}{{sk, "floor"}, {sk, "ours"}, {sk, "sdk"}, {az, "ours"}, {az, "sdk"}} {
		t.Run(c.tg.Name+"/"+c.impl, func(t *testing.T) {
			res, err := RunChild(ChildSpec{Job: "stream", Impl: c.impl, Target: c.tg, Stream: spec}, func(w io.WriteCloser) error {
				return Feed(w, size)
			})
			require.NoError(t, err)
			require.Equal(t, size, res.Bytes)
			require.Positive(t, res.PeakHeap)
			require.Positive(t, res.CPUSec())
		})
	}
}

func TestChildReportsFailure(t *testing.T) {
	_, err := RunChild(ChildSpec{Job: "multipart", Impl: "nobody", Target: Target{Name: "sink"}, Multipart: MultipartSpec{Parts: 1, PartSize: 1, Workers: 1}}, nil)
	require.ErrorContains(t, err, `unknown implementation "nobody"`)
}

func TestComplete(t *testing.T) {
	az := startAzurite(t)
	spec := CompleteSpec{Parts: 12, PartSize: 1 << 10, UploadWorkers: 4}
	ours, err := NewCompleteBench(az, spec, 4)
	require.NoError(t, err)
	d, phases, err := ours.Round()
	require.NoError(t, err)
	require.Positive(t, d)
	require.Equal(t, 12, phases["Put Block From URL"].Requests)
	require.Equal(t, 1, phases["Put Block List"].Requests)
	require.Positive(t, phases["Put Block From URL"].Seconds)

	sdk, err := NewSDKCompleteBench(az, spec, 5)
	require.NoError(t, err)
	d, err = sdk.Round()
	require.NoError(t, err)
	require.Positive(t, d)

	_, err = NewCompleteBench(startSink(t), spec, 4)
	require.ErrorContains(t, err, "real service")
}

func TestBuildBinaryListsModules(t *testing.T) {
	bench, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	res, err := BuildBinary("go", bench, "./floorcli", t.TempDir())
	require.NoError(t, err)
	require.Equal(t, "github.com/azblobmin/azblobmin/bench", res.Main)
	require.Empty(t, res.Deps, "the floor links the standard library only")
	require.Equal(t, 1, res.Modules())
	require.Greater(t, res.Size, int64(1<<20))
}

func TestSink(t *testing.T) {
	tg := startSink(t)
	req, err := http.NewRequest(http.MethodPut, tg.Endpoint+"/c/b", strings.NewReader("hello"))
	require.NoError(t, err)
	req.Header.Set("x-ms-content-crc64", "AAAAAAAAAAA=")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.Equal(t, "AAAAAAAAAAA=", resp.Header.Get("x-ms-content-crc64"))
	require.NotEmpty(t, resp.Header.Get("ETag"))

	resp, err = http.Get(tg.Endpoint + "/c/b")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Equal(t, "BlobNotFound", resp.Header.Get("x-ms-error-code"))
}

func TestMedianAndData(t *testing.T) {
	require.Equal(t, 2.0, Median([]float64{3, 1, 2}))
	require.Equal(t, 2.5, Median([]float64{4, 1, 3, 2}))
	require.Equal(t, 0.0, Median(nil))
	lo, hi := Spread([]float64{3, 1, 2})
	require.Equal(t, [2]float64{1, 3}, [2]float64{lo, hi})
	require.Equal(t, Data(1000), Data(1000))
	require.Len(t, Data(13), 13)
	require.NotEqual(t, Data(64)[:32], Data(64)[32:])
}
