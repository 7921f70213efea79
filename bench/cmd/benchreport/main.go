// Command benchreport runs the side-by-side benchmarks of azblobmin and
// the Azure SDK for Go (`make bench`) and writes BENCHMARKS.md.
//
//	cd bench && go run ./cmd/benchreport -out ../BENCHMARKS.md
//
// It starts one Azurite (the pinned one of emulatortest) and a local
// discard-everything HTTP sink, runs every job with this project, with the
// SDK and (where it applies) with plain net/http, several rounds each, and
// writes medians, ratios measured in the same run, the machine and the
// command. Jobs measuring a process's CPU or memory re-execute this binary
// once per variant and round (see jobs.ChildEnv).
//
// Smaller sizes (-size, -runs, -jobs) are for trying it out; the committed
// report uses the defaults.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/azblobmin/azblobmin/bench/internal/jobs"
)

// config is the command line.
type config struct {
	Out, JSON       string
	Render          string
	Runs            int
	MultipartRuns   int
	Jobs            map[string]bool
	Parts, PartSize int
	Workers         int
	CompleteParts   int
	CompletePart    int
	Sweep           []int
	Size            int64
	BlockSize       int64
	Concurrency     int
	Quiet           float64
	MaxWait         time.Duration
	Go              string
	Args            []string
}

const allJobs = "sign,multipart,complete,stream,cli"

func main() {
	jobs.MaybeRunChild()
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("benchreport", flag.ContinueOnError)
	cfg := &config{Args: args}
	var jobList, sweep, size, partSize, completePart, blockSize string
	fs.StringVar(&cfg.Out, "out", "", "write the Markdown report here (required)")
	fs.StringVar(&cfg.JSON, "json", "", "also write the raw figures as JSON here")
	fs.StringVar(&cfg.Render, "render", "", "run nothing: write the report from figures saved earlier with -json")
	fs.IntVar(&cfg.Runs, "runs", 5, "rounds per job; figures are medians over them")
	fs.IntVar(&cfg.MultipartRuns, "multipart-runs", 9, "rounds of the multipart job (cheap, and the SDK's CPU there varies a lot from round to round); at least -runs")
	fs.StringVar(&jobList, "jobs", allJobs, "jobs to run")
	fs.IntVar(&cfg.Parts, "parts", 16, "multipart job: number of parts")
	fs.StringVar(&partSize, "part-size", "5MiB", "multipart job: part size")
	fs.IntVar(&cfg.Workers, "workers", 4, "multipart job: parts uploaded at once")
	fs.IntVar(&cfg.CompleteParts, "complete-parts", 1000, "complete job: number of parts")
	fs.StringVar(&completePart, "complete-part-size", "1KiB", "complete job: part size")
	fs.StringVar(&sweep, "sweep", "1,5,8,16,32,64", "complete job: concurrencies to try")
	fs.StringVar(&size, "size", "1GiB", "stream job: bytes sent through the pipe")
	fs.StringVar(&blockSize, "block-size", "8MiB", "stream job: block size (both clients)")
	fs.IntVar(&cfg.Concurrency, "concurrency", 4, "stream job: blocks in flight (both clients)")
	fs.Float64Var(&cfg.Quiet, "quiet-load", 0, "wait until the 1-minute load average is below this before starting (0: do not wait)")
	fs.DurationVar(&cfg.MaxWait, "max-wait", 30*time.Minute, "longest wait for -quiet-load; then run anyway and say so")
	fs.StringVar(&cfg.Go, "go", "go", "the go command used to build the CLI binaries")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if cfg.Out == "" {
		return nil, fmt.Errorf("-out is required, e.g. -out ../BENCHMARKS.md")
	}
	if cfg.Runs < 1 {
		return nil, fmt.Errorf("-runs must be at least 1")
	}
	cfg.MultipartRuns = max(cfg.MultipartRuns, cfg.Runs)
	cfg.Jobs = map[string]bool{}
	for _, j := range strings.Split(jobList, ",") {
		if j = strings.TrimSpace(j); j == "" {
			continue
		}
		if !strings.Contains(","+allJobs+",", ","+j+",") {
			return nil, fmt.Errorf("-jobs: unknown job %q (known: %s)", j, allJobs)
		}
		cfg.Jobs[j] = true
	}
	for _, s := range strings.Split(sweep, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-sweep: %q is not a positive integer", s)
		}
		cfg.Sweep = append(cfg.Sweep, n)
	}
	var err error
	if cfg.Size, err = parseSize("-size", size); err != nil {
		return nil, err
	}
	if cfg.BlockSize, err = parseSize("-block-size", blockSize); err != nil {
		return nil, err
	}
	ps, err := parseSize("-part-size", partSize)
	if err != nil {
		return nil, err
	}
	cs, err := parseSize("-complete-part-size", completePart)
	if err != nil {
		return nil, err
	}
	cfg.PartSize, cfg.CompletePart = int(ps), int(cs)
	if cfg.Parts < 1 || cfg.Workers < 1 || cfg.CompleteParts < 1 || cfg.Concurrency < 1 {
		return nil, fmt.Errorf("-parts, -workers, -complete-parts and -concurrency must be positive")
	}
	return cfg, nil
}

// parseSize reads 1GiB, 5MiB, 1KiB or a plain byte count.
func parseSize(flagName, s string) (int64, error) {
	mult := int64(1)
	num := s
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = v, u.m
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s: %q is not a size such as 1GiB, 5MiB, 1KiB or 4096", flagName, s)
	}
	return n * mult, nil
}
