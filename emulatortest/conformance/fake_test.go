package conformance_test

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/azblobmin/azblobmin/emulatortest/conformance"
	"github.com/azblobmin/azblobmin/uploader"
)

// This file holds an in-memory handler that follows the RFD 0140 layout
// and the suite's contract, used to test the suite itself: a correct fake
// must pass the scenarios that do not need a real store, and a fake with
// one defect must make the suite report exactly that defect.

// fakeDefect selects one way for the fake to be wrong.
type fakeDefect int

const (
	defectNone               fakeDefect = iota
	defectCorruptByte                   // flips one byte of every composed recording
	defectKeepMarker                    // completion leaves the upload marker behind
	defectAcceptUppercase               // accepts upper-case session ids and sends a request for them
	defectSecondCompleteErr             // completing twice returns an error
	defectMissingNotSentinel            // Download of a missing recording is not ErrNotFound
	defectUnsortedParts                 // ListParts returns parts in reverse order
)

// fakeStore is the fake's storage account; it also implements
// conformance.Store.
type fakeStore struct {
	mu         sync.Mutex
	inprogress map[string][]byte
	sessions   map[string][]byte
	uploadOf   map[string]string // session id → upload id that wrote it
	created    map[string]time.Time
}

func newFakeStore() *fakeStore {
	return &fakeStore{inprogress: map[string][]byte{}, sessions: map[string][]byte{}, uploadOf: map[string]string{}, created: map[string]time.Time{}}
}

func (s *fakeStore) List(_ context.Context, container, prefix string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.inprogress
	if container == "session" {
		m = s.sessions
	}
	var out []string
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (s *fakeStore) Read(_ context.Context, container, blob string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.inprogress
	if container == "session" {
		m = s.sessions
	}
	b, ok := m[blob]
	return bytes.Clone(b), ok, nil
}

// fakeHandler keeps bytes in a fakeStore and sends one small request per
// staged block to a local sink through its client, so the suite's
// Recorder sees Put Block From URL and Put Block traffic.
type fakeHandler struct {
	st     *fakeStore
	client *http.Client
	sink   string
	defect fakeDefect
	bs     int
}

var canonicalUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func (h *fakeHandler) checkSession(s string) error {
	if h.defect == defectAcceptUppercase && canonicalUUID.MatchString(strings.ToLower(s)) {
		return nil
	}
	if !canonicalUUID.MatchString(s) {
		return fmt.Errorf("fake: session id %q is not a canonical UUID", s)
	}
	return nil
}

func (h *fakeHandler) checkUpload(up uploader.StreamUpload) error {
	if err := h.checkSession(up.SessionID); err != nil {
		return err
	}
	if !canonicalUUID.MatchString(up.ID) {
		return fmt.Errorf("fake: upload id %q is not a UUID", up.ID)
	}
	return nil
}

func checkPart(n int64) error {
	if n < 1 || n > 50000 {
		return fmt.Errorf("fake: part number %d is outside 1..50000", n)
	}
	return nil
}

// send issues one request to the sink, shaped like the Blob operation op.
func (h *fakeHandler) send(ctx context.Context, query string, copySource bool) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, h.sink+"/acct/session/x?"+query, http.NoBody)
	if err != nil {
		return err
	}
	if copySource {
		req.Header.Set("x-ms-copy-source", h.sink+"/acct/inprogress/part")
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func (h *fakeHandler) CreateUpload(ctx context.Context, s string) (*uploader.StreamUpload, error) {
	if err := h.checkSession(s); err != nil {
		return nil, err
	}
	if h.defect == defectAcceptUppercase && s != strings.ToLower(s) {
		if err := h.send(ctx, "comp=other", false); err != nil {
			return nil, err
		}
	}
	up := uploader.StreamUpload{ID: uuid.NewString(), SessionID: s, Initiated: time.Now()}
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	name := "upload/" + s + "/" + up.ID
	h.st.inprogress[name] = nil
	h.st.created[name] = up.Initiated
	return &up, nil
}

func (h *fakeHandler) ReserveUploadPart(_ context.Context, up uploader.StreamUpload, n int64) error {
	if err := h.checkUpload(up); err != nil {
		return err
	}
	return checkPart(n)
}

func (h *fakeHandler) UploadPart(_ context.Context, up uploader.StreamUpload, n int64, r io.ReadSeeker) (*uploader.StreamPart, error) {
	if err := h.checkUpload(up); err != nil {
		return nil, err
	}
	if err := checkPart(n); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	h.st.inprogress[fmt.Sprintf("part/%s/%s/%d", up.SessionID, up.ID, n)] = data
	return &uploader.StreamPart{Number: n, ETag: fmt.Sprintf(`"%x"`, len(data)), LastModified: time.Now()}, nil
}

func (h *fakeHandler) ListParts(_ context.Context, up uploader.StreamUpload) ([]uploader.StreamPart, error) {
	if err := h.checkUpload(up); err != nil {
		return nil, err
	}
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	var out []uploader.StreamPart
	prefix := "part/" + up.SessionID + "/" + up.ID + "/"
	for k, v := range h.st.inprogress {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			var n int64
			fmt.Sscanf(rest, "%d", &n)
			out = append(out, uploader.StreamPart{Number: n, ETag: fmt.Sprintf(`"%x"`, len(v)), LastModified: time.Now()})
		}
	}
	slices.SortFunc(out, func(a, b uploader.StreamPart) int { return cmp.Compare(a.Number, b.Number) })
	if h.defect == defectUnsortedParts {
		slices.Reverse(out)
	}
	return out, nil
}

