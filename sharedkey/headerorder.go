package sharedkey

// The Blob service sorts canonicalized x-ms-* headers with its own collation,
// not by byte value. Azure's SDK teams ported it from the service (C++
// shared_key_policy.cpp, then Python, Go and .NET) after byte-order sorting
// broke signatures; see SIGNING.md, "Header order". It is a two-level,
// case-insensitive comparison over the characters that may appear in a header
// name:
//
//  1. Primary level: characters are compared by the weights below, in this
//     ascending order:
//
//     ! # $ % & * . ^ _ ` | ~ + 0-9 a-z   (A-Z weigh the same as a-z)
//
//     The hyphen and the apostrophe have no primary weight: they are skipped,
//     so "x-ms-enabled-protocols" sorts before "x-ms-enable-snapshot" (d < s),
//     and '_' sorts before digits ("x-ms-meta-foo_bar" before
//     "x-ms-meta-foo2_bar"), both unlike byte order. A name that runs out
//     first sorts first.
//  2. Secondary level, only when the primary level ties: the two names are
//     walked in step; at the first position where one has a hyphen or an
//     apostrophe and the other does not, the one without sorts first; an
//     apostrophe sorts before a hyphen.
//
// Node's localeCompare, which Azurite sorts with, puts the hyphen before
// letters instead of skipping it. Over the 100 x-ms-* request headers of
// Azurite's Blob API definitions plus metadata names (C# identifiers: letters,
// digits, '_') the two orders differ only between x-ms-delete-snapshots /
// x-ms-delete-type-permanent and x-ms-deleted-container-name /
// x-ms-deleted-container-version, which no single operation sends together.

const (
	weightIgnored = 0 // character skipped at this level
	weightEnd     = 1 // past the end of the name
)

// primaryOrder lists, in ascending order, the characters with a primary
// weight. Every other byte is ignored at the primary level.
const primaryOrder = "!#$%&*.^_`|~+0123456789abcdefghijklmnopqrstuvwxyz"

var primaryWeight, secondaryWeight = func() (p, s [256]uint8) {
	for i := 0; i < len(primaryOrder); i++ {
		c := primaryOrder[i]
		p[c] = uint8(i + 2)
		if 'a' <= c && c <= 'z' {
			p[c-'a'+'A'] = uint8(i + 2)
		}
	}
	s['\''] = 2
	s['-'] = 3
	return p, s
}()

func weightAt(table *[256]uint8, s string, i int) uint8 {
	if i >= len(s) {
		return weightEnd
	}
	return table[s[i]]
}

// compareHeaderNames orders two x-ms-* header names the way the Blob service
// does. It returns 0 only for names equal but for letter case (for valid
// header names), which the caller reports as a duplicate.
func compareHeaderNames(a, b string) int {
	if c, _, _ := compareLevel(&primaryWeight, a, b, false); c != 0 {
		return c
	}
	return compareSecondary(a, b)
}

// compareSecondary breaks a primary tie on the position of hyphens and
// apostrophes.
func compareSecondary(a, b string) int {
	c, i, j := compareLevel(&secondaryWeight, a, b, true)
	if c != 0 || i == j {
		return c
	}
	// One name skipped a character where the other has a hyphen or an
	// apostrophe: the name that moved further (had an ordinary character
	// there) sorts first.
	if i > j {
		return -1
	}
	return 1
}

// compareLevel walks a and b at one level of the collation: characters
// ignored at that level are skipped, and the first pair of differing
// weights decides (-1 or 1). It returns 0 when both names run out together,
// or, with inStep, as soon as one name has skipped a character the other
// has not; i and j are the positions reached in a and b.
func compareLevel(table *[256]uint8, a, b string, inStep bool) (c, i, j int) {
	for !inStep || i == j {
		wa, wb := weightAt(table, a, i), weightAt(table, b, j)
		switch {
		case wa == weightEnd && wb == weightEnd:
			return 0, i, j
		case wa == wb:
			i, j = i+1, j+1
		case wa == weightIgnored:
			i++
		case wb == weightIgnored:
			j++
		case wa < wb:
			return -1, i, j
		default:
			return 1, i, j
		}
	}
	return 0, i, j
}
