package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/azblobmin/azblobmin/bench/internal/jobs"
)

// secs formats seconds as ms below 10 s.
func secs(s float64) string {
	switch {
	case s < 0.01:
		return fmt.Sprintf("%.1f ms", s*1e3)
	case s < 10:
		return fmt.Sprintf("%.0f ms", s*1e3)
	default:
		return fmt.Sprintf("%.1f s", s)
	}
}

func mib(b float64) string { return fmt.Sprintf("%.1f MiB", b/(1<<20)) }

func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func ns(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2f µs", v/1000)
	}
	return fmt.Sprintf("%.0f ns", v)
}

func mbps(bytes, sec float64) string {
	if sec == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f MB/s", bytes/sec/1e6)
}

func mark(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

// med applies f to every run and returns the median and the spread.
func med[T any](runs []T, f func(T) float64) (m, lo, hi float64) {
	xs := make([]float64, len(runs))
	for i, r := range runs {
		xs[i] = f(r)
	}
	lo, hi = jobs.Spread(xs)
	return jobs.Median(xs), lo, hi
}

// spreadPct is the half-range of the runs relative to their median, the
// report's noise figure.
func spreadPct(m, lo, hi float64) string {
	if m == 0 {
		return "—"
	}
	return fmt.Sprintf("±%.0f %%", math.Max(hi-m, m-lo)/m*100)
}

// table renders a Markdown table.
func table(header []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(header, " | ") + " |\n")
	seps := make([]string, len(header))
	for i := range seps {
		seps[i] = "---"
	}
	b.WriteString("|" + strings.Join(seps, "|") + "|\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	return b.String()
}

func cpu(r jobs.ChildResult) float64  { return r.CPUSec() }
func wall(r jobs.ChildResult) float64 { return r.WallSec }
func hwm(r jobs.ChildResult) float64  { return float64(r.VmHWM) }
func heap(r jobs.ChildResult) float64 { return float64(r.PeakHeap) }