func (h *fakeHandler) ListUploads(context.Context) ([]uploader.StreamUpload, error) {
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	var out []uploader.StreamUpload
	for k := range h.st.inprogress {
		if rest, ok := strings.CutPrefix(k, "upload/"); ok {
			s, id, _ := strings.Cut(rest, "/")
			out = append(out, uploader.StreamUpload{ID: id, SessionID: s, Initiated: h.st.created[k]})
		}
	}
	slices.SortFunc(out, func(a, b uploader.StreamUpload) int { return a.Initiated.Compare(b.Initiated) })
	return out, nil
}

func (h *fakeHandler) CompleteUpload(ctx context.Context, up uploader.StreamUpload, parts []uploader.StreamPart) error {
	if err := h.checkUpload(up); err != nil {
		return err
	}
	for _, p := range parts {
		if err := checkPart(p.Number); err != nil {
			return err
		}
	}
	h.st.mu.Lock()
	owner, exists := h.st.uploadOf[up.SessionID]
	h.st.mu.Unlock()
	switch {
	case exists && owner != up.ID:
		return fmt.Errorf("fake: session %s already has a recording: %w", up.SessionID, uploader.ErrAlreadyExists)
	case exists && h.defect == defectSecondCompleteErr:
		return errors.New("fake: already completed")
	}
	if !exists && len(parts) > 0 {
		var whole []byte
		for _, p := range parts {
			if err := h.send(ctx, "comp=block", true); err != nil {
				return err
			}
			h.st.mu.Lock()
			data, ok := h.st.inprogress[fmt.Sprintf("part/%s/%s/%d", up.SessionID, up.ID, p.Number)]
			h.st.mu.Unlock()
			if !ok {
				return fmt.Errorf("fake: part %d missing", p.Number)
			}
			whole = append(whole, data...)
		}
		if h.defect == defectCorruptByte {
			whole[len(whole)/2] ^= 1
		}
		h.st.mu.Lock()
		h.st.sessions[up.SessionID] = whole
		h.st.uploadOf[up.SessionID] = up.ID
		h.st.mu.Unlock()
	}
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	for k := range h.st.inprogress {
		if strings.HasPrefix(k, "part/"+up.SessionID+"/"+up.ID+"/") {
			delete(h.st.inprogress, k)
		}
	}
	if h.defect != defectKeepMarker {
		delete(h.st.inprogress, "upload/"+up.SessionID+"/"+up.ID)
	}
	return nil
}

func (h *fakeHandler) Upload(ctx context.Context, s string, r io.Reader) (string, error) {
	if err := h.checkSession(s); err != nil {
		return "", err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return "", err
	}
	for off := 0; off < len(data); off += h.bs {
		if err := h.send(ctx, "comp=block", false); err != nil {
			return "", err
		}
	}
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	if _, ok := h.st.sessions[s]; ok {
		return "", fmt.Errorf("fake: session %s exists: %w", s, uploader.ErrAlreadyExists)
	}
	h.st.sessions[s] = data
	h.st.uploadOf[s] = "single-shot"
	return h.GetUploadMetadata(s).URL, nil
}

func (h *fakeHandler) Download(_ context.Context, s string, w io.WriterAt) error {
	if err := h.checkSession(s); err != nil {
		return err
	}
	h.st.mu.Lock()
	data, ok := h.st.sessions[s]
	h.st.mu.Unlock()
	if !ok {
		if h.defect == defectMissingNotSentinel {
			return errors.New("fake: no such recording")
		}
		return fmt.Errorf("fake: recording %s: %w", s, uploader.ErrNotFound)
	}
	_, err := w.WriteAt(data, 0)
	return err
}

