package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/azblobmin/azblobmin/bench/internal/jobs"
	"github.com/azblobmin/azblobmin/bench/internal/sink"
	"github.com/azblobmin/azblobmin/emulatortest"
)

// variant is one implementation on one target.
type variant struct{ Target, Impl string }

func (v variant) String() string { return v.Target + "/" + v.Impl }

// variants of the child jobs, in the order of the first round (later
// rounds rotate it so no variant always runs first or last).
var streamVariants = []variant{
	{"sink", "floor"}, {"sink", "ours"}, {"sink", "sdk"},
	{"azurite", "ours"}, {"azurite", "sdk"},
}

// multipartVariants add the floor with CRC-64 (what any client with CRC-64
// on must at least spend).
var multipartVariants = []variant{
	{"sink", "floor"}, {"sink", "floorcrc"}, {"sink", "ours"}, {"sink", "sdk"},
	{"azurite", "floorcrc"}, {"azurite", "ours"}, {"azurite", "sdk"},
}

// teleportConcurrency is the completion concurrency of Teleport's Azure
// session storage.
const teleportConcurrency = 5

// results is everything the report shows.
type results struct {
	Machine           jobs.Machine
	Started, Finished time.Time
	// Waited is the total time spent waiting for a quiet machine (before
	// the run and before each round); Gates the number of such checks and
	// Missed how many of them gave up because the wait budget ran out.
	Waited         time.Duration
	Gates, Missed  int
	Config         *config
	Sign           []jobs.SignResult
	Multipart      map[string][]jobs.ChildResult
	Complete       map[int][]float64 // concurrency → seconds per run
	CompleteSDK    []float64         // the SDK (Teleport's code path) at teleportConcurrency
	CompletePhases map[int][]map[string]jobs.Phase
	Stream         map[string][]jobs.ChildResult
	Load           []float64 // 1-minute load average, sampled every loadEvery during the run
	// OtherCPU is the CPU time the machine spent on anything but this run
	// (its process and its children), in seconds, over the run; -1 when
	// unknown.
	OtherCPU float64
	// StealCPU is the CPU time the hypervisor took away over the run.
	StealCPU        float64
	OursCLI, SDKCLI jobs.BinaryResult
	FloorCLI        jobs.BinaryResult
	CLIError        string
}

