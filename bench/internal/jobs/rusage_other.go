//go:build !unix

package jobs

import "time"

// Without getrusage the child jobs report no CPU or RSS figures; the
// benchmarks are meant for Linux (the figures in BENCHMARKS.md are).
func cpuTimes() (user, sys time.Duration) { return 0, 0 }
func maxRSS() int64                       { return 0 }
func vmHWM() int64                        { return 0 }

// OwnCPU is unknown without getrusage.
func OwnCPU() float64 { return 0 }
