package identity

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// writeAADError answers like Entra ID: an OAuth2 error JSON whose
// description starts with the AADSTS code and repeats the trace and
// correlation ids on following lines. aadsts 0 omits the code.
func writeAADError(w http.ResponseWriter, status int, code string, aadsts int, desc string) {
	trace, corr := NewUUID(), NewUUID()
	ts := time.Now().UTC().Format("2006-01-02 15:04:05Z")
	full := desc
	body := map[string]any{
		"error":          code,
		"timestamp":      ts,
		"trace_id":       trace,
		"correlation_id": corr,
	}
	if aadsts != 0 {
		full = fmt.Sprintf("AADSTS%d: %s", aadsts, desc)
		body["error_codes"] = []int{aadsts}
		body["error_uri"] = fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", aadsts)
	}
	body["error_description"] = fmt.Sprintf("%s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", full, trace, corr, ts)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Failure is a scripted answer that replaces the next normal one.
type Failure struct {
	Status      int    // HTTP status
	Body        string // raw body; "" means a JSON error built from the fields below
	ContentType string // for Body; "" means application/json
	Code        string // OAuth2 "error"; "" means "temporarily_unavailable"
	AADSTS      int    // AADSTS code, 0 for none
	Description string
	RetryAfter  string // Retry-After header, if any
}

func (f Failure) write(w http.ResponseWriter) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		ct := f.ContentType
		if ct == "" {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return
	}
	code, desc := f.Code, f.Description
	if code == "" {
		code = "temporarily_unavailable"
	}
	if desc == "" {
		desc = http.StatusText(f.Status)
	}
	writeAADError(w, f.Status, code, f.AADSTS, desc)
}