func run(cfg *config) error {
	if cfg.Render != "" {
		return render(cfg)
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	res := &results{Config: cfg, Multipart: map[string][]jobs.ChildResult{}, Complete: map[int][]float64{}, CompletePhases: map[int][]map[string]jobs.Phase{}, Stream: map[string][]jobs.ChildResult{}}
	g := &gate{limit: cfg.Quiet, budget: cfg.MaxWait, res: res}
	g.wait("the run")
	res.Machine = jobs.ReadMachine(root)
	res.Started = time.Now()
	stopLoad := sampleLoad(&res.Load)
	busy0, steal0 := jobs.BusyCPU()
	own0 := jobs.OwnCPU()
	res.OtherCPU = -1 // unknown unless /proc/stat can be read

	sk, err := sink.Start()
	if err != nil {
		return err
	}
	defer sk.Close()
	sinkT := jobs.Target{Name: "sink", Endpoint: sk.Endpoint, Account: emulatortest.DevAccountName, Key: emulatortest.DevAccountKey}

	if cfg.Jobs["sign"] {
		log.Printf("sign: %d rounds", cfg.Runs)
		sb, err := jobs.NewSignBench(sinkT)
		if err != nil {
			return err
		}
		for r := 0; r < cfg.Runs; r++ {
			g.wait(fmt.Sprintf("sign round %d", r+1))
			res.Sign = append(res.Sign, sb.Round())
		}
	}
	if cfg.Jobs["multipart"] {
		for r := 0; r < cfg.MultipartRuns; r++ {
			g.wait(fmt.Sprintf("multipart round %d", r+1))
			if err := multipartRound(cfg, res, sinkT, r); err != nil {
				return err
			}
		}
	}
	if cfg.Jobs["complete"] {
		for r := 0; r < cfg.Runs; r++ {
			g.wait(fmt.Sprintf("complete round %d", r+1))
			if err := completeRound(cfg, res, r); err != nil {
				return err
			}
		}
	}
	if cfg.Jobs["stream"] {
		spec := jobs.StreamSpec{BlockSize: cfg.BlockSize, Concurrency: cfg.Concurrency}
		for r := 0; r < cfg.Runs; r++ {
			g.wait(fmt.Sprintf("stream round %d", r+1))
			for _, v := range rotate(streamVariants, r) {
				cr, err := streamRound(v, spec, sinkT, cfg.Size, r)
				if err != nil {
					return err
				}
				res.Stream[v.String()] = append(res.Stream[v.String()], cr)
			}
		}
	}
	if cfg.Jobs["cli"] {
		log.Printf("cli: building both binaries")
		if err := buildCLIs(cfg, root, res); err != nil {
			res.CLIError = err.Error()
			log.Printf("cli: %v", err)
		}
	}
	res.Finished = time.Now()
	stopLoad()
	if busy0 > 0 {
		busy1, steal1 := jobs.BusyCPU()
		res.OtherCPU = max(0, (busy1-busy0)-(jobs.OwnCPU()-own0))
		res.StealCPU = steal1 - steal0
	}
	res.Machine.Load1End = jobs.Load1()

	md := renderReport(res)
	if err := os.WriteFile(cfg.Out, []byte(md), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %s", cfg.Out)
	if cfg.JSON != "" {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(cfg.JSON, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Every round that needs Azurite gets a fresh one, stopped when the round
// ends: Azurite keeps deleted blobs' bytes in memory until its garbage
// collector runs, every 10 minutes, and that collector then keeps a core
// busy for minutes over a few GiB — noise for whatever runs next.

// render writes the report from a -json file of an earlier run.
func render(cfg *config) error {
	b, err := os.ReadFile(cfg.Render)
	if err != nil {
		return err
	}
	var res results
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("-render %s: %w", cfg.Render, err)
	}
	if res.Config == nil {
		return fmt.Errorf("-render %s: no configuration recorded; was it written by -json?", cfg.Render)
	}
	if err := os.WriteFile(cfg.Out, []byte(renderReport(&res)), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %s from %s", cfg.Out, cfg.Render)
	return nil
}

// multipartRound runs every multipart variant once.
func multipartRound(cfg *config, res *results, sinkT jobs.Target, r int) error {
	em, err := startAzurite()
	if err != nil {
		return err
	}
	defer em.Stop()
	azT := targetOf(em)
	spec := jobs.MultipartSpec{Parts: cfg.Parts, PartSize: cfg.PartSize, Workers: cfg.Workers}
	for _, v := range rotate(multipartVariants, r) {
		s, t := spec, sinkT
		if v.Target == "azurite" {
			// The whole recording, except for the floor, which cannot
			// compose.
			t, s.Compose = azT, v.Impl != "floorcrc"
		}
		log.Printf("multipart round %d: %s", r+1, v)
		cr, err := jobs.RunChild(jobs.ChildSpec{Job: "multipart", Impl: v.Impl, Target: t, Multipart: s}, nil)
		if err != nil {
			return err
		}
		res.Multipart[v.String()] = append(res.Multipart[v.String()], cr)
	}
	return nil
}

// completeRound runs CompleteUpload at every concurrency of the sweep, and
// the SDK at Teleport's, once.
func completeRound(cfg *config, res *results, r int) error {
	em, err := startAzurite()
	if err != nil {
		return err
	}
	defer em.Stop()
	azT := targetOf(em)
	spec := jobs.CompleteSpec{Parts: cfg.CompleteParts, PartSize: cfg.CompletePart, UploadWorkers: 32}
	// -1 stands for the SDK at Teleport's concurrency.
	for _, c := range rotate(append(append([]int{}, cfg.Sweep...), -1), r) {
		if c < 0 {
			log.Printf("complete round %d: SDK at concurrency %d", r+1, teleportConcurrency)
			b, err := jobs.NewSDKCompleteBench(azT, spec, teleportConcurrency)
			if err != nil {
				return err
			}
			d, err := b.Round()
			if err != nil {
				return fmt.Errorf("complete with the SDK: %w", err)
			}
			res.CompleteSDK = append(res.CompleteSDK, d.Seconds())
			continue
		}
		log.Printf("complete round %d: concurrency %d", r+1, c)
		b, err := jobs.NewCompleteBench(azT, spec, c)
		if err != nil {
			return err
		}
		d, phases, err := b.Round()
		if err != nil {
			return fmt.Errorf("complete at concurrency %d: %w", c, err)
		}
		res.Complete[c] = append(res.Complete[c], d.Seconds())
		res.CompletePhases[c] = append(res.CompletePhases[c], phases)
	}
	return nil
}

// streamRound runs one stream variant; an Azurite variant gets an Azurite
// of its own.
func streamRound(v variant, spec jobs.StreamSpec, sinkT jobs.Target, size int64, r int) (jobs.ChildResult, error) {
	t := sinkT
	if v.Target == "azurite" {
		em, err := startAzurite()
		if err != nil {
			return jobs.ChildResult{}, err
		}
		defer em.Stop()
		t = targetOf(em)
	}
	log.Printf("stream round %d: %s (%d MiB)", r+1, v, size>>20)
	cr, err := jobs.RunChild(jobs.ChildSpec{Job: "stream", Impl: v.Impl, Target: t, Stream: spec}, func(w io.WriteCloser) error {
		return jobs.Feed(w, size)
	})
	if err != nil {
		return cr, err
	}
	if cr.Bytes != size {
		return cr, fmt.Errorf("stream %s: the client read %d bytes of %d", v, cr.Bytes, size)
	}
	return cr, nil
}

func startAzurite() (*emulatortest.Emulator, error) {
	em, err := emulatortest.StartProcess(emulatortest.Options{})
	if err != nil {
		return nil, fmt.Errorf("start Azurite: %w", err)
	}
	return em, nil
}

func targetOf(em *emulatortest.Emulator) jobs.Target {
	return jobs.Target{Name: "azurite", Endpoint: em.Endpoint, Account: em.AccountName, Key: em.AccountKey}
}

func buildCLIs(cfg *config, root string, res *results) error {
	dir, err := os.MkdirTemp("", "azblobmin-bench-cli-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if res.OursCLI, err = jobs.BuildBinary(cfg.Go, root, "./cmd/azblobmin", filepath.Join(dir, "ours")); err != nil {
		return err
	}
	if res.SDKCLI, err = jobs.BuildBinary(cfg.Go, filepath.Join(root, "bench"), "./sdkcli", filepath.Join(dir, "sdk")); err != nil {
		return err
	}
	res.FloorCLI, err = jobs.BuildBinary(cfg.Go, filepath.Join(root, "bench"), "./floorcli", filepath.Join(dir, "floor"))
	return err
}

// loadEvery is how often the load average is sampled during the run.
const loadEvery = 5 * time.Second

// sampleLoad appends the 1-minute load average to *out every loadEvery
// until the returned function is called.
func sampleLoad(out *[]float64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(loadEvery)
		defer t.Stop()
		for {
			*out = append(*out, jobs.Load1())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// rotate returns xs rotated left by r.
func rotate[T any](xs []T, r int) []T {
	r %= len(xs)
	return append(append([]T{}, xs[r:]...), xs[:r]...)
}

// gate holds the run back until the machine is quiet: before the run and
// before each round it waits until the 1-minute load average is below
// limit, spending at most budget on waiting over the whole run. A zero
// limit never waits.
type gate struct {
	limit  float64
	budget time.Duration
	res    *results
}

func (g *gate) wait(what string) {
	if g.limit <= 0 {
		return
	}
	g.res.Gates++
	start := time.Now()
	defer func() { g.res.Waited += time.Since(start) }()
	for {
		l := jobs.Load1()
		if l < g.limit {
			return
		}
		if g.res.Waited+time.Since(start) >= g.budget {
			log.Printf("before %s: load average %.2f and the wait budget of %s is spent; going ahead", what, l, g.budget)
			g.res.Missed++
			return
		}
		log.Printf("before %s: waiting for a quiet machine (1-minute load %.2f ≥ %.2f)", what, l, g.limit)
		time.Sleep(15 * time.Second)
	}
}

// repoRoot finds the root module's directory: the parent of the bench
// module's directory, found from the working directory upwards.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && isRootModule(b) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("cannot find the azblobmin repository root above " + dir + ": run from the repository or its bench directory")
		}
	}
}

func isRootModule(gomod []byte) bool {
	for _, line := range splitLines(gomod) {
		if line == "module github.com/azblobmin/azblobmin" {
			return true
		}
	}
	return false
}

func splitLines(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, string(trimCR(b[start:i])))
			start = i + 1
		}
	}
	return append(out, string(trimCR(b[start:])))
}

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}
