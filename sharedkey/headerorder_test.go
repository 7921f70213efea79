package sharedkey

import (
	"slices"
	"sort"
	"testing"
)

func TestHeaderOrder(t *testing.T) {
	// Each pair: the first sorts before the second in the service's order.
	// byteOrderAgrees records whether plain byte order says the same, to
	// show where the two part ways.
	tests := []struct {
		first, second   string
		byteOrderAgrees bool
	}{
		{"x-ms-blob-type", "x-ms-date", true},
		{"x-ms-client-request-id", "x-ms-content-crc64", true},
		{"x-ms-copy-source", "x-ms-copy-source-authorization", true}, // a prefix sorts first
		{"x-ms-range", "x-ms-range-get-content-crc64", true},
		{"x-ms-meta-foo_bar", "x-ms-meta-foo2_bar", false},                                 // '_' before digits
		{"x-ms-meta-a_", "x-ms-meta-a0", false},                                            // '_' before digits
		{"x-ms-meta-a_b", "x-ms-meta-ab", true},                                            // '_' before letters
		{"x-ms-enabled-protocols", "x-ms-enable-snapshot-virtual-directory-access", false}, // '-' skipped
		{"x-ms-meta-ab", "x-ms-meta-a-b", false},                                           // tie broken by the hyphen's position
		{"x-ms-meta-a'b", "x-ms-meta-a-b", true},                                           // apostrophe before hyphen
		{"x-ms-meta-ab-", "x-ms-meta-a-b", false},                                          // the later hyphen sorts first
		{"x-ms-meta-a!", "x-ms-meta-a.", true},
		{"x-ms-meta-a~", "x-ms-meta-a+", false}, // '+' after the other symbols
		{"x-ms-meta-a+", "x-ms-meta-a0", true},
		{"x-ms-meta-z", "X-Ms-Meta-ZZ", false}, // letter case does not count
		{"X-MS-DATE", "x-ms-version", true},
		{"x-ms-meta-9", "x-ms-meta-a", true},
		{"x-ms-deleted-container-name", "x-ms-delete-snapshots", false}, // Azurite disagrees (see headerorder.go)
	}
	for _, tt := range tests {
		t.Run(tt.first+" < "+tt.second, func(t *testing.T) {
			if c := compareHeaderNames(tt.first, tt.second); c != -1 {
				t.Fatalf("compare(%q, %q) = %d, want -1", tt.first, tt.second, c)
			}
			if c := compareHeaderNames(tt.second, tt.first); c != 1 {
				t.Fatalf("compare(%q, %q) = %d, want 1", tt.second, tt.first, c)
			}
			if got := tt.first < tt.second; got != tt.byteOrderAgrees {
				t.Fatalf("byte order puts %q first = %v; table says %v", tt.first, got, tt.byteOrderAgrees)
			}
		})
	}
	if c := compareHeaderNames("X-Ms-Date", "x-ms-date"); c != 0 {
		t.Fatalf("names equal but for case compare %d, want 0", c)
	}
}

// The comparison must be a strict total order on distinct lower-case token
// names, or sorting would depend on the input order.
func TestHeaderOrderIsTotal(t *testing.T) {
	alphabet := []string{"a", "b", "0", "9", "_", "-", "'", "!", "~", "+", "."}
	var names []string
	for _, a := range alphabet {
		for _, b := range alphabet {
			for _, c := range alphabet {
				names = append(names, "x-ms-"+a+b+c)
			}
		}
	}
	for _, a := range names {
		for _, b := range names {
			ab, ba := compareHeaderNames(a, b), compareHeaderNames(b, a)
			if ab != -ba {
				t.Fatalf("not antisymmetric: %q %q: %d %d", a, b, ab, ba)
			}
			if (ab == 0) != (a == b) {
				t.Fatalf("distinct names %q %q compare %d", a, b, ab)
			}
		}
	}
	sorted := slices.Clone(names)
	sort.SliceStable(sorted, func(i, j int) bool { return compareHeaderNames(sorted[i], sorted[j]) < 0 })
	for i := 1; i < len(sorted); i++ {
		for j := i; j < len(sorted) && j < i+40; j++ {
			if compareHeaderNames(sorted[i-1], sorted[j]) >= 0 {
				t.Fatalf("not transitive around %q, %q", sorted[i-1], sorted[j])
			}
		}
	}
	// Insertion sort (used for requests) agrees with the library sort.
	hs := make([]xmsHeader, len(names))
	for i, n := range slices.Backward(names) {
		hs[len(names)-1-i] = xmsHeader{name: n}
	}
	sortHeaders(hs)
	for i := range hs {
		if hs[i].name != sorted[i] {
			t.Fatalf("sortHeaders position %d: %q, want %q", i, hs[i].name, sorted[i])
		}
	}
}
