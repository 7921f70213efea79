package restapi

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// HTTPRange is a byte range of a blob.
type HTTPRange struct {
	Offset int64
	Count  int64 // 0 → to the end
}

// header renders the range as "bytes=a-b" / "bytes=a-"; "" for the whole
// blob. Sending "bytes=0-" is avoided on purpose: on an empty blob the
// service answers 416 to it.
func (r HTTPRange) header() (string, error) {
	if r.Offset < 0 || r.Count < 0 {
		return "", fmt.Errorf("restapi: range offset %d / count %d must not be negative", r.Offset, r.Count)
	}
	if r.Count == 0 {
		if r.Offset == 0 {
			return "", nil
		}
		return "bytes=" + strconv.FormatInt(r.Offset, 10) + "-", nil
	}
	if r.Offset > math.MaxInt64-r.Count {
		return "", fmt.Errorf("restapi: range offset %d + count %d overflows", r.Offset, r.Count)
	}
	return "bytes=" + strconv.FormatInt(r.Offset, 10) + "-" + strconv.FormatInt(r.Offset+r.Count-1, 10), nil
}

// contentRange is a parsed Content-Range header.
type contentRange struct {
	Start, End int64 // inclusive; -1 when unsatisfied ("bytes */N")
	Total      int64 // -1 when unknown ("bytes a-b/*")
}

// parseContentRange parses "bytes a-b/N", "bytes a-b/*" and "bytes */N".
func parseContentRange(v string) (contentRange, error) {
	bad := func(why string) (contentRange, error) {
		return contentRange{}, fmt.Errorf("restapi: malformed Content-Range %q: %s", truncate(v, 100), why)
	}
	rest, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !ok {
		return bad(`does not start with "bytes "`)
	}
	rng, total, ok := strings.Cut(strings.TrimSpace(rest), "/")
	if !ok {
		return bad("no '/'")
	}
	cr := contentRange{Start: -1, End: -1, Total: -1}
	if total != "*" {
		n, err := parseNonNegative(total)
		if err != nil {
			return bad("bad total length")
		}
		cr.Total = n
	}
	if rng == "*" {
		if cr.Total < 0 {
			return bad(`"*/*" carries nothing`)
		}
		return cr, nil
	}
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return bad("no '-' in the range")
	}
	var err error
	if cr.Start, err = parseNonNegative(a); err != nil {
		return bad("bad first byte position")
	}
	if cr.End, err = parseNonNegative(b); err != nil {
		return bad("bad last byte position")
	}
	if cr.End < cr.Start {
		return bad("last byte before first")
	}
	if cr.Total >= 0 && cr.End >= cr.Total {
		return bad("range extends past the total length")
	}
	return cr, nil
}

func parseNonNegative(s string) (int64, error) {
	if s == "" || len(s) > 19 {
		return 0, fmt.Errorf("bad number")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("bad number")
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
