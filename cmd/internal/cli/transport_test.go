package cli

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSentCounter(t *testing.T) {
	var fail atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if fail.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()

	hc, sc := NewHTTPClient()
	var sent atomic.Int64
	sc.OnSent(func(n int64) { sent.Add(n) })

	put := func(path string, body []byte) int {
		req, err := http.NewRequest(http.MethodPut, srv.URL+path, bytes.NewReader(body))
		require.NoError(t, err)
		resp, err := hc.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusCreated, put("/a", make([]byte, 100_000)))
	assert.Equal(t, int64(100_000), sent.Load())

	fail.Store(true)
	assert.Equal(t, http.StatusServiceUnavailable, put("/a", make([]byte, 5000)))
	assert.Equal(t, int64(100_000), sent.Load(), "a failed try is taken back")
	fail.Store(false)

	assert.Equal(t, http.StatusFound, put("/redirect", []byte("x")), "redirects are not followed")

	sc.OnSent(nil)
	assert.Equal(t, http.StatusCreated, put("/a", make([]byte, 10)))
	assert.Equal(t, int64(100_000), sent.Load(), "no counting once cleared")

	resp, err := hc.Get(srv.URL + "/a")
	require.NoError(t, err)
	resp.Body.Close()
}
