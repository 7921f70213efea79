package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Byte units accepted by ParseSize. Both binary (KiB) and decimal (KB)
// suffixes are accepted because operators write both; the Azure limits this
// tool checks against are binary.
var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	// Longest suffixes first so that "MiB" is not read as "B".
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1000}, {"mb", 1000 * 1000}, {"gb", 1000 * 1000 * 1000}, {"tb", 1000 * 1000 * 1000 * 1000},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
	{"b", 1},
}

// ParseSize reads a byte count such as "5MiB", "5MB", "5 m", "1.5GiB" or
// "5242880". Fractions are allowed only with a unit and must come out to a
// whole number of bytes.
func ParseSize(s string) (int64, error) {
	orig := s
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, fmt.Errorf("empty size; write a byte count such as 5242880, 5MiB or 5MB")
	}
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(s, u.suffix) {
			mult = u.mult
			s = strings.TrimSpace(strings.TrimSuffix(s, u.suffix))
			break
		}
	}
	if s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return 0, fmt.Errorf("invalid size %q; write a byte count such as 5242880, 5MiB or 5MB", orig)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > math.MaxInt64/mult {
			return 0, fmt.Errorf("size %q is too large", orig)
		}
		return n * mult, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || strings.ContainsAny(s, "eExXpP_") {
		return 0, fmt.Errorf("invalid size %q; write a byte count such as 5242880, 5MiB or 5MB", orig)
	}
	v := f * float64(mult)
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("size %q is too large", orig)
	}
	if v != math.Trunc(v) {
		return 0, fmt.Errorf("size %q is not a whole number of bytes", orig)
	}
	return int64(v), nil
}

// FormatSize renders n in binary units with one decimal, e.g. "5.0 MiB";
// values under 1 KiB are printed in bytes.
func FormatSize(n int64) string {
	if n < 1024 && n > -1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v := float64(n)
	i := -1
	for math.Abs(v) >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}

// SizeFlag is a flag.Value holding a byte count written with ParseSize's
// syntax; String prints it back in the form it was given.
type SizeFlag struct {
	n    int64
	text string
}

// NewSizeFlag returns a SizeFlag holding n, printed the short way.
func NewSizeFlag(n int64) *SizeFlag { return &SizeFlag{n: n, text: FormatFlagSize(n)} }

// FormatFlagSize prints n the short way a user would type it ("5MiB"),
// falling back to the plain byte count.
func FormatFlagSize(n int64) string {
	for _, u := range []struct {
		s string
		m int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.m == 0 {
			return strconv.FormatInt(n/u.m, 10) + u.s
		}
	}
	return strconv.FormatInt(n, 10)
}

// Bytes returns the byte count.
func (f *SizeFlag) Bytes() int64 { return f.n }

// String implements flag.Value.
func (f *SizeFlag) String() string {
	if f == nil {
		return ""
	}
	return f.text
}

// Set implements flag.Value.
func (f *SizeFlag) Set(s string) error {
	n, err := ParseSize(s)
	if err != nil {
		return err
	}
	f.n, f.text = n, s
	return nil
}