func (h *fakeHandler) GetUploadMetadata(s string) uploader.UploadMetadata {
	return uploader.UploadMetadata{URL: "http://fake.invalid/acct/session/" + s, SessionID: s}
}

func (h *fakeHandler) AbortUpload(_ context.Context, up uploader.StreamUpload) error {
	if err := h.checkUpload(up); err != nil {
		return err
	}
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	for k := range h.st.inprogress {
		if strings.HasPrefix(k, "part/"+up.SessionID+"/"+up.ID+"/") || k == "upload/"+up.SessionID+"/"+up.ID {
			delete(h.st.inprogress, k)
		}
	}
	return nil
}

// fakeEnv returns an Env over a fresh fakeStore whose handlers have defect.
func fakeEnv(t testing.TB, defect fakeDefect) conformance.Env {
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(sink.Close)
	st := newFakeStore()
	const bs = 4 << 10
	return conformance.Env{
		Name:                "fake",
		HTTPClient:          sink.Client(),
		Store:               st,
		SessionContainer:    "session",
		InprogressContainer: "inprogress",
		SessionContainerURL: "http://fake.invalid/acct/session",
		BlockSize:           bs,
		NewHandler: func(t testing.TB, client *http.Client) conformance.Handler {
			return &fakeHandler{st: st, client: client, sink: sink.URL, defect: defect, bs: bs}
		},
	}
}

// fakeScenarios are the scenarios the fake can pass: those that need no
// real store behaviour (interrupted requests, lost answers).
var fakeScenarios = []string{
	"ManyParts", "ReplacePart", "DoubleCompletion", "TwoHandlersAtOnce", "ConflictingUpload", "EmptyUpload",
	"AbortUpload", "ListUploads", "DownloadMissing", "SingleShotUpload", "UploadMetadata", "BadInput",
}

func scenario(t *testing.T, name string) conformance.Scenario {
	for _, s := range conformance.Scenarios() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no scenario %q", name)
	return conformance.Scenario{}
}

// TestSuiteAcceptsCorrectFake checks that the suite's scenarios pass
// against a handler that does what they demand.
func TestSuiteAcceptsCorrectFake(t *testing.T) {
	for _, name := range fakeScenarios {
		t.Run(name, func(t *testing.T) { scenario(t, name).Run(t, fakeEnv(t, defectNone)) })
	}
}

// TestSuiteCatchesDefects runs scenarios with a recording testing.TB
// against fakes with one defect each: the suite must fail, and its message
// must name the defect.
func TestSuiteCatchesDefects(t *testing.T) {
	for _, c := range []struct {
		name     string
		defect   fakeDefect
		scenario string
		want     string // substring of a reported failure
	}{
		{"one corrupt byte", defectCorruptByte, "ManyParts", "as stored is wrong"},
		{"one corrupt byte (double completion)", defectCorruptByte, "DoubleCompletion", "as stored is wrong"},
		{"marker left behind", defectKeepMarker, "ManyParts", "still holds 1 blobs of upload"},
		{"upper-case session id accepted", defectAcceptUppercase, "BadInput", "sent 1 request(s)"},
		{"second completion fails", defectSecondCompleteErr, "DoubleCompletion", "completing twice must return nil"},
		{"missing recording not ErrNotFound", defectMissingNotSentinel, "DownloadMissing", "want an error matching uploader.ErrNotFound"},
		{"unsorted parts", defectUnsortedParts, "ReplacePart", "must be sorted by number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rt := runRecorded(t, func(tb testing.TB) { scenario(t, c.scenario).Run(tb, fakeEnv(t, c.defect)) })
			if !rt.Failed() {
				t.Fatalf("scenario %s passed against a fake with defect %q", c.scenario, c.name)
			}
			if !rt.reported(c.want) {
				t.Errorf("scenario %s failed, but no message contains %q; messages:\n%s", c.scenario, c.want, strings.Join(rt.messages(), "\n"))
			}
		})
	}
}

// TestSuiteEnvCheck checks that an incomplete Env is reported as a set-up
// mistake, naming what is missing.
func TestSuiteEnvCheck(t *testing.T) {
	rt := runRecorded(t, func(tb testing.TB) { conformance.DownloadMissing(tb, conformance.Env{Name: "broken"}) })
	if !rt.Failed() || !rt.reported("missing NewHandler, Store, SessionContainer, InprogressContainer, BlockSize") {
		t.Errorf("an empty Env was not reported clearly: %q", rt.messages())
	}
}
